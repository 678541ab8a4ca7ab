import { UserError, isUserError } from '../../core/errors';
import { FetchedManifest, ImageIndex } from '../../core/manifest';
import { FetchMemo, repoOf } from '../../core/rebase/fetchImage';
import { matchIndexChildren, refuseUnmatched } from '../../core/rebase/indexPlatforms';
import { IndexSource } from '../../core/rebase/planIndex';
import { formatPlatformLike } from '../../core/rebase/platformMatch';
import { fetchBaseImages, fetchIndexEntries } from '../../core/rebase/rebase';
import { ImageReference, formatReference } from '../../core/reference';
import { RegistryClient } from '../../core/registry/client';

export interface IndexBaseCheck {
  /** The engine's refusal (the sentence it would stop the rebase with), when a platform has no new base. */
  problem?: UserError;
  /** How many images of the source have a new base. */
  matched: number;
  /** Platforms of the source without one, formatted. */
  unmatched: string[];
}

/**
 * Step 2 of the flow for a whole index: matches every image of the source with the new base's
 * image of its platform, by the engine's rules (matchIndexChildren), without planning anything.
 * Entries the engine would not treat as images, or cannot read, are left to the engine to report.
 */
export async function checkIndexNewBase(
  client: RegistryClient,
  sourceRef: ImageReference,
  index: FetchedManifest<ImageIndex>,
  newBaseRef: ImageReference,
  memo = new FetchMemo(),
  signal?: AbortSignal,
): Promise<IndexBaseCheck> {
  const repo = repoOf(sourceRef);
  const source: IndexSource = { reference: formatReference(sourceRef), repo, index, images: new Map(), others: new Map() };
  // The engine's own readers, so the check sees the images exactly as the rebase will.
  const [, newBase] = await Promise.all([fetchIndexEntries(client, source, memo, signal), fetchBaseImages(client, newBaseRef, undefined, memo, signal)]);
  const matches = matchIndexChildren(source, newBase);
  const unmatched = matches.filter((m) => !m.result.matched);
  let problem: UserError | undefined;
  try {
    refuseUnmatched(source.reference, matches);
  } catch (e) {
    if (!isUserError(e)) throw e;
    problem = e;
  }
  return { problem, matched: matches.length - unmatched.length, unmatched: unmatched.map((m) => formatPlatformLike(m.platform)) };
}
