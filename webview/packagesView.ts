/**
 * Pure view model of the "Package changes" section: what each phase shows, and the result as
 * one table of rows per platform. No DOM here, so Node unit tests can import it. The strings come
 * from registries (package names, versions, warnings) and are only passed along.
 */
import type { PackagesState, PreviewPackageResult } from '../src/shared/previewProtocol';
import { isObject } from '../src/shared/isObject';

export type PackageRowKind = 'downgraded' | 'upgraded' | 'added' | 'removed';

export interface PackageRowView {
  kind: PackageRowKind;
  /** "downgraded", "upgraded", "added", "removed": said in words, not by colour alone. */
  word: string;
  name: string;
  /** Absent on that side: added packages have no old version, removed ones no new. */
  from?: string;
  to?: string;
}

export interface PackageResultView {
  platform?: string;
  os: string;
  counts: string;
  /** Downgrades first (they are warnings), then upgrades, additions, removals; by name within each. */
  rows: PackageRowView[];
  omitted: number;
  warnings: string[];
  read: string;
  error?: string;
  /** When there is no row: the sentence instead. */
  empty?: string;
}

export interface PackagesSectionView {
  phase: PackagesState['phase'];
  /** After the heading: "(3 upgraded · 1 added)" when done. */
  summary: string;
  /** The one line under the heading (estimate, progress message, failure). */
  text: string;
  /** The action button, if any: "Compare packages (240 MiB)", "Cancel", "Try again". */
  button?: { label: string; action: 'compare' | 'cancel' };
  progress?: { value: number; max: number; text: string };
  busy: boolean;
  results: PackageResultView[];
}

/** Binary units, as the engine's own messages ("240 MiB", "3 KiB"). */
function mib(bytes: number): string {
  if (bytes < 1024 * 1024) return bytes < 1024 ? `${bytes} B` : `${Math.ceil(bytes / 1024)} KiB`;
  const v = bytes / (1024 * 1024);
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} MiB`;
}

function resultView(r: PreviewPackageResult): PackageResultView {
  const rows: PackageRowView[] = [
    ...r.downgraded.map((c) => ({ kind: 'downgraded' as const, word: 'downgraded', name: c.name, from: c.from, to: c.to })),
    ...r.upgraded.map((c) => ({ kind: 'upgraded' as const, word: 'upgraded', name: c.name, from: c.from, to: c.to })),
    ...r.added.map((p) => ({ kind: 'added' as const, word: 'added', name: p.name, to: p.version })),
    ...r.removed.map((p) => ({ kind: 'removed' as const, word: 'removed', name: p.name, from: p.version })),
  ];
  const empty = r.error || rows.length ? undefined : r.windows ? 'Windows base layers are not read: the update level above is the change.' : 'No package changes.';
  return { platform: r.platform, os: r.os, counts: r.counts, rows, omitted: r.omitted, warnings: r.warnings, read: r.read, ...(r.error ? { error: r.error } : {}), ...(empty ? { empty } : {}) };
}

function countsSummary(results: PackageResultView[], raw: PreviewPackageResult[]): string {
  const n = (k: 'upgraded' | 'downgraded' | 'added' | 'removed') => raw.reduce((s, r) => s + r[k].length, 0);
  const parts = [`${n('upgraded')} upgraded`, n('downgraded') ? `${n('downgraded')} downgraded` : '', `${n('added')} added`, `${n('removed')} removed`].filter(Boolean);
  const failed = results.filter((r) => r.error).length;
  if (failed) parts.push(`${failed} failed`);
  return raw.every((r) => r.windows) ? '(update level only)' : `(${parts.join(' · ')})`;
}

export function packagesSectionView(s: PackagesState | undefined): PackagesSectionView {
  const base = { summary: '', busy: false, results: [] as PackageResultView[] };
  switch (s?.phase) {
    case undefined:
    case 'estimating':
      return { ...base, phase: 'estimating', text: 'Checking what the comparison has to download…', busy: true };
    case 'ask':
      return { ...base, phase: 'ask', text: `${s.estimate}. That is more than the preview downloads by itself (setting imageRebase.packageChanges.confirmAboveMiB).`, button: { label: `Compare packages (${mib(s.bytes)})`, action: 'compare' } };
    case 'running': {
      const pct = s.total > 0 ? Math.min(100, Math.floor((s.done / s.total) * 100)) : undefined;
      return {
        ...base,
        phase: 'running',
        text: s.message,
        busy: true,
        button: { label: 'Cancel', action: 'cancel' },
        progress: s.total > 0 ? { value: Math.min(s.done, s.total), max: s.total, text: `${mib(s.done)} of ${mib(s.total)} (${pct}%)` } : undefined,
      };
    }
    case 'done': {
      const results = s.results.map(resultView);
      return { ...base, phase: 'done', summary: countsSummary(results, s.results), text: '', results };
    }
    case 'failed':
      return { ...base, phase: 'failed', text: `The package comparison failed: ${s.message}`, button: { label: 'Try again', action: 'compare' } };
    case 'cancelled':
      return { ...base, phase: 'cancelled', text: s.message, button: { label: 'Compare packages', action: 'compare' } };
  }
}

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const changes = (v: unknown) => Array.isArray(v) && v.every((c) => isObject(c) && str(c.name) && str(c.from) && str(c.to));
const entries = (v: unknown) => Array.isArray(v) && v.every((c) => isObject(c) && str(c.name) && str(c.version));

function isResult(r: unknown): r is PreviewPackageResult {
  return (
    isObject(r) &&
    (r.platform === undefined || str(r.platform)) &&
    str(r.os) &&
    typeof r.windows === 'boolean' &&
    str(r.counts) &&
    changes(r.upgraded) &&
    changes(r.downgraded) &&
    entries(r.added) &&
    entries(r.removed) &&
    num(r.omitted) &&
    Array.isArray(r.warnings) &&
    r.warnings.every(str) &&
    str(r.read) &&
    (r.error === undefined || str(r.error))
  );
}

/** A shallow shape check: a malformed state is ignored, as malformed models are. */
export function isPackagesState(v: unknown): v is PackagesState {
  if (!isObject(v)) return false;
  switch (v.phase) {
    case 'estimating':
      return true;
    case 'ask':
      return str(v.estimate) && num(v.bytes);
    case 'running':
      return str(v.estimate) && str(v.message) && num(v.done) && num(v.total);
    case 'done':
      return Array.isArray(v.results) && v.results.every(isResult);
    case 'failed':
    case 'cancelled':
      return str(v.message);
    default:
      return false;
  }
}
