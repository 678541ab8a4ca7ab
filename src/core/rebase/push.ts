import { Readable } from 'node:stream';
import { UserError, isUserError } from '../errors';
import { shortDigest } from '../digest';
import { RegistryClient, RepositoryName, display } from '../registry/client';
import { mapLimit } from '../util/concurrency';
import { throwIfCancelled } from '../util/abort';
import { RebasePlan, RequiredBlob } from './plan';
import { ProgressListener } from './progress';

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
 * Writes a plan to the registry. Order is the safety guarantee: every blob is confirmed in the
 * target repository first, the config next, and the manifest PUT comes last, so a failure or a
 * cancel at any point before it leaves the target tag as it was.
 */
export async function pushPlan(client: RegistryClient, plan: RebasePlan, opts: PushOptions = {}): Promise<PushResult> {
  const { signal, onProgress } = opts;
  const target = plan.target.repo;
  client.preparePush(target);

  const result: PushResult = { reference: plan.target.reference, digest: plan.newManifestDigest, present: 0, mounted: 0, copied: 0, bytesCopied: 0 };
  const total = plan.requiredBlobs.length;
  let done = 0;
  onProgress?.({ message: `Pushing target image ${plan.target.reference}`, done: 0, total });

  const ensure = async (blob: RequiredBlob) => {
    throwIfCancelled(signal);
    const outcome = await ensureBlob(client, target, blob, signal);
    result[outcome]++;
    if (outcome === 'copied') result.bytesCopied += blob.descriptor.size;
    done++;
    onProgress?.({ message: `Layer ${shortDigest(blob.descriptor.digest)} ${outcome}`, done, total });
  };
  // One blob per source repository first: each needs its own token scope, and fetching it once
  // before the crowd arrives saves a token request per concurrent blob.
  const firsts = new Map<string, RequiredBlob>();
  for (const b of plan.requiredBlobs) if (!firsts.has(display(b.from))) firsts.set(display(b.from), b);
  const concurrency = opts.concurrency ?? 8;
  await mapLimit([...firsts.values()], concurrency, ensure);
  const firstSet = new Set(firsts.values());
  await mapLimit(plan.requiredBlobs.filter((b) => !firstSet.has(b)), concurrency, ensure);

  throwIfCancelled(signal);
  onProgress?.({ message: 'Uploading config' });
  await client.uploadBlob(target, plan.newConfigDigest, plan.newConfigBytes, signal);

  throwIfCancelled(signal);
  onProgress?.({ message: `Pushing manifest ${plan.newManifestDigest}` });
  result.digest = await client.putManifest(target, plan.target.tag, plan.newManifestBytes, plan.newManifestMediaType, signal);
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
    const m = await client.mountBlob(target, digest, blob.from.repository, signal);
    if (m.mounted) return 'mounted';
    await copyInto(client, blob, target, m.uploadUrl, signal);
    return 'copied';
  }
  if (await client.blobExists(target, digest, signal)) return 'present';
  await copyInto(client, blob, target, await client.startUpload(target, signal), signal);
  return 'copied';
}

async function copyInto(client: RegistryClient, blob: RequiredBlob, target: RepositoryName, uploadUrl: string, signal?: AbortSignal): Promise<void> {
  const { digest, size } = blob.descriptor;
  const { stream } = await client.getBlobStream(blob.from, digest, signal);
  // If the download fails (or fails its digest check) the upload errors too; report the cause.
  let streamError: unknown;
  stream.on('error', (e) => (streamError ??= e));
  try {
    await client.finishUpload(target, uploadUrl, digest, size, stream as Readable, signal);
  } catch (e) {
    if (streamError && isUserError(streamError)) throw streamError;
    throw e;
  }
  client.stats.layerBytesMoved += size;
}
