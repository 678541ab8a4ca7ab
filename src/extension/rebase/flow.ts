import * as vscode from 'vscode';
import { FetchMemo, PlatformSpec, formatPlatform, parsePlatform } from '../../core/rebase/fetchImage';
import { AnyPreparedRebase, RebaseRequest } from '../../core/rebase/rebase';
import { formatReference } from '../../core/reference';
import { DiscoveredBase } from '../../core/rebase/discover';
import { Services } from '../services';
import { FlowInput } from './flowInput';
import { FlowState, Given, TOTAL_STEPS } from './flowState';
import { newBaseStep, StepResult } from './newBaseStep';
import { FlowContext } from './offers';
import { oldBaseStep } from './oldBaseStep';
import { planStep } from './planStep';
import { RecentImages } from './recent';
import { sourceStep } from './sourceStep';
import { targetStep } from './targetStep';
import { warmGivenNewBase } from './warmGiven';

/** What callers may fill in ahead: the tree (source), the CodeLens (new base), tests (all). */
export interface RebaseArgs {
  source?: string;
  newBase?: string;
  oldBase?: string;
  target?: string;
  /**
   * For a multi-platform source: 'all' rebases every platform into a new index, 'os/arch[/variant]'
   * one of them (the target is then a single-platform image). Asked for when absent.
   */
  platform?: 'all' | (string & {});
  /** With 'all': keep the platforms the new base has no image for unchanged instead of refusing. */
  keepUnmatched?: boolean;
  /**
   * Keep the app's container settings as they are instead of merging them onto the new base;
   * when absent, the imageRebase.keepConfig setting decides.
   */
  keepConfig?: boolean;
  /** Programmatic callers only: replace an existing target tag without asking. */
  confirmOverwrite?: boolean;
}

export interface CollectedRequest {
  request: RebaseRequest;
  /** The dry run of the request (made in the picker, after step 4). */
  prepared: AnyPreparedRebase;
  /** Warnings found beside the plan, for the preview. */
  warnings: string[];
  /** The target already holds exactly the planned image: there is nothing to push. */
  unchanged: boolean;
  /** How the old base was found, when it was detected rather than given (one image only). */
  discovery?: Pick<DiscoveredBase, 'foundBy' | 'note'>;
  existingTargetDigest?: string;
  /** Every platform of an index is rebased: request.platform is unset and the engine plans a new index. */
  allPlatforms: boolean;
}

export interface RecentLists {
  images: RecentImages;
  bases: RecentImages;
}

/**
 * Asks for whatever `args` leaves open, in order: source, new base, old base, target, as the
 * four steps of one QuickPick with a counter and Back (which keeps what was entered). The new
 * base comes before the old one because detecting the old base searches the new base's
 * repository. A whole index skips the old base (the engine finds each platform's own). Each
 * answer is checked when given, and a problem shows the same step again with the reason. Then,
 * still in the picker, the dry run (planStep), which also settles replacing an existing target.
 * Returns undefined when the user backs out (Escape) or a given value fails.
 */
export async function collectRequest(services: Services, recent: RecentLists, args: RebaseArgs): Promise<CollectedRequest | undefined> {
  const ctx: FlowContext = { services, client: services.client, memo: new FetchMemo() };
  const given: Given = { source: args.source, newBase: args.newBase, oldBase: args.oldBase, target: args.target };
  const platform: 'all' | PlatformSpec | undefined = args.platform === 'all' ? 'all' : args.platform ? parsePlatform(args.platform) : undefined;
  const state: FlowState = { keepUnmatched: Boolean(args.keepUnmatched) };
  const input = new FlowInput(TOTAL_STEPS);
  warmGivenNewBase(ctx, args.newBase, input.signal);
  try {
    let step = 1;
    let targetGiven = false;
    // One more than the steps counted: the dry run, shown as part of step 4.
    while (step <= TOTAL_STEPS + 1) {
      let result: StepResult;
      if (step === 1) {
        const ok = await sourceStep(ctx, input, state, { given: given.source, platform, recent: recent.images.list() });
        given.source = undefined;
        if (!ok) return undefined;
        await recent.images.add(state.sourceName!);
        result = 'next';
      } else if (step === 2) {
        result = await newBaseStep(ctx, input, state, { given: given.newBase, recentBases: recent.bases.list() });
        given.newBase = undefined;
        if (result === 'next') await recent.bases.add(formatReference(state.newBaseRef!));
      } else if (step === 3) {
        // Given, or a whole index (each platform's own is found by the engine): nothing to ask.
        if (given.oldBase !== undefined || state.sourceIndex) {
          state.oldBaseText = given.oldBase;
          result = 'next';
        } else {
          result = await oldBaseStep(ctx, input, state);
        }
      } else if (step === TOTAL_STEPS) {
        targetGiven = given.target !== undefined;
        result = await targetStep(ctx, input, state, { given: given.target });
        given.target = undefined;
      } else {
        result = await planStep(ctx, input, state, { request: requestOf(services, state, args), confirmOverwrite: args.confirmOverwrite, targetGiven });
      }
      if (result === 'stop') return undefined;
      step += result === 'back' ? -1 : 1;
      // Back onto a step that was given or skipped goes on to the one before it.
      if (result === 'back' && step === 3 && (state.sourceIndex || args.oldBase !== undefined)) step = 2;
    }
  } catch (e) {
    if (e instanceof vscode.CancellationError) return undefined;
    throw e;
  } finally {
    input.dispose();
  }

  return {
    request: requestOf(services, state, args),
    prepared: state.prepared!,
    warnings: state.warnings ?? [],
    unchanged: Boolean(state.unchanged),
    discovery: state.discovery,
    existingTargetDigest: state.existingTargetDigest,
    allPlatforms: Boolean(state.sourceIndex),
  };
}

function requestOf(services: Services, state: FlowState, args: RebaseArgs): RebaseRequest {
  return {
    source: state.sourceName!,
    target: state.targetText!,
    newBase: formatReference(state.newBaseRef!),
    oldBase: state.oldBaseText,
    platform: state.sourceIndex || !state.platform ? undefined : formatPlatform(state.platform),
    ...(state.sourceIndex ? { keepUnmatched: state.keepUnmatched } : {}),
    ...((args.keepConfig ?? services.settings.keepConfig) ? { keepConfig: true } : {}),
  };
}
