/**
 * The CLI's only way to write: every line it prints passes the sanitizer here. Registry strings
 * reach our output in many places (errors, warnings, platforms, history lines), so one gate means
 * a forgotten oneLine() still cannot put an escape sequence on the user's terminal.
 */
import { jsonForTerminal, terminalText } from '../shared/sanitize';

/** Where output goes: one call per line (or block of lines), without the trailing newline. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** An Io whose writes are sanitized, plus a JSON writer for --json. */
export interface Terminal extends Io {
  /** A document on stdout: stays parseable and is never cut (scripts read it), yet holds no raw control. */
  json: (value: unknown) => void;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
};

export function gate(io: Io): Terminal {
  return {
    out: (s) => io.out(terminalText(s)),
    err: (s) => io.err(terminalText(s)),
    json: (value) => io.out(jsonForTerminal(value)),
  };
}
