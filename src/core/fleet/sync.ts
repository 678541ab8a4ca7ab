/**
 * `rebase-image sync`: scan, then rebase every outdated image onto the image its base tag points
 * to now. Each image is its own rebase (the engine pushes the manifest last, so a failure leaves
 * that tag as it was) and one failure does not stop the others unless `failFast`.
 *
 * The scan already knows each image's old base, so it is passed by digest (no second discovery),
 * and the scan's memo is handed to the rebase so manifests already read are not read again.
 * A multi-platform source is rebased whole, once, when any platform is outdated: its tag names
 * the index, so rebasing one platform would mean pushing a single-platform image over it.
 * Each platform's old base is then found by the engine (annotations, provenance, layer search),
 * as one -s cannot name a different base per platform; platforms whose base tag offers no image
 * for them are kept unchanged (keepUnmatched) rather than blocking the others.
 */
import { isUserError } from '../errors';
import { RegistryClient, RepositoryName } from '../registry/client';
import { AnyPreparedRebase, executeRebase, isIndexRebase, prepareAnyRebase } from '../rebase/rebase';
import { ProgressListener } from '../rebase/progress';
import { mapLimit } from '../util/concurrency';
import { ScanMemo } from './memo';
import { SyncReportEntry } from './report';
import { scanImages } from './scan';
import { SyncJob, SyncTargetMode, checkSuffix, planSyncWork } from './syncJobs';
import { ScanRequest, ScanSummary } from './types';

export const DEFAULT_SYNC_CONCURRENCY = 8;

export interface SyncRequest extends ScanRequest {
  mode: SyncTargetMode;
  dryRun?: boolean;
  /** Start no further image after the first failure (those in flight finish). */
  failFast?: boolean;
  keepConfig?: boolean;
}

export interface SyncOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Rebases in flight at once (the scan keeps its own concurrency). */
  concurrency?: number;
}

export interface SyncEntry extends SyncReportEntry {
  /** The plan, for printing (a dry run prints every plan); absent when none was made. */
  prepared?: AnyPreparedRebase;
}

export interface SyncSummary {
  scan: ScanSummary;
  entries: SyncEntry[];
  /** Ctrl-C came: what had not started is reported skipped. */
  interrupted: boolean;
}

/** The digest a tag points to now, or null when the tag does not exist. */
export async function currentDigest(client: RegistryClient, repo: RepositoryName, tag: string, signal?: AbortSignal): Promise<string | null> {
  const head = await client.headManifest(repo, tag, signal);
  if (!head) return null;
  // A registry that leaves Docker-Content-Digest out of HEAD still says it with the body.
  return head.digest ?? (await client.getManifest(repo, tag, signal)).digest;
}

export function checkSyncRequest(request: SyncRequest): void {
  if ('suffix' in request.mode) checkSuffix(request.mode.suffix);
}

async function runJob(client: RegistryClient, job: SyncJob, request: SyncRequest, memo: ScanMemo, signal?: AbortSignal): Promise<SyncEntry> {
  const out: SyncEntry = { image: job.image, target: job.target, previous: null, digest: null, status: 'failed', error: null };
  try {
    out.previous = job.previous ?? (await currentDigest(client, job.targetRepo, job.targetTag, signal));
    const prepared = await prepareAnyRebase(
      client,
      { source: job.source, target: job.target, newBase: job.newBase, oldBase: job.oldBase, keepUnmatched: job.index, keepConfig: request.keepConfig },
      { signal, memo },
    );
    out.prepared = prepared;
    if (request.dryRun) {
      out.digest = isIndexRebase(prepared) ? prepared.plan.newIndexDigest : prepared.plan.newManifestDigest;
      out.status = 'dry-run';
      return out;
    }
    out.digest = (await executeRebase(client, prepared, { signal })).digest;
    out.status = 'rebased';
  } catch (e) {
    if (isUserError(e) && e.code === 'already-on-base') out.status = 'skipped';
    out.error = isUserError(e) ? e.message : `unexpected failure (${String((e as Error)?.message ?? e).split('\n')[0]})`;
  }
  return out;
}

export async function syncImages(client: RegistryClient, request: SyncRequest, opts: SyncOptions = {}): Promise<SyncSummary> {
  checkSyncRequest(request);
  const { signal } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  const memo = new ScanMemo();
  const scan = await scanImages(client, request, { signal, onProgress: progress, memo });
  const work = planSyncWork(scan.results, request.mode);
  const jobs = work.filter((w): w is { job: SyncJob } => 'job' in w);
  progress({ message: `${request.dryRun ? 'Planning' : 'Rebasing'} ${jobs.length} outdated ${jobs.length === 1 ? 'image' : 'images'}`, done: 0, total: jobs.length });
  let stopped = false;
  let done = 0;
  const entries = await mapLimit(work, opts.concurrency ?? DEFAULT_SYNC_CONCURRENCY, async (w): Promise<SyncEntry> => {
    if ('entry' in w) return w.entry;
    const { job } = w;
    if (signal?.aborted || stopped) {
      const why = signal?.aborted ? 'not attempted: the sync was interrupted' : 'not attempted: an earlier image failed (--fail-fast)';
      return { image: job.image, target: job.target, previous: null, digest: null, status: 'skipped', error: why };
    }
    const result = await runJob(client, job, request, memo, signal);
    if (result.status === 'failed' && request.failFast) stopped = true;
    done++;
    progress({ message: `${result.status}: ${job.image} -> ${job.target}${result.error ? ` (${result.error})` : ''}`, done, total: jobs.length });
    return result;
  });
  return { scan, entries, interrupted: Boolean(signal?.aborted) };
}
