/**
 * Fan-out of the plain rebase (the original tool's "provide your app for all available Windows
 * Update layers"): one SOURCE onto several new bases, each to its own tag named by a -t template
 * with {base.tag}. Each target is a separate rebase, so a separate atomic push.
 */
import { UserError } from '../core/errors';
import { parseReferenceWithDefaultTag } from '../core/reference';

export const BASE_TAG = '{base.tag}';

export interface FanOutTarget {
  newBase: string;
  target: string;
}

/**
 * The (new base, target) pairs for -b NEWBASE... and -t TARGET. Several bases need {base.tag} in
 * TARGET, else every rebase would overwrite the same tag; one base with it is filled in too.
 */
export function fanOutTargets(target: string, newBases: readonly string[]): FanOutTarget[] {
  const templated = target.includes(BASE_TAG);
  if (newBases.length > 1 && !templated) {
    throw new UserError('usage', `-b is given ${newBases.length} times, but -t ${target} has no ${BASE_TAG}, so every rebase would push to the same tag; name the targets with it, e.g. -t 'app:1-${BASE_TAG}'.`);
  }
  if (!templated) return newBases.map((newBase) => ({ newBase, target }));
  const pairs = newBases.map((newBase) => {
    const ref = parseReferenceWithDefaultTag(newBase);
    if (!ref.tag) throw new UserError('usage', `-b ${newBase} names no tag, so ${BASE_TAG} in -t cannot be filled in; name the base by tag.`);
    return { newBase, target: target.split(BASE_TAG).join(ref.tag) };
  });
  const seen = new Set<string>();
  for (const p of pairs) {
    if (seen.has(p.target)) throw new UserError('usage', `Two of the -b bases make the same target ${p.target}; give each base once, with different tags.`);
    seen.add(p.target);
  }
  return pairs;
}
