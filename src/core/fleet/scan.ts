/**
 * `rebase-image scan`: which images of a registry, namespace or repository are on an outdated
 * base. Per tag one manifest read (and an index's image entries); the bases are read once per
 * scan (tags, manifests, and the config of a current base image for its `created`); an image's
 * own config only when its platform is stated nowhere else and a decision needs it.
 */
import { setMaxListeners } from 'node:events';
import { UserError, isUserError } from '../errors';
import { FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { isImageManifestType, isIndexType } from '../mediaTypes';
import { ImageReference, parseReference } from '../reference';
import { RegistryClient } from '../registry/client';
import { isImageManifest } from '../rebase/indexEntries';
import { ProgressListener } from '../rebase/progress';
import { mapLimit } from '../util/concurrency';
import { throwIfCancelled } from '../util/abort';
import { BaseCandidates } from './candidates';
import { JudgeContext, Subject, judge } from './judge';
import { ScanMemo } from './memo';
import { TagWork, expandTargets, parseTarget } from './targets';
import { ScanRequest, ScanResult, ScanSummary } from './types';

export const DEFAULT_SCAN_CONCURRENCY = 16;

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  concurrency?: number;
  /** Shared with a following step (sync) so it does not read the same documents again. */
  memo?: ScanMemo;
}

/** The user's --base arguments: a repository, or one of its tags (never a digest: a pin cannot move). */
export function parseBases(bases: readonly string[]): ImageReference[] {
  return bases.map((text) => {
    let ref: ImageReference;
    try {
      ref = parseReference(text);
    } catch (e) {
      if (isUserError(e)) throw new UserError('usage', e.message);
      throw e;
    }
    if (ref.digest) throw new UserError('usage', `--base ${text} names a digest; name a base repository or tag, whose images are the candidates.`);
    return ref;
  });
}

/** Checks the request without a request to a registry: malformed targets are usage errors. */
export function checkScanRequest(request: ScanRequest): void {
  if (request.targets.length === 0) throw new UserError('usage', 'Name at least one TARGET to scan: a registry, namespace, repository or image.');
  request.targets.forEach(parseTarget);
  parseBases(request.bases ?? []);
  if (request.maxTags !== undefined && (!Number.isSafeInteger(request.maxTags) || request.maxTags < 1)) {
    throw new UserError('usage', '--max-tags takes a whole number of at least 1.');
  }
}

function failed(w: TagWork, message: string, image = 'image' in w ? w.image : `${w.repo.registry}/${w.repo.repository}`): ScanResult {
  return { image, digest: null, platform: null, base: null, current: null, status: 'error', error: message, note: null, source: { repo: w.repo, tag: 'tag' in w ? w.tag : undefined } };
}

/** Every image one tag stands for (each platform of an index), judged. */
async function scanTag(ctx: JudgeContext, w: TagWork, skip: () => void): Promise<ScanResult[]> {
  if ('failure' in w) return [failed(w, w.failure)];
  let top: FetchedManifest;
  try {
    top = await ctx.memo.manifest(ctx.client, w.repo, w.reference, ctx.signal);
  } catch (e) {
    if (isUserError(e) && e.code !== 'cancelled') return [failed(w, e.message)];
    throw e;
  }
  const subjects: Subject[] = [];
  if (isIndexType(top.mediaType)) {
    try {
      for (const child of await ctx.memo.children(ctx.client, w.repo, top, ctx.signal)) {
        subjects.push({ image: w.image, repo: w.repo, tag: w.tag, manifest: child.manifest, descriptor: child.descriptor, index: top as FetchedManifest<ImageIndex> });
      }
    } catch (e) {
      if (isUserError(e) && e.code !== 'cancelled') return [failed(w, e.message)];
      throw e;
    }
  } else if (isImageManifestType(top.mediaType) && isImageManifest(top.manifest as ImageManifest)) {
    subjects.push({ image: w.image, repo: w.repo, tag: w.tag, manifest: top as FetchedManifest<ImageManifest> });
  }
  if (subjects.length === 0) {
    skip();
    return [];
  }
  const out: ScanResult[] = [];
  for (const s of subjects) out.push(await judge(ctx, s));
  return out;
}

export async function scanImages(client: RegistryClient, request: ScanRequest, opts: ScanOptions = {}): Promise<ScanSummary> {
  checkScanRequest(request);
  const { signal } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  const concurrency = opts.concurrency ?? DEFAULT_SCAN_CONCURRENCY;
  // Every request in flight listens to the one signal; past ten Node warns of a leak that is not one.
  if (signal) setMaxListeners(Math.max(64, concurrency * 8), signal);
  const memo = opts.memo ?? new ScanMemo();
  const bases = new BaseCandidates(parseBases(request.bases ?? []));
  const notices: string[] = [];

  if (bases.size) {
    progress({ message: `Reading the tags of ${bases.size} base ${bases.size === 1 ? 'repository' : 'repositories'}` });
    await bases.load(client, memo, concurrency, signal);
    notices.push(...bases.notices);
  }
  throwIfCancelled(signal);
  progress({ message: 'Listing the images to scan' });
  const work = await expandTargets(client, request.targets.map(parseTarget), {
    tags: request.tags,
    maxTags: request.maxTags,
    concurrency,
    exclude: (repo) => bases.isBaseRepository(repo),
    signal,
    notice: (line) => notices.push(line),
  });

  const ctx: JudgeContext = { client, memo, bases, signal };
  let skipped = 0;
  let done = 0;
  // A line per tenth is enough for a terminal; the counts let a UI draw a bar.
  const every = Math.max(1, Math.ceil(work.length / 10));
  progress({ message: `Scanning ${work.length} ${work.length === 1 ? 'tag' : 'tags'}`, done: 0, total: work.length });
  const perTag = await mapLimit(work, concurrency, async (w) => {
    throwIfCancelled(signal);
    const rows = await scanTag(ctx, w, () => skipped++);
    done++;
    if (done % every === 0 || done === work.length) progress({ message: `Scanned ${done} of ${work.length} tags`, done, total: work.length });
    return rows;
  });
  return { results: perTag.flat(), skipped, notices };
}
