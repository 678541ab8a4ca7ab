import * as vscode from 'vscode';
import { shortDigest } from '../../core/digest';
import { analyzeDockerfile, FromEntry, rootImage } from '../../core/dockerfile/froms';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { oneLine } from '../../shared/sanitize';
import { BaseResolver } from './baseResolver';
import { NewerTags, TAG_LIMIT } from './newerTags';
import { pinCommand } from './pinLens';
import { problemCommand } from './problems';

type LensKind = 'base' | 'pin';

/** How long the lenses wait for a tag list before they show without its hint. */
const LIST_WAIT_MS = 1500;

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
 * CodeLenses above FROM lines. provideCodeLenses parses, and reads the tag lists of the FROMs'
 * lines (one per repository and TTL); resolveCodeLens does the other registry lookups, through
 * a cache shared by all lenses.
 */
export class FromCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    readonly resolver: BaseResolver,
    private readonly enabled: () => boolean,
    /** Tag lists of the FROMs' repositories, for the newer tag of each FROM's line. */
    readonly newerTags: NewerTags,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  /**
   * Instant when the tag lists of the FROMs' lines are known (the usual case); a list not read
   * yet, or older than its TTL, is waited for up to LIST_WAIT_MS. The lenses of a line must not
   * change shape after they were shown: VS Code applies a resolve still in flight for the old
   * lenses to the new ones by position, so a hint added by a later redraw could get another
   * lens's command.
   */
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] | Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    const froms = analyzeDockerfile(document.getText());
    const unknown = froms.filter((f) => hasLine(f) && !this.newerTags.peek(f.reference!).fresh).map((f) => f.reference!);
    if (unknown.length === 0) return this.lensesOf(froms, document.uri);
    let done = false;
    const read = Promise.all(unknown.map((r) => this.newerTags.refresh(r)));
    // Past the wait, the lenses come without the hint; a redraw when the list arrives adds it
    // (a slow registry: the one case where the shape changes, see above).
    void read.then((changed) => {
      if (done && changed.some(Boolean)) this.changed.fire();
    });
    return Promise.race([read, new Promise((r) => setTimeout(r, LIST_WAIT_MS))]).then(() => {
      done = true;
      return this.lensesOf(froms, document.uri);
    });
  }

  private lensesOf(froms: FromEntry[], uri: vscode.Uri): vscode.CodeLens[] {
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
      lenses.push(new FromLens(line, 'base', entry, uri));
      if (entry.pinnedDigest && entry.taggedReference && entry.digestRange) lenses.push(new FromLens(line, 'pin', entry, uri));
      lenses.push(...this.newerLenses(entry, entry === finalBase, uri));
      if (entry === finalBase) {
        lenses.push(
          new vscode.CodeLens(line, {
            title: '$(git-pull-request-go-to-changes) Rebase image onto this base…',
            tooltip: `Rebase the image this Dockerfile builds onto ${entry.reference}`,
            command: 'imageRebase.rebaseFromDockerfile',
            arguments: [uri.toString(), entry.reference],
          }),
        );
      }
    }
    return lenses;
  }

  async resolveCodeLens(lens: vscode.CodeLens): Promise<vscode.CodeLens> {
    if (!(lens instanceof FromLens)) return lens;
    lens.command = lens.kind === 'base' ? await this.baseCommand(lens.entry.reference!) : await pinCommand(this.resolver, lens.entry, lens.uri);
    return lens;
  }

  private async baseCommand(reference: string): Promise<vscode.Command> {
    const r = await this.resolver.resolve(reference);
    if (!r.ok) return problemCommand(reference, r.error.code, r.error.message);
    return {
      title: `$(package) ${shortDigest(r.value.digest)}…  ${oneLine(r.value.platforms.join(', '), 120)}`,
      tooltip: `${reference}\n${r.value.digest}`,
      command: 'imageRebase.openManifestOf',
      arguments: [reference],
    };
  }

  /** The hint of a newer tag of the FROM's line, from the tag list read before. */
  private newerLenses(entry: FromEntry, isFinalBase: boolean, uri: vscode.Uri): vscode.CodeLens[] {
    const reference = entry.reference!;
    if (!hasLine(entry)) return [];
    const newer = this.newerTags.peek(reference).newer;
    if (!newer) return [];
    const line = new vscode.Range(entry.range.start.line, 0, entry.range.start.line, 0);
    const ref = parseReferenceWithDefaultTag(newer.reference);
    const name = oneLine(`${ref.repository.replace(/^library\//, '')}:${newer.tag}`, 120);
    const tag = oneLine(parseReferenceWithDefaultTag(reference).tag ?? '', 80);
    const among = newer.truncated ? ` among its first ${TAG_LIMIT} tags` : '';
    const lenses = [
      new vscode.CodeLens(line, {
        title: `$(arrow-up) Newer base: ${name}`,
        tooltip: `${newer.reference} is the newest tag of the line of "${tag}"${among} (same variant and precision, a greater version). Click to open its manifest.`,
        command: 'imageRebase.openManifestOf',
        arguments: [newer.reference],
      }),
    ];
    // Only the final image's base can be swapped by a rebase; a build stage's is only hinted at.
    if (isFinalBase) {
      lenses.push(
        new vscode.CodeLens(line, {
          title: `Rebase onto ${name}…`,
          tooltip: `Rebase the image this Dockerfile builds onto ${newer.reference}`,
          command: 'imageRebase.rebaseFromDockerfile',
          arguments: [uri.toString(), newer.reference],
        }),
      );
    }
    return lenses;
  }
}

/** An unpinned FROM whose tag reads as a version: its line may have a newer tag. */
function hasLine(entry: FromEntry): boolean {
  return entry.kind === 'image' && !entry.pinnedDigest && NewerTags.onLine(entry.reference!);
}
