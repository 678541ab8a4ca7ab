import { setMaxListeners } from 'node:events';
import { Readable } from 'node:stream';
import { UserError, cancelledError, isUserError } from '../errors';
import { shortDigest } from '../digest';
import { RegistryClient, RepositoryName, display } from '../registry/client';
import { withWholeRetry } from '../registry/recovery';
import { mapLimit } from '../util/concurrency';
import { throwIfCancelled } from '../util/abort';
import { RebasePlan, RequiredBlob } from './plan';
import { ProgressEvent, ProgressListener } from './progress';
import type { IndexRebasePlan, ManifestCopy } from './planIndex';

export interface PushOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Blob requests in flight at once. */
  concurrency?: number;
  /** Lets a client other than the one that fetched the sources write the target (tests, UIs). */
  sourceClient?: RegistryClient;
}

export interface PushResult {
  reference: string;
  digest: string;
  /** How each required layer got into the target repository. */
  present: number;
  mounted: number;
  copied: number;
  bytesCopied: number;
}

type BlobOutcome = 'present' | 'mounted' | 'copied';

/**
 * Blob outcomes shared by the pushes of one operation: children of an index often have layers in
 * common (a COPY of the same files on every platform), and each is made present once.
 */
export type BlobMemo = Map<string, Promise<BlobOutcome>>;

export interface PushPlanOptions extends PushOptions {
  /** PUT the manifest by its digest instead of the target tag (children of an index). */
  byDigest?: boolean;
  blobMemo?: BlobMemo;
}

/**
 * Writes a plan to the registry. Order is the safety guarantee: every blob is confirmed in the
 * target repository first, the config next, and the manifest PUT comes last, so a failure or a
 * cancel at any point before it leaves the target tag as it was.
 */
export async function pushPlan(client: RegistryClient, plan: RebasePlan, opts: PushPlanOptions = {}): Promise<PushResult> {
  const { signal, onProgress } = opts;
  const target = plan.target.repo;
  client.preparePush(target);

  const result: PushResult = { reference: plan.target.reference, digest: plan.newManifestDigest, present: 0, mounted: 0, copied: 0, bytesCopied: 0 };
  onProgress?.({ message: `Pushing target image ${plan.target.reference}`, done: 0, total: plan.requiredBlobs.length });
  // The config goes up while the layers are made present: it depends on none of them, and only
  // the manifest PUT below must wait for both.
  const config = (async () => {
    throwIfCancelled(signal);
    onProgress?.({ message: 'Uploading config' });
    await client.uploadBlob(target, plan.newConfigDigest, plan.newConfigBytes, signal);
  })();
  const [layers, uploaded] = await Promise.allSettled([ensureBlobs(client, target, plan.requiredBlobs, result, opts), config]);
  if (layers.status === 'rejected') throw layers.reason;
  if (uploaded.status === 'rejected') throw uploaded.reason;

  throwIfCancelled(signal);
  onProgress?.({ message: `Pushing manifest ${plan.newManifestDigest}` });
  const reference = opts.byDigest ? plan.newManifestDigest : plan.target.tag;
  result.digest = await client.putManifest(target, reference, plan.newManifestBytes, plan.newManifestMediaType, signal);
  return result;
}

/**
 * Makes every blob present in the target repository, counting how into `result`. One blob per
 * source repository goes first: each needs its own token scope, and fetching it once before the
 * crowd arrives saves a token request per concurrent blob.
 */
async function ensureBlobs(client: RegistryClient, target: RepositoryName, blobs: RequiredBlob[], result: Omit<PushResult, 'reference' | 'digest'>, opts: PushPlanOptions): Promise<void> {
  const { signal, onProgress } = opts;
  const total = blobs.length;
  let done = 0;
  const ensure = async (blob: RequiredBlob) => {
    throwIfCancelled(signal);
    const key = `${display(target)}@${blob.descriptor.digest}`;
    let outcome: BlobOutcome;
    const shared = opts.blobMemo?.get(key);
    if (shared) {
      await shared;
      outcome = 'present';
    } else {
      const p = ensureBlob(client, target, blob, signal);
      opts.blobMemo?.set(key, p);
      p.catch(() => opts.blobMemo?.delete(key));
      outcome = await p;
    }
    result[outcome]++;
    if (outcome === 'copied') result.bytesCopied += blob.descriptor.size;
    done++;
    onProgress?.({ message: `Layer ${shortDigest(blob.descriptor.digest)} ${outcome}`, done, total });
  };
  const firsts = new Map<string, RequiredBlob>();
  for (const b of blobs) if (!firsts.has(display(b.from))) firsts.set(display(b.from), b);
  const concurrency = opts.concurrency ?? 8;
  await mapLimit([...firsts.values()], concurrency, ensure);
  const firstSet = new Set(firsts.values());
  await mapLimit(blobs.filter((b) => !firstSet.has(b)), concurrency, ensure);
}

