/**
 * "A newer tag of the same line": which tag of a repository a `FROM base:1` could move to.
 *
 * A tag is on a line when it reads as a version: an optional `v`, numbers joined by dots, and
 * an optional suffix that does not start with a digit (`1`, `v1.2`, `3.12-slim`,
 * `1.2-alpine3.19`), or a date (`2024-01-15`, `20240115`, `2024.01.15`, with a suffix too).
 * Two tags are on the same line when they have:
 * - the same prefix (`v` or none) and exactly the same suffix, so `1-slim` moves to `2-slim`,
 *   never to `2` or `2-alpine`, and a pre-release (`2.0-rc1`) is never offered for `1.9`;
 * - the same number of numeric parts, so `1` moves to `2`, `1.2` to `1.3` or `2.0` (the greatest
 *   of the two-part tags), and `1.2.3` only to three-part tags: a tag keeps its precision;
 * - the same kind of first number: a major version (up to 3 digits) never compares with a date
 *   or a build number (4 digits or more), so `1` does not "move" to `20240115`.
 * The newer tag offered is the greatest of the line, by numeric value part by part (leading
 * zeros ignored, any length of digits). Anything else (`latest`, `stable`, `sha-abc123`,
 * `bookworm`) is on no line and is never offered.
 */

export interface TagVersion {
  tag: string;
  prefix: '' | 'v';
  /** Numeric parts without leading zeros ("0" for zero), compared as numbers of any length. */
  parts: string[];
  suffix: string;
  /** 'date' for a first part of 4 digits or more (a year, a yyyymmdd date, a build number). */
  kind: 'version' | 'date';
}

/** `2024-01-15…`: the dashes of a date join its parts, as dots do in a version. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?![0-9])(.*)$/;
const VERSION = /^(v?)(\d+(?:\.\d+)*)(?![0-9])(.*)$/;

/** The version a tag reads as, or undefined when it is on no line. */
export function parseTagVersion(tag: string): TagVersion | undefined {
  const date = DATE.exec(tag);
  if (date) return make(tag, '', [date[1], date[2], date[3]], date[4]);
  const m = VERSION.exec(tag);
  if (!m) return undefined;
  // "1.2.": a dot not followed by a number is not part of a version, nor a suffix worth matching.
  if (m[3].startsWith('.')) return undefined;
  return make(tag, m[1] as '' | 'v', m[2].split('.'), m[3]);
}

function make(tag: string, prefix: '' | 'v', raw: string[], suffix: string): TagVersion {
  return {
    tag,
    prefix,
    parts: raw.map((p) => p.replace(/^0+(?=\d)/, '')),
    suffix,
    kind: raw[0].length >= 4 ? 'date' : 'version',
  };
}

/** Same prefix, suffix, number of parts and kind of first number (see the top of this file). */
export function sameLine(a: TagVersion, b: TagVersion): boolean {
  return a.prefix === b.prefix && a.suffix === b.suffix && a.kind === b.kind && a.parts.length === b.parts.length;
}

/** Part by part, numerically (as strings: a build number may not fit a double). */
export function compareVersions(a: TagVersion, b: TagVersion): number {
  const n = Math.min(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const x = a.parts[i];
    const y = b.parts[i];
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.parts.length - b.parts.length;
}

/**
 * The greatest tag of `current`'s line that is newer than it, among `tags`; undefined when
 * `current` is on no line or is already the newest. Of tags with the same value (`v01`, `v1`),
 * the first listed wins.
 */
export function newestOfLine(current: string, tags: Iterable<string>): string | undefined {
  const mine = parseTagVersion(current);
  if (!mine) return undefined;
  let best: TagVersion | undefined;
  for (const tag of tags) {
    const v = parseTagVersion(tag);
    if (!v || !sameLine(mine, v) || compareVersions(v, mine) <= 0) continue;
    if (!best || compareVersions(v, best) > 0) best = v;
  }
  return best?.tag;
}
