import { UserError, isUserError } from '../errors';
import { isDigest } from '../digest';
import { ANNOTATION_BASE_DIGEST, ANNOTATION_BASE_NAME, FetchedManifest, ImageIndex } from '../manifest';
import { ImageReference, formatReference, parseReference, repositoryName, withDigest, withTag } from '../reference';
import { RegistryClient } from '../registry/client';
import { mapLimit } from '../util/concurrency';
import { throwIfCancelled } from '../util/abort';
import { basePrefixLength } from './baseIdentity';
import { fromProvenance } from './discoverProvenance';
import { FetchMemo, PlatformSpec, fetchImage, resolveManifest } from './fetchImage';
import { resolveNamedBase } from './namedBase';
import { ImageDocuments } from './plan';

export type OldBaseSource = 'argument' | 'annotation' | 'provenance' | 'search';

export interface DiscoveredBase {
  docs: ImageDocuments;
  foundBy: OldBaseSource;
  /** One sentence on how the base was found, for the user. */
  note: string;
}

export interface DiscoverOptions {
  signal?: AbortSignal;
  /** Shares fetches between the discoveries of one operation (one per platform of an index). */
  memo?: FetchMemo;
  /** The index the source image is an entry of, when the caller has it: its attestations are read. */
  sourceIndex?: FetchedManifest<ImageIndex>;
}

/**
 * Finds the image the source was built on, when the user did not say: first from the OCI base
 * annotations, then from a BuildKit provenance attestation, then by looking for the tag of the
 * new base's repository whose layers are the longest prefix of the source's. Refuses with a
 * request for -s when none works.
 */
export async function discoverOldBase(
  client: RegistryClient,
  source: ImageDocuments,
  newBase: ImageReference,
  platform: PlatformSpec,
  opts: DiscoverOptions = {},
): Promise<DiscoveredBase> {
  const memo = opts.memo ?? new FetchMemo();
  const fromAnnotation = await fromAnnotations(client, source, platform, opts.signal, memo);
  if (fromAnnotation) return fromAnnotation;
  throwIfCancelled(opts.signal);
  const provenance = await fromProvenance(client, source, platform, { signal: opts.signal, memo, sourceIndex: opts.sourceIndex });
  if (provenance) {
    const { base, version } = provenance;
    const moved = base.tagNote ? `; ${base.tagNote}` : '';
    return { docs: base.docs, foundBy: 'provenance', note: `Old base ${base.docs.reference} (from the image's SLSA ${version} provenance attestation${moved}).` };
  }
  throwIfCancelled(opts.signal);
  const fromSearch = await searchRepository(client, source, newBase, platform, { ...opts, memo });
  if (fromSearch) return fromSearch;
  throw new UserError(
    'not-based-on',
    `Could not tell which image ${source.reference} was built on: it has no base annotations and no tag of ${repositoryName(newBase)} matches its lower layers; name the old base with -s.`,
  );
}

async function fromAnnotations(
  client: RegistryClient,
  source: ImageDocuments,
  platform: PlatformSpec,
  signal: AbortSignal | undefined,
  memo: FetchMemo,
): Promise<DiscoveredBase | undefined> {
  const ann = source.manifest.manifest.annotations ?? {};
  const name = ann[ANNOTATION_BASE_NAME];
  const digest = ann[ANNOTATION_BASE_DIGEST];
  if (!name) return undefined;
  let ref: ImageReference;
  try {
    ref = parseReference(name);
  } catch {
    return undefined; // a malformed annotation is not the user's fault; fall back to searching
  }
  if (digest !== undefined && !isDigest(digest)) return undefined;
  try {
    // The digest is the index's when the base is multi-platform (crane, ko, this tool) or one
    // platform image's (older tools): either resolves to this platform's image.
    const { docs, tagNote } = await resolveNamedBase(client, ref, digest, platform, signal, memo);
    if (basePrefixLength(source.manifest.manifest, docs.manifest.manifest) === 0) return undefined;
    const moved = tagNote ? `; ${tagNote}` : '';
    return { docs, foundBy: 'annotation', note: `Old base ${docs.reference} (from the image's ${ANNOTATION_BASE_NAME} annotation${moved}).` };
  } catch (e) {
    // The annotated base may have been deleted or be private; searching may still find it.
    if (isUserError(e) && e.code !== 'cancelled' && e.code !== 'unreachable') return undefined;
    throw e;
  }
}

/** Most tags of the new base's repository a layer search inspects. */
const SEARCH_TAG_LIMIT = 200;

/** The tag list a layer search of `newBase`'s repository begins with: one more tells it was cut. */
function searchTags(client: RegistryClient, newBase: ImageReference, memo: FetchMemo, signal?: AbortSignal): Promise<string[]> {
  return memo.tags(client, { registry: newBase.registry, repository: newBase.repository }, SEARCH_TAG_LIMIT + 1, signal);
}

/**
 * Starts reading the tag list that a layer search of `newBase`'s repository begins with, into
 * `memo`, so the search does not wait for it when it comes to that step.
 */
export function warmRepositorySearch(client: RegistryClient, newBase: ImageReference, memo: FetchMemo, signal?: AbortSignal): void {
  searchTags(client, newBase, memo, signal).catch(() => undefined);
}

async function searchRepository(
  client: RegistryClient,
  source: ImageDocuments,
  newBase: ImageReference,
  platform: PlatformSpec,
  opts: DiscoverOptions & { memo: FetchMemo },
): Promise<DiscoveredBase | undefined> {
  const limit = SEARCH_TAG_LIMIT;
  const tags = await searchTags(client, newBase, opts.memo, opts.signal);
  const exact: PlatformSpec = { ...platform, osVersionRule: 'exact' };
  const searched = tags.slice(0, limit);
  const candidates = await mapLimit(searched, 8, async (tag) => {
    try {
      const m = await resolveManifest(client, withTag(newBase, tag), exact, opts.signal, opts.memo);
      return { tag, digest: m.digest, length: basePrefixLength(source.manifest.manifest, m.manifest) };
    } catch (e) {
      // Tags for other platforms or artifacts are simply not candidates.
      if (isUserError(e) && (e.code === 'platform' || e.code === 'unsupported' || e.code === 'not-found')) return { tag, digest: '', length: 0 };
      throw e;
    }
  });
  const best = candidates.reduce((a, b) => (b.length > a.length ? b : a), { tag: '', digest: '', length: 0 });
  if (best.length === 0) return undefined;
  const sameDigest = candidates.filter((c) => c.digest === best.digest).map((c) => c.tag);
  const ref = withDigest(withTag(newBase, best.tag), best.digest);
  const docs = await fetchImage(client, ref, exact, opts.signal, opts.memo);
  docs.reference = formatReference(withTag(newBase, best.tag));
  const also = sameDigest.length > 1 ? ` (also tagged ${sameDigest.filter((t) => t !== best.tag).join(', ')})` : '';
  const bounded = tags.length > limit ? ` Only the first ${limit} tags were searched.` : '';
  return {
    docs,
    foundBy: 'search',
    note: `Old base detected as ${docs.reference}${also}: its ${best.length} layers are the longest match with the image's lower layers.${bounded}`,
  };
}
