import { UserError, isUserError } from '../errors';
import { FetchedManifest, ImageIndex } from '../manifest';
import { isIndexType } from '../mediaTypes';
import { ImageReference, formatReference, parseReferenceWithDefaultTag } from '../reference';
import { RegistryClient } from '../registry/client';
import { mapLimit } from '../util/concurrency';
import { throwIfCancelled } from '../util/abort';
import { DiscoveredBase, discoverOldBase } from './discover';
import { FetchMemo, PlatformSpec, fetchImage, formatPlatform, parsePlatform, platformOf, repoOf } from './fetchImage';
import { looksLikeImageEntry } from './indexEntries';
import { entryPlatform, matchIndexChildren, refuseUnmatched } from './indexPlatforms';
import { ImageDocuments, RebasePlan, planRebase } from './plan';
import { ChildOldBase, IndexRebasePlan, IndexSource, planIndexRebase } from './planIndex';
import { PlatformLike, formatPlatformLike, platformAccepts } from './platformMatch';
import { alreadyOnBase, isAlreadyOnBase, refuseAppLayersInNewBase, refuseSourceAsNewBase, sourceAsNewBase } from './refusals';
import { ProgressListener } from './progress';
import { fetchBaseImages, fetchIndexEntries, fetchNewBase } from './fetchBases';
import { IndexPushResult, PushResult, pushIndexPlan, pushPlan } from './push';

/** What a user asks for, as strings, exactly as the CLI and the extension receive it. */
export interface RebaseRequest {
  source: string;
  target: string;
  newBase: string;
  oldBase?: string;
  /** os/arch[/variant]: which image of a multi-platform source to rebase. */
  platform?: string;
  /** Index sources: keep images without a matching new base unchanged instead of refusing. */
  keepUnmatched?: boolean;
  /** Keep the app's container settings as they are instead of merging them onto the new base. */
  keepConfig?: boolean;
}

export interface PreparedRebase {
  /** Absent in values made before index rebases existed; 'image' otherwise. */
  kind?: 'image';
  plan: RebasePlan;
  oldBase: Pick<DiscoveredBase, 'foundBy' | 'note'>;
}

/** A prepared rebase of every platform of an index (old bases are per child, in the plan). */
export interface PreparedIndexRebase {
  kind: 'index';
  plan: IndexRebasePlan;
}

export type AnyPreparedRebase = PreparedRebase | PreparedIndexRebase;

export function isIndexRebase(p: AnyPreparedRebase): p is PreparedIndexRebase {
  return p.kind === 'index';
}

export interface RebaseOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Documents the caller already fetched for this request (the extension's steps): read once. */
  memo?: FetchMemo;
}

interface ParsedRequest {
  source: ImageReference;
  target: ImageReference & { tag: string };
  newBase: ImageReference;
  oldBase?: ImageReference;
  platform?: PlatformSpec;
  keepUnmatched: boolean;
  keepConfig: boolean;
}

export function parseRequest(req: RebaseRequest): ParsedRequest {
  const target = parseReferenceWithDefaultTag(req.target);
  if (target.digest) {
    throw new UserError('usage', `The target "${req.target}" names a digest; give a tag to push to instead, e.g. ${formatReference({ ...target, digest: undefined, tag: 'rebased' })}.`);
  }
  return {
    source: parseReferenceWithDefaultTag(req.source),
    target: target as ImageReference & { tag: string },
    newBase: parseReferenceWithDefaultTag(req.newBase),
    oldBase: req.oldBase !== undefined ? parseReferenceWithDefaultTag(req.oldBase) : undefined,
    platform: req.platform ? parsePlatform(req.platform) : undefined,
    keepUnmatched: Boolean(req.keepUnmatched),
    keepConfig: Boolean(req.keepConfig),
  };
}

/**
 * Fetches the three images, finds the old base if needed and plans the rebase of one image.
 * Writes nothing: this is the dry run, and the first half of every real run. A multi-platform
 * source needs `platform` here (or has a single image); prepareAnyRebase rebases every platform.
 */
export async function prepareRebase(client: RegistryClient, req: RebaseRequest, opts: RebaseOptions = {}): Promise<PreparedRebase> {
  return prepareImage(client, parseRequest(req), opts, opts.memo ?? new FetchMemo());
}

/**
 * Like prepareRebase, but a multi-platform source given without `platform` is rebased as a whole:
 * every platform onto the new base's image of the same platform, and a new index.
 */
export async function prepareAnyRebase(client: RegistryClient, req: RebaseRequest, opts: RebaseOptions = {}): Promise<AnyPreparedRebase> {
  const p = parseRequest(req);
  const memo = opts.memo ?? new FetchMemo();
  if (p.platform) return prepareImage(client, p, opts, memo);
  client.preparePush(repoOf(p.target));
  opts.onProgress?.({ message: `Retrieving information about source image ${formatReference(p.source)}` });
  const top = await memo.manifest(client, repoOf(p.source), p.source.digest ?? p.source.tag ?? 'latest', opts.signal);
  if (!isIndexType(top.mediaType)) return prepareImage(client, p, opts, memo, true);
  return prepareIndex(client, p, top as FetchedManifest<ImageIndex>, opts, memo);
}

