/**
 * Display formatting used by the extension host and the webview alike: no Node or DOM APIs, so
 * both bundles can import it.
 */

/** Decimal units, as the Docker CLI shows sizes. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The first hex digits of a digest ("sha256:0123456789abcdef…" → "0123456789ab"). */
export function shortDigest(digest: string | undefined, n = 12): string {
  if (!digest) return '';
  const colon = digest.indexOf(':');
  return (colon >= 0 ? digest.slice(colon + 1) : digest).slice(0, n);
}
