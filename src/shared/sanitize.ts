/**
 * Making registry-supplied text harmless before it reaches a terminal.
 *
 * A registry we talk to may be hostile: error bodies, media types, platform fields, annotations,
 * history lines and tags are all its text. Written raw, an ESC or CSI sequence can retitle the
 * terminal, clear it, move the cursor over our own output or (with some emulators) write files;
 * bidi overrides can make a line read differently from what it holds (Trojan Source), and a
 * megabyte without a newline buries everything else. Everything here is pure string work with no
 * Node or DOM API, so the webview bundle can use it too.
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Longest line terminalText lets through: generous for our own output, fatal to a flood. */
export const TERMINAL_LINE_MAX = 2000;
/** Most lines one terminalText call writes; a registry string with a million newlines is a flood too. */
export const TERMINAL_LINES_MAX = 1000;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** The visible stand-in for one unsafe character: `\x1b` for C0 and DEL, `\u009b` above. */
function escapeChar(c: string): string {
  const short = SHORT_ESCAPES[c];
  if (short) return short;
  const code = c.charCodeAt(0);
  return code <= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every control, separator and bidi control written as a visible escape; other text unchanged. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * Joins pieces up to `limit` characters; when more would follow, cuts so that the result,
 * `…` included, is at most `limit`. Escapes are atomic (a cut `\x1` would be a lie), and text is
 * never cut inside a surrogate pair.
 */
class Capped {
  private readonly pieces: string[] = [];
  private readonly atomic: boolean[] = [];
  private length = 0;
  cut = false;

  constructor(private readonly limit: number) {}

  /** False once the limit is passed: the caller stops feeding. */
  add(piece: string, atomic: boolean): boolean {
    if (this.cut) return false;
    this.pieces.push(piece);
    this.atomic.push(atomic);
    this.length += piece.length;
    if (this.length <= this.limit) return true;
    this.cut = true;
    const room = this.limit - 1;
    while (this.length > room) {
      const last = this.pieces.pop()!;
      const wasAtomic = this.atomic.pop()!;
      this.length -= last.length;
      const fits = room - this.length;
      if (!wasAtomic && fits > 0) {
        let part = last.slice(0, fits);
        if (/[\ud800-\udbff]$/.test(part)) part = part.slice(0, -1);
        this.pieces.push(part);
        this.atomic.push(false);
        this.length += part.length;
      }
    }
    return false;
  }

  text(): string {
    const joined = this.pieces.join('');
    return this.cut ? joined.trimEnd() + '…' : joined;
  }
}

// Whitespace runs (JavaScript's \s, which takes in \n, \r, \t, U+2028/9, NBSP and BOM), single
// unsafe characters, and runs of anything else.
// eslint-disable-next-line no-control-regex
const ONE_LINE_TOKENS = /(\s+)|([\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069])|([^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+)/g;

/**
 * One line for a message or a list row: controls escaped, whitespace runs (newlines included,
 * as error bodies are full of them) collapsed to one space and trimmed, at most `max`
 * characters with a trailing `…` when cut.
 */
export function oneLine(s: string, max = 200): string {
  const out = new Capped(Math.max(1, Math.floor(max)));
  // A whitespace run becomes a space only between two pieces of text: leading and trailing runs go.
  let pendingSpace = false;
  let started = false;
  const tokens = new RegExp(ONE_LINE_TOKENS.source, 'g');
  for (let m = tokens.exec(s); m !== null; m = tokens.exec(s)) {
    if (m[1] !== undefined) {
      pendingSpace = started;
      continue;
    }
    if (pendingSpace && !out.add(' ', false)) break;
    pendingSpace = false;
    started = true;
    const ok = m[2] !== undefined ? out.add(escapeChar(m[2]), true) : out.add(m[3], false);
    if (!ok) break;
  }
  return out.text();
}

// Unsafe characters except tab (which terminalText keeps), and runs of anything else.
// eslint-disable-next-line no-control-regex
const LINE_TOKENS = /([\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069])|([^\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+)/g;

function terminalLine(line: string): string {
  const out = new Capped(TERMINAL_LINE_MAX);
  const tokens = new RegExp(LINE_TOKENS.source, 'g');
  for (let m = tokens.exec(line); m !== null; m = tokens.exec(line)) {
    const ok = m[1] !== undefined ? out.add(escapeChar(m[1]), true) : out.add(m[2], false);
    if (!ok) break;
  }
  return out.text();
}

/**
 * Whole output as the CLI writes it: our own newlines and tabs kept, every other control escaped,
 * each line capped at TERMINAL_LINE_MAX characters and the text at TERMINAL_LINES_MAX lines.
 */
export function terminalText(s: string): string {
  const lines: string[] = [];
  let start = 0;
  while (start <= s.length) {
    const end = s.indexOf('\n', start);
    const stop = end < 0 ? s.length : end;
    if (lines.length === TERMINAL_LINES_MAX && start < s.length) {
      let more = 1;
      for (let i = s.indexOf('\n', start); i >= 0; i = s.indexOf('\n', i + 1)) more++;
      lines.push(`… (${more} more line${more === 1 ? '' : 's'} not shown)`);
      break;
    }
    lines.push(terminalLine(s.slice(start, stop)));
    if (end < 0) break;
    start = end + 1;
  }
  return lines.join('\n');
}

// JSON.stringify escapes C0 itself; these it leaves raw, and a terminal would act on them.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify(value, null, 2)` that is safe to print: DEL, C1 controls, line separators and bidi
 * controls are written as `\uXXXX`. They can only occur inside JSON strings (the syntax around them
 * is ASCII), where `\uXXXX` means the same character, so the output parses back to the same value.
 * A value JSON cannot represent at all (undefined, a function) is written as `null`.
 */
export function jsonForTerminal(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
