/**
 * The engine's package comparison as webview data (free of vscode, for unit tests): every string
 * one line with its controls escaped, every list bounded.
 */
import { PackageDiff, formatSize, osChangeText } from '../../core/packages';
import { PreviewPackageResult } from '../../shared/previewProtocol';
import { oneLine } from '../../shared/sanitize';

/** Entries per list sent to the webview: a base with no readable database lists every package as added. */
export const LIST_MAX = 1000;

/** "5 upgraded, 1 downgraded, 2 added, 1 removed, 1 unchanged (dpkg)": the row is already labelled "Packages". */
function counts(d: PackageDiff): string {
  const parts = [`${d.upgraded.length} upgraded`, d.downgraded.length ? `${d.downgraded.length} downgraded` : '', `${d.added.length} added`, `${d.removed.length} removed`, `${d.unchanged} unchanged`];
  return `${parts.filter(Boolean).join(', ')}${d.formats.length ? ` (${d.formats.join(', ')})` : ''}`;
}

export function emptyResult(platform?: string): PreviewPackageResult {
  return { ...(platform ? { platform: oneLine(platform, 100) } : {}), os: '', windows: false, counts: '', upgraded: [], downgraded: [], added: [], removed: [], omitted: 0, warnings: [], read: '' };
}

/** The engine's result as webview data: every string one line, every list bounded. */
export function toResult(d: PackageDiff, platform?: string): PreviewPackageResult {
  let omitted = 0;
  const cap = <T>(list: T[]): T[] => {
    omitted += Math.max(0, list.length - LIST_MAX);
    return list.slice(0, LIST_MAX);
  };
  const t = (s: string) => oneLine(s, 200);
  const change = (c: { name: string; from: string; to: string }) => ({ name: t(c.name), from: t(c.from), to: t(c.to) });
  const entry = (p: { name: string; version: string }) => ({ name: t(p.name), version: t(p.version) });
  const dl = d.download;
  return {
    ...(platform ? { platform: oneLine(platform, 100) } : {}),
    os: oneLine(osChangeText(d.os.old, d.os.new), 300),
    windows: d.os.old?.id === 'windows' || d.os.new?.id === 'windows',
    counts: counts(d),
    upgraded: cap(d.upgraded).map(change),
    downgraded: cap(d.downgraded).map(change),
    added: cap(d.added).map(entry),
    removed: cap(d.removed).map(entry),
    omitted,
    warnings: d.warnings.map((w) => oneLine(w, 1000)),
    read: dl.layers || dl.cachedLayers ? `Read ${dl.layers} layer${dl.layers === 1 ? '' : 's'} (${formatSize(dl.bytes)})${dl.cachedLayers ? `; ${dl.cachedLayers} from the cache` : ''}.` : 'No layer was read.',
  };
}
