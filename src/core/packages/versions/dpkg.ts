/**
 * Debian version ordering, as dpkg applies it (deb-version(7)): [epoch:]upstream[-revision],
 * compared part by part. Within upstream and revision, runs of non-digits are compared character
 * by character with letters before other symbols and `~` before everything (even the end of the
 * string, so 1.0~rc1 < 1.0), and runs of digits numerically.
 */

interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parse(v: string): DebVersion {
  const s = v.trim();
  const colon = s.indexOf(':');
  let epoch = 0;
  let rest = s;
  if (colon > 0 && /^\d+$/.test(s.slice(0, colon))) {
    epoch = Number(s.slice(0, colon));
    rest = s.slice(colon + 1);
  }
  // The revision is whatever follows the last hyphen: upstream versions may contain hyphens.
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** Weight of one character in a non-digit run; '' is the end of the run. */
function weight(c: string): number {
  if (c === '') return 0;
  if (c === '~') return -1;
  if (isLetter(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run: position by position, a missing character weighing 0.
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ca = i < a.length && !isDigit(a[i]) ? a[i] : '';
      const cb = j < b.length && !isDigit(b[j]) ? b[j] : '';
      const d = weight(ca) - weight(cb);
      if (d !== 0) return d < 0 ? -1 : 1;
      if (ca) i++;
      if (cb) j++;
    }
    let ei = i;
    while (ei < a.length && isDigit(a[ei])) ei++;
    let ej = j;
    while (ej < b.length && isDigit(b[ej])) ej++;
    const d = compareDigits(a.slice(i, ei), b.slice(j, ej));
    if (d !== 0) return d;
    i = ei;
    j = ej;
  }
  return 0;
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in dpkg's order. */
export function compareDebVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
}