export interface CopyResult {
  digest: string;
  present: number;
  mounted: number;
  copied: number;
  bytesCopied: number;
}

/**
 * Makes a manifest that lives in another repository present in the target, by digest: its blobs
 * are mounted (or copied across registries) and the same bytes PUT, so the digest is unchanged.
 * A manifest cannot be mounted; this is how an index gets children from other repositories.
 * Foreign layers are never in `copy.blobs`: they stay references to their urls.
 */
export async function copyManifest(client: RegistryClient, target: RepositoryName, copy: ManifestCopy, opts: PushPlanOptions = {}): Promise<CopyResult> {
  client.preparePush(target);
  const result: CopyResult = { digest: copy.digest, present: 0, mounted: 0, copied: 0, bytesCopied: 0 };
  if (copy.from.registry === target.registry && copy.from.repository === target.repository) return result;
  await ensureBlobs(client, target, copy.blobs, result, opts);
  throwIfCancelled(opts.signal);
  opts.onProgress?.({ message: `Copying ${copy.label} ${shortDigest(copy.digest)} into ${target.repository}` });
  await client.putManifest(target, copy.digest, copy.bytes, copy.mediaType, opts.signal);
  return result;
}

export interface IndexPushResult {
  reference: string;
  /** Digest of the index pushed to the tag. */
  digest: string;
  children: Array<{ platform: string; sourceDigest: string } & PushResult>;
  /** Kept entries copied into the target repository. */
  copied: CopyResult[];
  present: number;
  mounted: number;
  copiedLayers: number;
  bytesCopied: number;
}

export interface IndexPushOptions extends PushOptions {
  /** Children pushed at once. Default 8. */
  childConcurrency?: number;
}

/**
 * Writes an index plan: every rebased child (concurrently, bounded) and every kept entry that
 * must be copied, each PUT by digest; then the index, last, to the tag. If any child fails, the
 * others are stopped and the index is not pushed, so the tag is not touched; children already
 * pushed stay only as untagged manifests.
 */
