/**
 * `rebase-image rollback`: puts every tag a sync changed back to the digest it held before. The
 * previous manifest is still in the registry by digest, so its exact bytes are read by digest
 * and PUT to the tag: the tag then names the very same digest again, signatures included.
 *
 * A tag that did not exist before the sync cannot be un-created: the registry API deletes
 * manifests by digest, not tags, and deleting the rebased manifest would also remove every other
 * tag on it. Such tags are left as they are and reported.
 */
import { isUserError } from '../errors';
import { parseReference } from '../reference';
import { RegistryClient } from '../registry/client';
import { ProgressListener } from '../rebase/progress';
import { mapLimit } from '../util/concurrency';
import { SyncReport } from './report';
import { currentDigest } from './sync';

export type RollbackStatus = 'restored' | 'unchanged' | 'refused' | 'skipped' | 'failed';

export interface RollbackEntry {
  target: string;
  /** What the tag pointed to before the rollback (null: no such tag, or it could not be read). */
  found: string | null;
  /** The digest it is put back to (the report's `previous`). */
  previous: string | null;
  status: RollbackStatus;
  message: string;
}

export interface RollbackOptions {
  /** Put tags back even when they changed since the report. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  concurrency?: number;
}

async function rollbackOne(client: RegistryClient, target: string, pushed: string, previous: string | null, opts: RollbackOptions): Promise<RollbackEntry> {
  const out: RollbackEntry = { target, found: null, previous, status: 'failed', message: '' };
  const { signal } = opts;
  try {
    const ref = parseReference(target);
    if (!ref.tag || ref.digest) throw new Error(`${target} does not name a tag`);
    const repo = { registry: ref.registry, repository: ref.repository };
    // Asking for push access up front makes one token cover the read-back and the PUT.
    client.preparePush(repo);
    if (previous === null) {
      out.status = 'skipped';
      out.message = `${target} did not exist before the sync and is left as it is: a registry deletes manifests by digest, not tags, and deleting ${pushed} would remove every other tag on it too; delete the tag by hand if it must go.`;
      return out;
    }
    out.found = await currentDigest(client, repo, ref.tag, signal);
    if (out.found === previous) {
      out.status = 'unchanged';
      out.message = `${target} already points to ${previous}.`;
      return out;
    }
    if (out.found !== pushed && !opts.force) {
      out.status = 'refused';
      out.message = `${target} changed since the report: it points to ${out.found ?? 'nothing (the tag is gone)'}, not the ${pushed} the sync pushed; it is left as it is (--force puts it back anyway).`;
      return out;
    }
    const before = await client.getManifest(repo, previous, signal);
    await client.putManifest(repo, ref.tag, before.bytes, before.mediaType, signal);
    out.status = 'restored';
    out.message = `${target} points to ${previous} again.`;
  } catch (e) {
    out.status = 'failed';
    out.message = `${target} could not be put back: ${isUserError(e) ? e.message : String((e as Error)?.message ?? e)}`;
  }
  return out;
}

/** Every tag the report says was rebased, put back; entries that wrote nothing are passed over. */
export async function rollbackReport(client: RegistryClient, report: SyncReport, opts: RollbackOptions = {}): Promise<RollbackEntry[]> {
  const changed = report.images.filter((e) => e.status === 'rebased' && e.target !== null && e.digest !== null);
  let done = 0;
  return mapLimit(changed, opts.concurrency ?? 8, async (e) => {
    const result = await rollbackOne(client, e.target!, e.digest!, e.previous, opts);
    done++;
    opts.onProgress?.({ message: `${result.status}: ${result.target}`, done, total: changed.length });
    return result;
  });
}
