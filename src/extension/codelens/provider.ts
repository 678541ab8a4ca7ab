import * as vscode from 'vscode';
import { shortDigest } from '../../core/digest';
import { analyzeDockerfile, FromEntry, rootImage } from '../../core/dockerfile/froms';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { sameBase } from '../../core/rebase/baseIdentity';
import { BaseResolver } from './baseResolver';

type LensKind = 'base' | 'pin';

/** A lens that knows which FROM it belongs to, so resolving it needs no second parse. */
class FromLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly kind: LensKind,
    readonly entry: FromEntry,
    readonly uri: vscode.Uri,
  ) {
    super(range);
  }
}

/**
 * CodeLenses above FROM lines. provideCodeLenses only parses (no network, so it is instant);
 * resolveCodeLens does the registry lookups, through a cache shared by all lenses.
 */
export class FromCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    readonly resolver: BaseResolver,
    private readonly enabled: () => boolean,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.enabled()) return [];
    const froms = analyzeDockerfile(document.getText());
    const lenses: vscode.CodeLens[] = [];
    const final = froms.at(-1);
    const finalBase = final ? rootImage(froms, final) : undefined;
    for (const entry of froms) {
      const line = new vscode.Range(entry.range.start.line, 0, entry.range.start.line, 0);
      if (entry.kind === 'unresolved' || entry.kind === 'invalid') {
        lenses.push(new vscode.CodeLens(line, { title: `base: ${entry.problem}`, command: '' }));
        continue;
      }
      if (entry.kind !== 'image') continue; // scratch and earlier stages have no registry image
      lenses.push(new FromLens(line, 'base', entry, document.uri));
      if (entry.pinnedDigest && entry.taggedReference && entry.digestRange) lenses.push(new FromLens(line, 'pin', entry, document.uri));
      if (entry === finalBase) {
        lenses.push(
          new vscode.CodeLens(line, {
            title: '$(git-pull-request-go-to-changes) Rebase image onto this base…',
            tooltip: `Rebase the image this Dockerfile builds onto ${entry.reference}`,
            command: 'imageRebase.rebaseFromDockerfile',
            arguments: [document.uri.toString(), entry.reference],
          }),
        );
      }
    }
    return lenses;
  }

  async resolveCodeLens(lens: vscode.CodeLens): Promise<vscode.CodeLens> {
    if (!(lens instanceof FromLens)) return lens;
    return lens.kind === 'base' ? this.resolveBase(lens) : this.resolvePin(lens);
  }

  private async resolveBase(lens: FromLens): Promise<FromLens> {
    const reference = lens.entry.reference!;
    const r = await this.resolver.resolve(reference);
    if (r.ok) {
      lens.command = {
        title: `$(package) ${shortDigest(r.value.digest)}…  ${r.value.platforms.join(', ')}`,
        tooltip: `${reference}\n${r.value.digest}`,
        command: 'imageRebase.openManifestOf',
        arguments: [reference],
      };
    } else {
      lens.command = problemCommand(reference, r.error.code, r.error.message);
    }
    return lens;
  }

  /**
   * The pinned digest against what the written tag points to now. A pin of one platform image of
   * the tag's index, or of an index that lists the image the tag now names, is the same base.
   */
  private async resolvePin(lens: FromLens): Promise<FromLens> {
    const entry = lens.entry;
    const pinned = entry.pinnedDigest!;
    const r = await this.resolver.resolve(entry.taggedReference!);
    if (!r.ok) {
      lens.command = problemCommand(entry.taggedReference!, r.error.code, r.error.message);
      return lens;
    }
    const now = { digest: r.value.digest, children: r.value.children?.map((c) => c.digest) };
    const tag = tagOf(entry.taggedReference!);
    if (r.value.digest === pinned) {
      lens.command = { title: `$(check) pinned digest is current for ${tag}`, command: '' };
    } else if (sameBase({ digest: pinned }, now)) {
      const platform = r.value.children?.find((c) => c.digest === pinned)?.platform;
      lens.command = {
        title: `$(check) pinned digest is current for ${tag} (its ${platform} image)`,
        tooltip: `${entry.taggedReference} points to ${r.value.digest}, an index that lists ${pinned}`,
        command: '',
      };
    } else if (!now.children && sameBase((await this.resolver.pinned(entry.taggedReference!, pinned)) ?? { digest: pinned }, now)) {
      lens.command = {
        title: `$(check) pinned digest is current for ${tag} (an index of its image)`,
        tooltip: `${entry.taggedReference} points to ${r.value.digest}, which the pinned index ${pinned} lists`,
        command: '',
      };
    } else {
      const d = entry.digestRange!;
      const when = r.value.created ? ` (pushed ${r.value.created.slice(0, 10)})` : '';
      lens.command = {
        title: `$(arrow-up) Newer base available${when}`,
        tooltip: `${entry.taggedReference} now points to ${r.value.digest}; update the pin`,
        command: 'imageRebase.updatePin',
        arguments: [lens.uri.toString(), [d.start.line, d.start.character, d.end.line, d.end.character], pinned, r.value.digest],
      };
    }
    return lens;
  }
}

function tagOf(reference: string): string {
  return parseReferenceWithDefaultTag(reference).tag ?? 'latest';
}

/** Short, actionable lens text for a failed lookup: no notification, the lens says it. */
function problemCommand(reference: string, code: string, message: string): vscode.Command {
  const registry = parseReferenceWithDefaultTag(reference).registry;
  if (code === 'auth' || code === 'denied') {
    return { title: `base: sign in to ${registry}`, tooltip: message, command: 'imageRebase.signIn', arguments: [registry] };
  }
  if (code === 'unreachable') {
    return { title: `base: ${registry} unreachable — retry`, tooltip: message, command: 'imageRebase.refreshCodeLenses' };
  }
  if (code === 'not-found') return { title: 'base: not found in its registry', tooltip: message, command: '' };
  return { title: `base: ${message.slice(0, 80)}`, tooltip: message, command: '' };
}
