import * as vscode from 'vscode';
import { shortDigest } from '../../core/digest';
import { isUserError } from '../../core/errors';
import { AnyPreparedRebase, RebaseRequest, isIndexRebase, prepareAnyRebase } from '../../core/rebase/rebase';
import { detachedArtifactsWarning, findDetachedArtifacts } from '../../core/rebase/signatures';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { FlowInput } from './flowInput';
import { FlowState, stepProblem, stepTitle } from './flowState';
import { StepResult } from './newBaseStep';
import { FlowContext } from './offers';

const KEEP = 'keep';
const REPLACE = 'replace';

export interface PlanOptions {
  request: RebaseRequest;
  /** Programmatic callers only: replace an existing target tag without asking. */
  confirmOverwrite?: boolean;
  /** The target came with the command (not typed): a planning failure ends the flow with it. */
  targetGiven: boolean;
}

/** The digest the target tag would hold after the push: the image's, or the new index's. */
export function plannedDigest(prepared: AnyPreparedRebase): string {
  return isIndexRebase(prepared) ? prepared.plan.newIndexDigest : prepared.plan.newManifestDigest;
}

/**
 * After step 4, in the same picker: the dry run, busy with a line of what it is at (Escape
 * cancels it). Only the plan knows the digest the target would get, so an existing target is
 * judged here: holding exactly that digest, a push would change nothing and nothing is asked;
 * holding another, the user chooses, keeping it first (what Enter takes) and replacing it second.
 * Keeping it, Back, or a planning problem shows step 4 again with what was typed.
 */
export async function planStep(ctx: FlowContext, input: FlowInput, state: FlowState, opts: PlanOptions): Promise<StepResult> {
  const target = opts.request.target;
  input.enter(stepTitle(state, `dry run for ${target}`), 4);
  let prepared: AnyPreparedRebase;
  let warning: string | undefined;
  try {
    const what = state.sourceIndex ? `every platform of ${state.sourceName}` : state.sourceName;
    prepared = await input.work(`Planning the rebase of ${what} onto ${opts.request.newBase} (dry run)…`, (signal, say) =>
      prepareAnyRebase(ctx.client, opts.request, {
        signal,
        memo: ctx.memo,
        onProgress: (e) => (ctx.services.log.info(e.message), say(e.message)),
      }),
    );
    const source = prepared.plan.source;
    const artifacts = await input.work(`Looking for signatures and attestations of ${source.reference}…`, (signal) => findDetachedArtifacts(ctx.client, source.repo, source.digest, signal));
    // That search gives up quietly (a registry may not list tags): an Escape during it still ends the flow.
    if (input.signal.aborted) throw new vscode.CancellationError();
    warning = detachedArtifactsWarning(artifacts);
  } catch (e) {
    if (e instanceof vscode.CancellationError) throw e;
    // Nothing to rebase (already on that base) is news, not a problem with an answer.
    if (opts.targetGiven || (isUserError(e) && e.code === 'already-on-base')) throw e;
    state.targetNotice = stepProblem(ctx.services, e);
    return 'back';
  }

  state.prepared = prepared;
  state.warnings = warning ? [warning] : [];
  const digest = plannedDigest(prepared);
  const existing = state.existingTargetDigest;
  state.unchanged = existing === digest;
  if (!existing || state.unchanged || opts.confirmOverwrite) return 'next';

  const ref = parseReferenceWithDefaultTag(target);
  const tag = `${ref.repository.split('/').pop()}:${ref.tag ?? 'latest'}`;
  const answer = await input.ask({
    title: stepTitle(state, `replace ${target}?`),
    step: 4,
    placeholder: `Enter keeps ${tag} as it is; nothing is pushed before you press Push in the preview`,
    notice: `${target} already exists: it holds sha256:${shortDigest(existing)}…, the rebased image is sha256:${shortDigest(digest)}…`,
    items: [
      { label: 'Choose another tag', value: KEEP, description: `keeps ${tag} as it is` },
      {
        label: `Replace ${tag} (now sha256:${shortDigest(existing)}…)`,
        value: REPLACE,
        // The old image stays in the registry under its digest (Undo Rebase puts it back).
        description: '$(warning) points it to the rebased image',
      },
    ],
    validate: (v) => (v === KEEP || v === REPLACE ? undefined : 'Choose one of the two rows.'),
  });
  if (answer.kind === 'value' && answer.value === REPLACE) return 'next';
  if (answer.kind === 'value') state.targetNotice = `${target} was kept as it is; choose another tag.`;
  return 'back';
}
