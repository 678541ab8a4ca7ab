import * as vscode from 'vscode';
import { shortDigest } from '../../core/digest';
import { FetchedManifest, ImageIndex } from '../../core/manifest';
import { PlatformSpec, fetchImage, formatPlatform, imageChildren, platformOf } from '../../core/rebase/fetchImage';
import { formatReference } from '../../core/reference';
import { FlowInput, PickItem } from './flowInput';
import { FlowState, referenceProblem, stepProblem } from './flowState';
import { FlowContext, indexOf, recentItems, repositoryItems, tagItems } from './offers';
import { completeReference } from './shortName';

export interface SourceOptions {
  given?: string;
  /** 'all', one platform, or undefined to ask when the source is multi-platform. */
  platform?: 'all' | PlatformSpec;
  recent: string[];
}

/**
 * Step 1: the image to rebase, from recent images and the repositories of the Registries view,
 * or typed (a short name is completed against the configured registries). A multi-platform
 * source then asks for all platforms or one, in the same step. Returns false when a given source
 * failed (the caller stops, as it was not asked for).
 */
export async function sourceStep(ctx: FlowContext, input: FlowInput, state: FlowState, opts: SourceOptions): Promise<boolean> {
  let given = opts.given;
  let notice: string | undefined;
  // A given source is read with the step showing busy under its own title.
  input.enter('Rebase Image: image to rebase', 1);
  for (;;) {
    let text = given;
    if (text === undefined) {
      const answer = await input.ask({
        title: 'Rebase Image: image to rebase',
        step: 1,
        placeholder: 'Pick an image, choose a repository to see its tags, or type a reference (app:1 is looked up in your registries)',
        value: state.sourceText,
        notice,
        loading: 'Reading the repositories of your registries…',
        items: async (signal) => [
          ...recentItems(opts.recent, 'recent'),
          ...(await repositoryItems(ctx, signal, (repo, s) => tagItems(ctx, repo, undefined, undefined, s))),
        ],
        validate: referenceProblem,
      });
      if (answer.kind === 'back') continue;
      text = answer.value;
    }
    state.sourceText = text;
    try {
      const { ref, note } = await input.work(`Reading ${text}…`, (signal) => completeReference(ctx, text!, signal));
      if (note) announce(ctx, note);
      const index = await input.work(`Reading ${formatReference(ref)}…`, (signal) => indexOf(ctx, ref, signal));
      let platform: PlatformSpec | undefined;
      let whole: FetchedManifest<ImageIndex> | undefined;
      if (index && imageChildren(index.manifest).length > 0) {
        const chosen = opts.platform ?? (await choosePlatform(input, formatReference(ref), index));
        if (!chosen) {
          given = undefined;
          continue;
        }
        if (chosen === 'all') whole = index;
        else platform = chosen;
      }
      // For a whole index, its first image stands for it where one image is needed (new base suggestions).
      const stand = platform ?? (whole ? imageChildren(whole.manifest)[0]?.platform : undefined);
      const source = await input.work(`Reading the layers of ${formatReference(ref)}…`, (signal) => fetchImage(ctx.client, ref, stand, signal, ctx.memo));
      Object.assign(state, {
        sourceRef: ref,
        source,
        sourceIndex: whole,
        platform,
        sourcePlatform: platform ?? platformOf(source.config),
        sourceName: whole ? formatReference(ref) : source.reference,
      });
      return true;
    } catch (e) {
      notice = stepProblem(ctx.services, e);
      if (given !== undefined) {
        void vscode.window.showErrorMessage(notice);
        return false;
      }
    }
    given = undefined;
  }
}

/** Says which registry a short name was completed with, without a notification to dismiss. */
export function announce(ctx: FlowContext, note: string): void {
  ctx.services.lastInfo = note;
  ctx.services.log.info(note);
  vscode.window.setStatusBarMessage(`$(info) ${note}`, 15_000);
}

/** All platforms (first, the default) or one; undefined when the user went Back. */
async function choosePlatform(input: FlowInput, name: string, index: FetchedManifest<ImageIndex>): Promise<'all' | PlatformSpec | undefined> {
  const children = imageChildren(index.manifest);
  const n = children.length;
  const items: PickItem[] = [
    {
      label: n === 1 ? 'The whole index (1 platform)' : `All ${n} platforms`,
      value: 'all',
      description: children.map((c) => formatPlatform(c.platform!)).join(', '),
      detail: 'Rebase every image onto the new base of its platform and push a new index to the target tag',
    },
    { label: 'One platform (the target is a single-platform image)', kind: vscode.QuickPickItemKind.Separator },
    ...children.map((c) => ({
      label: formatPlatform(c.platform!),
      description: [c.platform!['os.version'], shortDigest(c.digest)].filter(Boolean).join(' · '),
    })),
  ];
  const answer = await input.ask({
    title: `Rebase Image: ${name} is multi-platform: rebase all platforms or one?`,
    step: 1,
    placeholder: 'All platforms, or one of them',
    items,
    validate: (v) => (v === 'all' || children.some((c) => formatPlatform(c.platform!) === v) ? undefined : 'Pick one of the rows.'),
    backable: true,
  });
  if (answer.kind === 'back') return undefined;
  return answer.value === 'all' ? 'all' : children.find((c) => formatPlatform(c.platform!) === answer.value)!.platform!;
}
