/**
 * Alpine (apk-tools) version ordering: dot-separated numbers, an optional letter, suffixes
 * (`_alpha` < `_beta` < `_pre` < `_rc` < release < `_cvs` < `_svn` < `_git` < `_hg` < `_p`, each
 * with an optional number) and a package revision `-rN`. The version is read as a token stream and
 * the streams compared token by token, as apk does, so malformed versions still get a stable order.
 */

/** Token kinds in the order apk ranks them when one version runs out before the other. */
const enum Kind {
  Invalid = -1,
  DotNumber = 0,
  Number = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  Revision = 5,
  End = 6,
}

const PRE_RELEASE = ['alpha', 'beta', 'pre', 'rc'];
const POST_RELEASE = ['cvs', 'svn', 'git', 'hg', 'p'];

class Tokens {
  private pos = 0;
  kind: Kind = Kind.Number;

  constructor(private readonly s: string) {}

  /** The value of the current token; advances `kind` to the token after it. */
  take(): number {
    const s = this.s;
    if (this.pos >= s.length) {
      this.kind = Kind.End;
      return 0;
    }
    let value = 0;
    let forced: Kind | undefined;
    switch (this.kind) {
      case Kind.DotNumber:
        if (s[this.pos] === '0') {
          // A component with leading zeros ranks below any without ("1.01" < "1.1"), and more
          // zeros rank lower still; the digits after the zeros follow as a token of their own.
          const start = this.pos;
          while (this.pos < s.length && s[this.pos] === '0') this.pos++;
          value = -(this.pos - start);
          forced = Kind.Number;
          break;
        }
      // falls through: a component without leading zeros is an ordinary number
      case Kind.Number:
      case Kind.SuffixNumber:
      case Kind.Revision:
        while (this.pos < s.length && isDigit(s[this.pos])) value = value * 10 + (s.charCodeAt(this.pos++) - 48);
        break;
      case Kind.Letter:
        value = s.charCodeAt(this.pos++);
        break;
      case Kind.Suffix: {
        const rest = s.slice(this.pos);
        const pre = PRE_RELEASE.findIndex((w) => rest.startsWith(w));
        if (pre >= 0) {
          value = pre - PRE_RELEASE.length;
          this.pos += PRE_RELEASE[pre].length;
          break;
        }
        const post = POST_RELEASE.findIndex((w) => rest.startsWith(w));
        if (post >= 0) {
          value = post;
          this.pos += POST_RELEASE[post].length;
          break;
        }
        this.kind = Kind.Invalid;
        return -1;
      }
      default:
        this.kind = Kind.Invalid;
        return -1;
    }
    if (this.pos >= s.length) this.kind = Kind.End;
    else if (forced !== undefined) this.kind = forced;
    else this.advanceKind();
    return value;
  }

  /** Reads the separator (if any) that starts the next token and sets its kind. */
  private advanceKind(): void {
    const s = this.s;
    const c = s[this.pos];
    const prev = this.kind;
    let next: Kind = Kind.Invalid;
    if ((prev === Kind.Number || prev === Kind.DotNumber) && c >= 'a' && c <= 'z') next = Kind.Letter;
    else if (prev === Kind.Letter && isDigit(c)) next = Kind.Number;
    else if (prev === Kind.Suffix && isDigit(c)) next = Kind.SuffixNumber;
    else {
      if (c === '.') next = Kind.DotNumber;
      else if (c === '_') next = Kind.Suffix;
      else if (c === '-' && s[this.pos + 1] === 'r') {
        next = Kind.Revision;
        this.pos++;
      }
      this.pos++;
    }
    // Tokens only move forward through the grammar, with three allowed steps back: another dotted
    // number after a number, another suffix after a suffix number, and digits after a letter.
    const allowedBack = (next === Kind.DotNumber && prev === Kind.Number) || (next === Kind.Suffix && prev === Kind.SuffixNumber) || (next === Kind.Number && prev === Kind.Letter);
    this.kind = next < prev && !allowedBack ? Kind.Invalid : next;
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in apk's order. */
export function compareApkVersions(a: string, b: string): number {
  const x = new Tokens(a);
  const y = new Tokens(b);
  let xv = 0;
  let yv = 0;
  while (x.kind === y.kind && x.kind !== Kind.End && x.kind !== Kind.Invalid && xv === yv) {
    xv = x.take();
    yv = y.take();
  }
  if (xv !== yv) return xv < yv ? -1 : 1;
  if (x.kind === y.kind) return 0;
  // Equal so far and one goes on: the longer one is newer, unless what follows is a pre-release
  // suffix (1.0_rc1 < 1.0).
  const xk = x.kind;
  const yk = y.kind;
  if (xk === Kind.Suffix && x.take() < 0) return -1;
  if (yk === Kind.Suffix && y.take() < 0) return 1;
  if (xk > yk) return -1;
  if (yk > xk) return 1;
  return 0;
}
