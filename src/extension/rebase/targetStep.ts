import * as vscode from 'vscode';
import { repoOf } from '../../core/rebase/fetchImage';
import { ImageReference, formatReference, parseReferenceWithDefaultTag, withTag } from '../../core/reference';
import { FlowInput, PickItem } from './flowInput';
import { FlowState, stepProblem, stepTitle, targetProblem } from './flowState';
import { StepResult } from './newBaseStep';
import { FlowContext, TAG_LIST_LIMIT } from './offers';
import { announce } from './sourceStep';
import { isShortName } from './shortName';

const EXISTING_SHOWN = 50;

export interface TargetOptions {
  given?: string;
}

/**
 * Step 4: the tag to push to. Offers a new tag next to the source's (first: Enter takes it), the
 * source tag itself and the repository's other tags. It only reads what the tag holds now: the
 * plan that follows decides whether replacing it must be confirmed (planStep).
 */
export async function targetStep(ctx: FlowContext, input: FlowInput, state: FlowState, opts: TargetOptions): Promise<StepResult> {
  const sourceRef = state.sourceRef!;
  const repo = repoOf(sourceRef);
  const sourceTag = formatReference(withTag({ ...sourceRef, digest: undefined }, sourceRef.tag ?? 'latest'));
  const suggested = formatReference(withTag({ ...sourceRef, digest: undefined }, `${sourceRef.tag ?? 'latest'}-rebased`.slice(0, 128)));
  const offered: PickItem[] = [
    { label: suggested, description: '$(add) a new tag' },
    { label: sourceTag, description: '$(warning) the image being rebased: replacing it asks first' },
  ];
  let given = opts.given;
  // Why the step is shown again after planning (the user kept an existing tag, or planning failed).
  let notice = state.targetNotice;
  state.targetNotice = undefined;
  input.enter(stepTitle(state, 'target tag to push'), 4);
  for (;;) {
    let text = given;
    if (text === undefined) {
      const answer = await input.ask({
        title: stepTitle(state, 'target tag to push'),
        step: 4,
        placeholder: 'Where the rebased image goes; nothing is pushed before you press Push in the preview',
        value: state.targetText,
        notice,
        loading: `Reading the tags of ${repo.registry}/${repo.repository}…`,
        items: offered,
        more: async (signal) => {
          const items: PickItem[] = [];
          const tags = await ctx.memo.tags(ctx.client, repo, TAG_LIST_LIMIT, signal).catch(() => [] as string[]);
          for (const tag of tags.slice(0, EXISTING_SHOWN)) {
            const label = `${repo.registry}/${repo.repository}:${tag}`;
            if (label === suggested || label === sourceTag) continue;
            items.push({ label, description: '$(tag) existing tag: replacing it asks first' });
          }
          return items;
        },
        validate: targetProblem,
      });
      if (answer.kind === 'back') return 'back';
      text = answer.value;
    }
    state.targetText = text;
    try {
      const targetRef = completeTarget(ctx, text.trim(), sourceRef);
      const existing = await input.work(`Checking whether ${formatReference(targetRef)} exists…`, (signal) => ctx.client.headManifest(repoOf(targetRef), targetRef.tag ?? 'latest', signal));
      // Whether replacing it is asked once the plan tells the new digest (planStep): a tag that
      // already holds exactly that image is not replaced, and the question can name both digests.
      state.targetText = formatReference(targetRef);
      state.existingTargetDigest = existing?.digest;
      return 'next';
    } catch (e) {
      notice = stepProblem(ctx.services, e);
      if (given !== undefined) {
        void vscode.window.showErrorMessage(notice);
        return 'stop';
      }
    }
    given = undefined;
  }
}

/** A short target name goes to the source's registry: a new tag cannot be looked up anywhere. */
function completeTarget(ctx: FlowContext, text: string, sourceRef: ImageReference): ImageReference {
  if (!isShortName(text) || sourceRef.registry === 'docker.io') return parseReferenceWithDefaultTag(text);
  const ref = parseReferenceWithDefaultTag(`${sourceRef.registry}/${text}`);
  announce(ctx, `${text} is pushed to ${formatReference(ref)}, the registry of ${formatReference(sourceRef)}.`);
  return ref;
}
