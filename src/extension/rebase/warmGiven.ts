import { warmRepositorySearch } from '../../core/rebase/discover';
import { warmImage } from '../../core/rebase/fetchImage';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { FlowContext } from './offers';
import { isShortName } from './shortName';

/**
 * A new base given ahead (the CodeLens, tests) is read while the first step reads the image, and
 * so is the tag list the old-base search starts from: on a far registry each step would otherwise
 * wait its turn for documents it could have had at once. A short name is left alone: which
 * registry it means is settled at its step, and guessing would ask Docker Hub for nothing.
 */
export function warmGivenNewBase(ctx: FlowContext, newBase: string | undefined, signal: AbortSignal): void {
  const text = newBase?.trim();
  if (!text || isShortName(text)) return;
  let ref;
  try {
    ref = parseReferenceWithDefaultTag(text);
  } catch {
    return; // its step says what is wrong with it
  }
  warmImage(ctx.client, ref, ctx.memo, signal);
  warmRepositorySearch(ctx.client, ref, ctx.memo, signal);
}