export async function pushIndexPlan(client: RegistryClient, plan: IndexRebasePlan, opts: IndexPushOptions = {}): Promise<IndexPushResult> {
  const target = plan.target.repo;
  client.preparePush(target);
  const inner = new AbortController();
  // Every request of every child listens to this one signal.
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort();
  opts.signal?.addEventListener('abort', onAbort);
  const signal = inner.signal;
  const blobMemo: BlobMemo = new Map();
  const total = plan.children.reduce((n, c) => n + c.plan.requiredBlobs.length, 0) + plan.copies.reduce((n, c) => n + c.blobs.length, 0);
  let done = 0;
  const progress = (prefix: string) => (e: ProgressEvent) => {
    if (e.done !== undefined && e.done > 0) done++;
    opts.onProgress?.({ message: `${prefix}: ${e.message}`, done, total });
  };
  const result: IndexPushResult = { reference: plan.target.reference, digest: plan.newIndexDigest, children: [], copied: [], present: 0, mounted: 0, copiedLayers: 0, bytesCopied: 0 };
  opts.onProgress?.({ message: `Pushing ${plan.children.length} image(s) of ${plan.target.reference}`, done: 0, total });

  type Job = { label: string; run: () => Promise<void> };
  const jobs: Job[] = [
    ...plan.children.map((child, i) => ({
      label: `the ${child.platform} image`,
      run: async () => {
        const r = await pushPlan(client, child.plan, { signal, concurrency: opts.concurrency, byDigest: true, blobMemo, onProgress: progress(child.platform) });
        result.children[i] = { platform: child.platform, sourceDigest: child.plan.source.digest, ...r };
      },
    })),
    ...plan.copies.map((copy) => ({
      label: `the kept ${copy.label} ${shortDigest(copy.digest)}`,
      run: async () => {
        result.copied.push(await copyManifest(client, target, copy, { signal, concurrency: opts.concurrency, blobMemo, onProgress: progress(copy.label) }));
      },
    })),
  ];
  try {
    await mapLimit(jobs, opts.childConcurrency ?? 8, async (job) => {
      try {
        await job.run();
      } catch (e) {
        inner.abort();
        if (isUserError(e) && e.code === 'cancelled') throw opts.signal?.aborted ? cancelledError() : e;
        const message = isUserError(e) ? e.message : String((e as Error)?.message ?? e);
        throw new UserError(isUserError(e) ? e.code : 'registry', `Pushing ${job.label} failed, so ${plan.target.reference} was not changed: ${message}`);
      }
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  throwIfCancelled(opts.signal);
  for (const r of [...result.children, ...result.copied]) {
    result.present += r.present;
    result.mounted += r.mounted;
    result.copiedLayers += r.copied;
    result.bytesCopied += r.bytesCopied;
  }
  opts.onProgress?.({ message: `Pushing index ${plan.newIndexDigest}` });
  result.digest = await client.putManifest(target, plan.target.tag, plan.newIndexBytes, plan.newIndexMediaType, opts.signal);
  return result;
}

/**
 * Makes one layer present in the target with the cheapest request that also proves it is
 * there: a HEAD when it should already be (same repository), a mount within a registry, and a
 * streamed copy only across registries or when a mount is refused.
 */
async function ensureBlob(client: RegistryClient, target: RepositoryName, blob: RequiredBlob, signal?: AbortSignal): Promise<BlobOutcome> {
  const { digest } = blob.descriptor;
  const sameRegistry = blob.from.registry === target.registry;
  if (sameRegistry && blob.from.repository === target.repository) {
    if (await client.blobExists(target, digest, signal)) return 'present';
    throw new UserError('not-found', `Layer ${digest} is missing from ${display(target)} although its image refers to it; the registry is inconsistent, so nothing was pushed.`);
  }
  if (sameRegistry) {
    let m: Awaited<ReturnType<RegistryClient['mountBlob']>>;
    try {
      m = await client.mountBlob(target, digest, blob.from.repository, signal);
    } catch (e) {
      // Registries refuse mounts for reasons of their own (Harbor: unknown project; ECR: not
      // enabled): a plain copy still works, so a failed mount is a detour, not a failure.
      if (!isUserError(e) || e.code === 'cancelled' || e.code === 'uncertain') throw e;
      client.notice(`Mounting layer ${shortDigest(digest)} from ${blob.from.repository} failed (${e.message.replace(/\.$/, '')}); copying it instead.`);
      await copyBlob(client, blob, target, undefined, signal);
      return 'copied';
    }
    if (m.mounted) return 'mounted';
    await copyBlob(client, blob, target, m.uploadUrl, signal);
    return 'copied';
  }
  if (await client.blobExists(target, digest, signal)) return 'present';
  await copyBlob(client, blob, target, undefined, signal);
  return 'copied';
}

/**
 * Streams one layer from its repository into an upload session of the target. If either side
 * breaks, both are torn down (the transport aborts the upload when its source fails) and the
 * whole blob starts again in a new session, up to the client's retry policy.
 */
async function copyBlob(client: RegistryClient, blob: RequiredBlob, target: RepositoryName, openSession: string | undefined, signal?: AbortSignal): Promise<void> {
  const { digest, size } = blob.descriptor;
  let session = openSession;
  await withWholeRetry(
    client,
    `copy of layer ${shortDigest(digest)} into ${display(target)}`,
    signal,
    async () => {
      const uploadUrl = session ?? (await client.startUpload(target, signal));
      session = undefined;
      const { stream } = await client.getBlobStream(blob.from, digest, signal);
      // The download's own error says more than the upload it broke: report that one.
      let streamError: unknown;
      stream.on('error', (e) => (streamError ??= e));
      try {
        await client.finishUpload(target, uploadUrl, digest, size, stream as Readable, signal);
      } catch (e) {
        stream.destroy();
        if (streamError && isUserError(streamError)) throw streamError;
        throw e;
      }
    },
    () => client.blobExists(target, digest, signal),
  );
  client.stats.layerBytesMoved += size;
}
