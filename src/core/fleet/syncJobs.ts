/**
 * From scan results to sync work, without a request: which tags to rebase, onto what, to which
 * tag, and which rows are reported as they are (no base, unreadable, base tag gone).
 */
import { UserError } from '../errors';
import { formatReference, parseReference, validateTag } from '../reference';
import { RepositoryName } from '../registry/client';
import { SyncReportEntry } from './report';
import { ScanResult } from './types';

/** Where a rebased image goes: back to its own tag, or to the tag plus a suffix. */
export type SyncTargetMode = { inPlace: true } | { suffix: string };

export interface SyncJob {
  image: string;
  /** The source pinned to what was scanned ("repo@digest"): a tag that moves meanwhile is not rebased blind. */
  source: string;
  /** "registry/repo:tag" to push to. */
  target: string;
  targetRepo: RepositoryName;
  targetTag: string;
  /** The base tag: the rebase lands on whatever it points to now (the scan's "current"). */
  newBase: string;
  /** The base the scan found, by digest; absent for an index (each platform has its own) or an unrecorded digest. */
  oldBase?: string;
  /** A multi-platform source: rebased as a whole, platforms without a new base kept. */
  index: boolean;
  /** In place, the tag held what was scanned; with a suffix it is asked right before the push. */
  previous?: string;
}

export type SyncWork = { job: SyncJob } | { entry: SyncReportEntry };

/** Checks a --tag-suffix before any request: what follows a tag must keep it a tag. */
export function checkSuffix(suffix: string): void {
  if (!/^[A-Za-z0-9_.-]{1,127}$/.test(suffix)) {
    throw new UserError('usage', `--tag-suffix "${suffix.slice(0, 40)}" is not a tag ending: use up to 127 letters, digits, "_", "." and "-", e.g. -patched.`);
  }
}

const entry = (image: string, status: SyncReportEntry['status'], error: string | null, target: string | null = null): SyncWork => ({
  entry: { image, target, previous: null, digest: null, status, error },
});

/**
 * One unit of work per scanned tag (the rows of an index's platforms come together). Up-to-date
 * tags produce nothing: sync leaves them alone and the report lists only what it acted on or could not.
 */
export function planSyncWork(results: readonly ScanResult[], mode: SyncTargetMode): SyncWork[] {
  const groups = new Map<string, ScanResult[]>();
  for (const r of results) {
    const rows = groups.get(r.image);
    if (rows) rows.push(r);
    else groups.set(r.image, [r]);
  }
  const work: SyncWork[] = [];
  for (const [image, rows] of groups) {
    const outdated = rows.find((r) => r.status === 'outdated');
    if (!outdated) {
      const error = rows.find((r) => r.status === 'error');
      const unknown = rows.find((r) => r.status === 'unknown-base');
      // A tag that could not be read was not synced either: a failure, so a pipeline notices.
      if (error) work.push(entry(image, 'failed', error.error ?? 'it could not be read'));
      else if (unknown) work.push(entry(image, 'skipped', unknown.note ?? 'no base image was found for it'));
      continue;
    }
    const { repo, tag, indexDigest } = outdated.source;
    if (!tag) {
      work.push(entry(image, 'skipped', 'it is named by digest, so there is no tag to push the rebased image to'));
      continue;
    }
    const targetTag = 'suffix' in mode ? `${tag}${mode.suffix}` : tag;
    const target = `${repo.registry}/${repo.repository}:${targetTag}`;
    if (!outdated.current || !outdated.base) {
      work.push(entry(image, 'skipped', outdated.note ?? 'its base tag points to no image for its platform, so there is nothing to rebase onto', target));
      continue;
    }
    try {
      validateTag(targetTag);
    } catch (e) {
      work.push(entry(image, 'failed', (e as Error).message, null));
      continue;
    }
    const top = indexDigest ?? outdated.digest;
    const baseRef = parseReference(outdated.base.name);
    work.push({
      job: {
        image,
        source: `${repo.registry}/${repo.repository}@${top}`,
        target,
        targetRepo: repo,
        targetTag,
        newBase: outdated.base.name,
        oldBase: !indexDigest && outdated.base.digest ? formatReference({ ...baseRef, tag: undefined, digest: outdated.base.digest }) : undefined,
        index: Boolean(indexDigest),
        previous: 'inPlace' in mode ? top ?? undefined : undefined,
      },
    });
  }
  return work;
}
