import { FetchedManifest, ImageIndex } from '../../core/manifest';
import { DiscoveredBase } from '../../core/rebase/discover';
import { PlatformSpec } from '../../core/rebase/fetchImage';
import { ImageDocuments } from '../../core/rebase/plan';
import type { AnyPreparedRebase } from '../../core/rebase/rebase';
import { ImageReference, parseReferenceWithDefaultTag } from '../../core/reference';
import { isUserError } from '../../core/errors';
import { Services } from '../services';
import { speak } from './speak';

export const TOTAL_STEPS = 4;

/** What the steps have settled so far; Back keeps it, so a step shown again starts from it. */
export interface FlowState {
  sourceText?: string;
  sourceRef?: ImageReference;
  source?: ImageDocuments;
  /** Set when every platform of this index is rebased. */
  sourceIndex?: FetchedManifest<ImageIndex>;
  platform?: PlatformSpec;
  /** The platform bases are looked for in (the chosen one, or the source image's own). */
  sourcePlatform?: PlatformSpec;
  sourceName?: string;
  newBaseText?: string;
  newBaseRef?: ImageReference;
  newBase?: ImageDocuments;
  keepUnmatched: boolean;
  oldBaseText?: string;
  discovery?: Pick<DiscoveredBase, 'foundBy' | 'note'>;
  targetText?: string;
  existingTargetDigest?: string;
  /** Why step 4 is shown again after planning: the existing tag was kept, or planning failed. */
  targetNotice?: string;
  /** The dry run of what was asked, made after step 4. */
  prepared?: AnyPreparedRebase;
  /** Warnings found beside the plan (signatures that will not follow the new digest). */
  warnings?: string[];
  /** The target tag already holds exactly the planned image: a push would change nothing. */
  unchanged?: boolean;
}

/** Values the caller gave; a step with one runs without asking until the user goes Back to it. */
export interface Given {
  source?: string;
  newBase?: string;
  oldBase?: string;
  target?: string;
}

export function referenceProblem(value: string): string | undefined {
  try {
    parseReferenceWithDefaultTag(value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function targetProblem(value: string): string | undefined {
  const problem = referenceProblem(value.trim());
  if (problem) return problem;
  return parseReferenceWithDefaultTag(value.trim()).digest ? 'The target must be a tag, not a digest.' : undefined;
}

/** "Rebase Image: <what>", naming the image once it is known. */
export function stepTitle(state: FlowState, what: string): string {
  return state.sourceName ? `Rebase Image: ${what} (rebasing ${state.sourceName})` : `Rebase Image: ${what}`;
}

/**
 * A problem with an answer: told in VS Code's words in the step shown again (and the log, and
 * lastError for tests); the cancellation of the user's own Escape is not a problem.
 */
export function stepProblem(services: Services, e: unknown): string {
  if (!isUserError(e) || e.code === 'cancelled') throw e;
  const message = speak(e.message);
  services.lastError = message;
  services.log.error(message);
  return message;
}
