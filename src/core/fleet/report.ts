/**
 * The sync report: what `sync` did to each image, written as JSON, and read back by `rollback`.
 * The file may have been kept, copied or edited by hand between the two, so reading it checks
 * every field a rollback would act on before anything is sent to a registry.
 */
import { UserError } from '../errors';
import { digestProblem } from '../reference';

export type SyncStatus = 'rebased' | 'failed' | 'skipped' | 'dry-run';

/** One image of a sync, in the shape the issue lists (the report's and `--json`'s entries). */
export interface SyncReportEntry {
  /** As scanned: "registry/repo:tag". */
  image: string;
  /** The tag written (or that would be written); null when no target could be named. */
  target: string | null;
  /** The digest the target tag held before the sync; null when the tag did not exist. */
  previous: string | null;
  /** The digest pushed (rebased) or planned (dry-run); null otherwise. */
  digest: string | null;
  status: SyncStatus;
  error: string | null;
}

export interface SyncReport {
  report: 'rebase-image sync';
  version: 1;
  dryRun: boolean;
  images: SyncReportEntry[];
}

export function makeReport(entries: SyncReportEntry[], dryRun: boolean): SyncReport {
  const images = entries.map(({ image, target, previous, digest, status, error }) => ({ image, target, previous, digest, status, error }));
  return { report: 'rebase-image sync', version: 1, dryRun, images };
}

const STATUSES: readonly string[] = ['rebased', 'failed', 'skipped', 'dry-run'];
/** Long enough for any reference or sentence of ours; a file beyond it was not written by sync. */
const MAX_TEXT = 4096;

function text(v: unknown, what: string, nullable: boolean): string | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT) throw new UserError('usage', `${what} must be ${nullable ? 'text or null' : 'text'}.`);
  return v;
}

function digest(v: unknown, what: string): string | null {
  const d = text(v, what, true);
  const problem = d === null ? undefined : digestProblem(d);
  if (problem) throw new UserError('usage', `${what} is not a digest: ${problem.detail}.`);
  return d;
}

/** Parses a report file's text; a malformed one is the user's argument, so a usage error. */
export function parseReport(json: string, file: string): SyncReport {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new UserError('usage', `${file} is not JSON; give the file written by sync --report.`);
  }
  const o = raw as Partial<SyncReport> | null;
  if (!o || typeof o !== 'object' || o.report !== 'rebase-image sync' || !Array.isArray(o.images)) {
    throw new UserError('usage', `${file} is not a sync report (a JSON object with "report": "rebase-image sync" and "images"); give the file written by sync --report.`);
  }
  const images = o.images.map((e: unknown, i): SyncReportEntry => {
    const at = `${file}: images[${i}]`;
    if (!e || typeof e !== 'object') throw new UserError('usage', `${at} is not an object.`);
    const x = e as Record<string, unknown>;
    if (typeof x.status !== 'string' || !STATUSES.includes(x.status)) throw new UserError('usage', `${at}.status must be one of ${STATUSES.join(', ')}.`);
    return {
      image: text(x.image, `${at}.image`, false)!,
      target: text(x.target, `${at}.target`, true),
      previous: digest(x.previous, `${at}.previous`),
      digest: digest(x.digest, `${at}.digest`),
      status: x.status as SyncStatus,
      error: text(x.error, `${at}.error`, true),
    };
  });
  return { report: 'rebase-image sync', version: 1, dryRun: Boolean(o.dryRun), images };
}