async function prepareImage(client: RegistryClient, p: ParsedRequest, opts: RebaseOptions, memo: FetchMemo, announced = false): Promise<PreparedRebase> {
  const { signal, onProgress } = opts;
  // Asking for push access up front makes the first token cover the whole run.
  client.preparePush(repoOf(p.target));

  if (!announced) onProgress?.({ message: `Retrieving information about source image ${formatReference(p.source)}` });
  const source = await fetchImage(client, p.source, p.platform, signal, memo);
  // The bases are looked up for the source's platform; Windows adds its os.version (same build).
  const own = platformOf(source.config);
  const platform: PlatformSpec = p.platform ? { ...p.platform, ...(own['os.version'] ? { 'os.version': own['os.version'] } : {}) } : own;

  // New and old base depend only on the source: both are looked up at once.
  throwIfCancelled(signal);
  onProgress?.({ message: `Retrieving information about new base image ${formatReference(p.newBase)}` });
  const newBaseP = fetchNewBase(client, p.newBase, { ...platform, osVersionRule: 'newest' }, signal, memo).then((nb) => (refuseSourceAsNewBase(source, nb), nb));
  let oldBaseP: Promise<DiscoveredBase>;
  if (p.oldBase) {
    const ref = p.oldBase;
    onProgress?.({ message: `Retrieving information about old base image ${formatReference(ref)}` });
    oldBaseP = fetchImage(client, ref, { ...platform, osVersionRule: 'exact' }, signal, memo).then((docs) => ({ docs, foundBy: 'argument' as const, note: `Old base ${formatReference(ref)} as given.` }));
  } else {
    onProgress?.({ message: 'Looking for the old base image' });
    oldBaseP = discoverOldBase(client, source, p.newBase, platform, { signal, memo }).then((found) => (onProgress?.({ message: found.note }), found));
  }
  // Both settle before either error is reported, and the new base's is reported first, as before.
  const [nb, ob] = await Promise.allSettled([newBaseP, oldBaseP]);
  if (nb.status === 'rejected') throw nb.reason;
  if (ob.status === 'rejected') throw ob.reason;
  const newBase = nb.value;
  const oldBase = ob.value;
  refuseAppLayersInNewBase(source, oldBase.docs, newBase);
  if (isAlreadyOnBase(oldBase.docs, newBase)) {
    throw alreadyOnBase(source.reference, { reference: newBase.reference, digest: newBase.resolvedDigest ?? newBase.manifest.digest });
  }

  onProgress?.({ message: 'Rebasing image' });
  const plan = planRebase({
    source,
    oldBase: oldBase.docs,
    newBase,
    target: { reference: formatReference(p.target), repo: repoOf(p.target), tag: p.target.tag },
    keepConfig: p.keepConfig,
  });
  return { kind: 'image', plan, oldBase: { foundBy: oldBase.foundBy, note: oldBase.note } };
}

const FETCH_CONCURRENCY = 8;

export { fetchBaseImages, fetchIndexEntries };

