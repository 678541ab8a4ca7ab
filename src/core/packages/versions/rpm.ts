/**
 * RPM version ordering (rpmvercmp), applied to epoch, then version, then release. Each string is
 * split into alternating runs of digits and letters; other characters only separate runs, `~`
 * sorts before anything (even the end: 1.0~rc1 < 1.0), and `^` after the end but before any
 * further run (1.0 < 1.0^git1 < 1.0.1).
 */

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isSeparator = (c: string | undefined): boolean => c !== undefined && !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';

/** rpmvercmp: negative, zero or positive. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (isSeparator(a[i])) i++;
    while (isSeparator(b[j])) j++;

    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    // A run of the kind that `a` starts with, taken from both sides.
    const numeric = isDigit(a[i]);
    const same = numeric ? isDigit : isAlpha;
    let ei = i;
    while (same(a[ei])) ei++;
    let ej = j;
    while (same(b[ej])) ej++;
    // Different kinds of run: a number is newer than letters.
    if (ej === j) return numeric ? 1 : -1;

    let x = a.slice(i, ei);
    let y = b.slice(j, ej);
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x < y ? -1 : 1;
    i = ei;
    j = ej;
  }
  const aDone = i >= a.length;
  const bDone = j >= b.length;
  if (aDone && bDone) return 0;
  return aDone ? -1 : 1;
}

export interface Evr {
  epoch?: number;
  version: string;
  release?: string;
}

/** Orders two epoch:version-release triples, a missing epoch counting as 0. */
export function compareEvr(a: Evr, b: Evr): number {
  const ea = a.epoch ?? 0;
  const eb = b.epoch ?? 0;
  if (ea !== eb) return ea < eb ? -1 : 1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release ?? '', b.release ?? '');
}

/** Parses the "[epoch:]version[-release]" form we display RPM versions in. */
export function parseEvr(s: string): Evr {
  const colon = s.indexOf(':');
  let epoch: number | undefined;
  let rest = s;
  if (colon > 0 && /^\d+$/.test(s.slice(0, colon))) {
    epoch = Number(s.slice(0, colon));
    rest = s.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

/** Orders two RPM versions written as "[epoch:]version-release". */
export function compareRpmVersions(a: string, b: string): number {
  return compareEvr(parseEvr(a), parseEvr(b));
}
