/**
 * A package comparison in a few lines of text, for the CLI (and any plain-text view): the OS
 * release change, the counts, then the changes themselves up to a bound.
 */
import { formatBytes } from '../../shared/format';
import { OsRelease, PackageDiff } from './types';

function osName(os: OsRelease): string {
  return os.name ?? os.id ?? 'unknown OS';
}

function osVersion(os: OsRelease): string {
  return os.release ?? os.versionId ?? '';
}

/** "Debian GNU/Linux 12.5 → 12.8", "Alpine Linux 3.19.1 (unchanged)", "Windows 10.0.14393.1715 → 10.0.14393.1884". */
export function osChangeText(old: OsRelease | null, next: OsRelease | null): string {
  if (!old && !next) return 'unknown (no os-release in either base)';
  if (!old || !next) {
    const one = (old ?? next)!;
    return old ? `${osName(one)} ${osVersion(one)} → unknown`.trim() : `unknown → ${osName(one)} ${osVersion(one)}`.trim();
  }
  const [a, b] = [osVersion(old), osVersion(next)];
  if (osName(old) !== osName(next)) return `${osName(old)} ${a} → ${osName(next)} ${b}`.replace(/ +/g, ' ').trim();
  if (a === b) return `${osName(next)} ${b} (unchanged)`.replace(/ +/g, ' ');
  return `${osName(next)} ${a || '?'} → ${b || '?'}`;
}

export function packageCounts(diff: PackageDiff): string {
  const formats = diff.formats.length ? ` (${diff.formats.join(', ')})` : '';
  const parts = [`${diff.upgraded.length} upgraded`];
  if (diff.downgraded.length) parts.push(`${diff.downgraded.length} downgraded`);
  parts.push(`${diff.added.length} added`, `${diff.removed.length} removed`, `${diff.unchanged} unchanged`);
  return `Packages${formats}: ${parts.join(', ')}`;
}

/** The summary, at most `maxChanges` package lines; warnings are left to the caller. */
export function packageSummaryLines(diff: PackageDiff, maxChanges = 40): string[] {
  const lines = [`OS: ${osChangeText(diff.os.old, diff.os.new)}`];
  const windows = diff.os.old?.id === 'windows' || diff.os.new?.id === 'windows';
  if (!windows) {
    lines.push(packageCounts(diff));
    const changes = [
      ...diff.upgraded.map((c) => `  ${c.name} ${c.from} → ${c.to}`),
      ...diff.downgraded.map((c) => `  ${c.name} ${c.from} → ${c.to} (downgraded)`),
      ...diff.added.map((p) => `  + ${p.name} ${p.version}`),
      ...diff.removed.map((p) => `  - ${p.name} ${p.version}`),
    ];
    lines.push(...changes.slice(0, maxChanges));
    if (changes.length > maxChanges) lines.push(`  … and ${changes.length - maxChanges} more (--json lists them all)`);
  }
  const d = diff.download;
  if (d.layers || d.cachedLayers) lines.push(`(read ${d.layers} layer(s), ${formatBytes(d.bytes)}${d.cachedLayers ? `; ${d.cachedLayers} from the cache` : ''})`);
  return lines;
}