async function prepareIndex(
  client: RegistryClient,
  p: ParsedRequest,
  top: FetchedManifest<ImageIndex>,
  opts: RebaseOptions,
  memo: FetchMemo,
): Promise<PreparedIndexRebase> {
  const { signal, onProgress } = opts;
  const repo = repoOf(p.source);

  // 1. Every entry of the source: images with their configs; the others' manifests, when readable.
  //    The bases' images for the platforms the index lists are fetched meanwhile (into the memo).
  const source: IndexSource = { reference: formatReference(p.source), repo, index: top, images: new Map(), others: new Map() };
  const entries = top.manifest.manifests ?? [];
  const listed = entries.filter(looksLikeImageEntry).map((d) => d.platform);
  const wanted = listed.every(Boolean) ? (listed as PlatformLike[]) : undefined;
  onProgress?.({ message: `Retrieving information about new base image ${formatReference(p.newBase)}` });
  const newBaseP = fetchBaseImages(client, p.newBase, wanted, memo, signal);
  const oldBaseP = p.oldBase ? fetchBaseImages(client, p.oldBase, wanted, memo, signal) : undefined;
  newBaseP.catch(() => undefined);
  oldBaseP?.catch(() => undefined);
  await fetchIndexEntries(client, source, memo, signal);
  if (source.images.size === 0) {
    throw new UserError('unsupported', `${source.reference} is an index without any image in it, so there is nothing to rebase.`);
  }
  const platforms = entries.filter((d) => source.images.has(d.digest)).map((d) => formatPlatformLike(entryPlatform(d, source.images.get(d.digest)!.config)));
  onProgress?.({ message: `${source.reference} is a multi-platform image: ${platforms.join(', ')}` });

  // 2. The new base: an index (its images for the source's platforms) or one image.
  throwIfCancelled(signal);
  // (Without platforms in every entry, `wanted` was undefined and all of the base's images were read.)
  const newBase = await newBaseP;
  if (oldBaseP) await oldBaseP;
  if (newBase.digest === top.digest) throw sourceAsNewBase(source.reference, newBase.reference);

  // 3. Match, refuse early if a platform has no new base, then the old base of each matched image.
  const matches = matchIndexChildren(source, newBase);
  if (!p.keepUnmatched) refuseUnmatched(source.reference, matches);
  const matched = matches.filter((m) => m.result.matched);
  for (const m of matched) {
    const base = m.result.matched ? m.result.base.docs : undefined;
    if (base) forPlatform(m.platform, () => refuseSourceAsNewBase(m.docs, base));
  }
  throwIfCancelled(signal);
  onProgress?.({ message: p.oldBase ? `Retrieving information about old base image ${formatReference(p.oldBase)}` : 'Looking for the old base of each platform' });
  const oldBases = new Map<string, ChildOldBase>();
  await mapLimit(matched, FETCH_CONCURRENCY, async (m) => {
    const label = formatPlatformLike(m.platform);
    const spec: PlatformSpec = { os: m.platform.os, architecture: m.platform.architecture, variant: m.platform.variant, 'os.version': m.platform['os.version'] };
    const labelled = (e: unknown) => (isUserError(e) && e.code !== 'cancelled' ? new UserError(e.code, `${label}: ${e.message}`, e.detail) : e);
    if (p.oldBase) {
      const docs = await fetchImage(client, p.oldBase, { ...spec, osVersionRule: 'exact' }, signal, memo).catch((e) => Promise.reject(labelled(e)));
      if (!platformAccepts(spec, docs.config)) {
        throw new UserError(
          'platform',
          `The old base ${formatReference(p.oldBase)} is ${formatPlatform(docs.config)} only, but ${source.reference} also has ${formatPlatform(spec)}; give a multi-platform old base, or leave -s out to find the old base of each platform.`,
        );
      }
      oldBases.set(m.descriptor.digest, { docs, foundBy: 'argument', note: `Old base ${formatReference(p.oldBase)} as given.` });
    } else {
      const found = await discoverOldBase(client, m.docs, p.newBase, spec, { signal, memo, sourceIndex: top }).catch((e) => Promise.reject(labelled(e)));
      oldBases.set(m.descriptor.digest, found);
      onProgress?.({ message: `${label}: ${found.note}` });
    }
  });

  let onBase = 0;
  for (const m of matched) {
    const base = m.result.matched ? m.result.base.docs : undefined;
    const old = oldBases.get(m.descriptor.digest);
    if (!base || !old) continue;
    forPlatform(m.platform, () => refuseAppLayersInNewBase(m.docs, old.docs, base));
    if (isAlreadyOnBase(old.docs, base)) onBase++;
  }
  if (matched.length > 0 && onBase === matched.length) throw alreadyOnBase(source.reference, { reference: newBase.reference, digest: newBase.digest }, true);

  onProgress?.({ message: `Rebasing ${matched.length} image(s)` });
  const plan = planIndexRebase({
    source,
    newBase,
    oldBases,
    target: { reference: formatReference(p.target), repo: repoOf(p.target), tag: p.target.tag },
    keepUnmatched: p.keepUnmatched,
    keepConfig: p.keepConfig,
  });
  return { kind: 'index', plan };
}

/** A refusal about one platform of an index says which. */
function forPlatform(platform: PlatformLike, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (isUserError(e)) throw new UserError(e.code, `${formatPlatformLike(platform)}: ${e.message}`, e.detail);
    throw e;
  }
}

export async function executeRebase(client: RegistryClient, prepared: PreparedRebase, opts?: RebaseOptions): Promise<PushResult>;
export async function executeRebase(client: RegistryClient, prepared: PreparedIndexRebase, opts?: RebaseOptions): Promise<IndexPushResult>;
export async function executeRebase(client: RegistryClient, prepared: AnyPreparedRebase, opts?: RebaseOptions): Promise<PushResult | IndexPushResult>;
export async function executeRebase(client: RegistryClient, prepared: AnyPreparedRebase, opts: RebaseOptions = {}): Promise<PushResult | IndexPushResult> {
  const result = isIndexRebase(prepared) ? await pushIndexPlan(client, prepared.plan, opts) : await pushPlan(client, prepared.plan, opts);
  opts.onProgress?.({ message: 'Done.' });
  return result;
}

export type { ImageDocuments };

/** One rebased child of an index as a single-image prepared rebase (for previewModel and planToJson). */
export function preparedChild(child: IndexRebasePlan['children'][number]): PreparedRebase {
  return { kind: 'image', plan: child.plan, oldBase: child.oldBase };
}
