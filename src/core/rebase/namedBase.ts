import { isUserError } from '../errors';
import { ImageReference, formatReference } from '../reference';
import { RegistryClient } from '../registry/client';
import { identityOf, sameBase } from './baseIdentity';
import { FetchMemo, PlatformSpec, fetchImage, repoOf } from './fetchImage';
import { ImageDocuments } from './plan';

/** What a recorded base (annotation, provenance) resolves to now. */
export interface NamedBase {
  docs: ImageDocuments;
  /** How the tag relates to the recorded digest, as words for the user; empty when it still matches. */
  tagNote: string;
}

/**
 * Fetches a base as recorded in an image: a name (usually with a tag) and the digest it had when
 * the image was built. The recorded digest decides which image it is, since the tag may have
 * moved since; the image is then shown by its tag when the tag still points to that base (the
 * index or one of its platform images), and by tag and digest with a note when it does not.
 */
export async function resolveNamedBase(
  client: RegistryClient,
  name: ImageReference,
  recordedDigest: string | undefined,
  platform: PlatformSpec,
  signal: AbortSignal | undefined,
  memo: FetchMemo,
): Promise<NamedBase> {
  const exact: PlatformSpec = { ...platform, osVersionRule: 'exact' };
  const pinned = recordedDigest ?? name.digest;
  const tagged: ImageReference | undefined = name.tag ? { registry: name.registry, repository: name.repository, tag: name.tag } : undefined;
  if (!pinned) {
    const docs = await fetchImage(client, tagged ?? name, exact, signal, memo);
    return { docs, tagNote: '' };
  }
  const byDigest: ImageReference = { registry: name.registry, repository: name.repository, digest: pinned };
  const docs = await fetchImage(client, byDigest, exact, signal, memo);
  if (!tagged) return { docs, tagNote: '' };

  const repo = repoOf(name);
  let now;
  try {
    now = await memo.manifest(client, repo, tagged.tag!, signal);
  } catch (e) {
    if (!isUserError(e) || e.code === 'cancelled' || e.code === 'unreachable') throw e;
    docs.reference = formatReference({ ...tagged, digest: pinned });
    return { docs, tagNote: e.code === 'not-found' ? 'the tag no longer exists' : '' };
  }
  // Already in the memo: fetchImage read it to resolve the platform.
  const recorded = await memo.manifest(client, repo, pinned, signal);
  if (sameBase(identityOf(recorded), identityOf(now))) {
    docs.reference = formatReference(tagged);
    return { docs, tagNote: '' };
  }
  docs.reference = formatReference({ ...tagged, digest: pinned });
  return { docs, tagNote: `the tag has moved since and now points to ${now.digest}` };
}
