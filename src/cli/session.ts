/**
 * What every CLI command shares: the registry options (insecure hosts, retries, timeouts,
 * verbosity), the client built from them, Ctrl-C, and the one place where an error becomes one
 * line on stderr and an exit status.
 */
import { ParseArgsConfig, parseArgs } from 'node:util';
import { DockerConfigCredentialStore } from '../core/auth/dockerConfigStore';
import { UserError, isUserError } from '../core/errors';
import { RegistryClient } from '../core/registry/client';
import { DEFAULT_RETRY_POLICY } from '../core/registry/retryPolicy';
import { DEFAULT_TIMEOUTS } from '../core/registry/transport';
import { oneLine } from '../shared/sanitize';
import { youngGcEvery } from './steadyMemory';
import { Terminal } from './terminal';

/** Caps for progress and warnings, and for errors: long enough for any message of ours, short of a flood. */
export const MESSAGE_MAX = 1000;
export const ERROR_MAX = 1500;

/** Exit statuses, as --help states them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, outdated: 3, uncertain: 4, interrupted: 130 } as const;

/** parseArgs options every command accepts. */
export const REGISTRY_OPTIONS = {
  'insecure-registry': { type: 'string', multiple: true },
  retries: { type: 'string' },
  timeout: { type: 'string' },
  'connect-timeout': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

export const REGISTRY_USAGE = `      --insecure-registry HOST  use plain HTTP for HOST (repeatable; loopback hosts
                                such as localhost:5000 always use HTTP, as with Docker)
      --retries N               send a request that failed for a passing reason (network
                                error, timeout, HTTP 408/429/5xx) again up to N times, with
                                growing pauses that honour Retry-After (default ${DEFAULT_RETRY_POLICY.retries})
      --timeout SECONDS         give up on an attempt when the registry moves almost no
                                data for this long (default ${DEFAULT_TIMEOUTS.idleMs / 1000})
      --connect-timeout SECONDS give up on an attempt that gets no connection this fast
                                (default ${DEFAULT_TIMEOUTS.connectMs / 1000})
  -v, --verbose                 log every registry request on stderr`;

export const EXIT_USAGE = `Exit status: 0 on success, 1 when it failed (the target tag is left as it was),
2 for a usage error, 4 when the registry's answer to the final push was lost and the tag
could not be read back (check it), 130 when interrupted.`;

export interface RegistryFlags {
  'insecure-registry'?: string[];
  retries?: string;
  timeout?: string;
  'connect-timeout'?: string;
  verbose?: boolean;
  /** Commands with --json: the outcome also goes to stdout as JSON. */
  json?: boolean;
}

type Body = (client: RegistryClient, signal: AbortSignal, progress: (e: { message: string }) => void) => Promise<number>;

/** Client, Ctrl-C handling and the one place errors become one line on stderr and an exit status. */
export async function withClient(io: Terminal, v: RegistryFlags, body: Body): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    io.err('Interrupted: stopping before the manifest is pushed (press Ctrl-C again to quit at once).');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = (e: { message: string }) => io.err(oneLine(e.message, MESSAGE_MAX));
  try {
    const client = new RegistryClient({
      credentials: new DockerConfigCredentialStore(),
      insecureRegistries: v['insecure-registry'] ?? [],
      log: v.verbose ? (line) => io.err(`  ${oneLine(line, MESSAGE_MAX)}`) : undefined,
      // Retries and rate limits are shown without -v: a CI log should say why a run was slow.
      notice: (line) => io.err(oneLine(line, MESSAGE_MAX)),
      retry: { retries: count(v.retries, '--retries', DEFAULT_RETRY_POLICY.retries, 20) },
      timeouts: {
        idleMs: seconds(v.timeout, '--timeout', DEFAULT_TIMEOUTS.idleMs),
        connectMs: seconds(v['connect-timeout'], '--connect-timeout', DEFAULT_TIMEOUTS.connectMs),
      },
      onLayerChunk: youngGcEvery(2 * 1024 * 1024),
    });
    return await body(client, controller.signal, progress);
  } catch (e) {
    return exitStatusFor(io, v, e);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * What an error ending a rebase means for the exit status, after saying it in one line. Fan-out
 * calls it per target, so one target failing does not end the others.
 */
export function exitStatusFor(io: Terminal, v: RegistryFlags, e: unknown): number {
  if (isUserError(e) && e.code === 'already-on-base') {
    // Nothing to do is an answer, not a failure: a pipeline that rebases every image onto the
    // latest base must not stop at the ones already on it.
    io.err(oneLine(e.message, ERROR_MAX));
    if (v.json) io.json({ alreadyOnBase: true, written: false, message: e.message });
    return EXIT.ok;
  }
  if (isUserError(e)) {
    io.err(`Error: ${oneLine(e.message, ERROR_MAX)}`);
    switch (e.code) {
      case 'cancelled':
        return EXIT.interrupted;
      case 'usage':
        return EXIT.usage;
      case 'uncertain':
        return EXIT.uncertain;
      default:
        return EXIT.failed;
    }
  }
  io.err(`Error: unexpected failure (${oneLine(firstLine(e), 300)}); the target tag was not changed, so please report this with the output of --verbose.`);
  return EXIT.failed;
}

function count(text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > max) throw new UserError('usage', `${flag} takes a whole number from 0 to ${max}, not "${oneLine(text, 40)}".`);
  return Number(text);
}

function seconds(text: string | undefined, flag: string, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n <= 0 || n > 3600) throw new UserError('usage', `${flag} takes a number of seconds above 0 and up to 3600, not "${oneLine(text, 40)}".`);
  return Math.round(n * 1000);
}

/**
 * The user's own references, parsed before any request: a malformed one is a usage error (exit 2),
 * while one found malformed later, inside registry data, is a failed rebase (exit 1).
 */
export function userArguments<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isUserError(e) && e.code === 'reference') throw new UserError('usage', e.message);
    throw e;
  }
}

/** parseArgs' own messages suggest `--` tricks that make no sense here: keep just the gist. */
export function argumentProblem(e: unknown): string {
  const message = String((e as Error)?.message ?? e);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  const option = quoted === undefined ? undefined : oneLine(quoted, 200);
  switch ((e as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${option ?? ''} needs a value`.replace('  ', ' ');
    default:
      return oneLine(message.split('\n')[0], 300).replace(/\.$/, '');
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
type OptionTable = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends OptionTable> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & typeof REGISTRY_OPTIONS & typeof HELP_OPTION }>>;

/**
 * A subcommand's arguments, with the registry options and -h added: the parsed values, or the
 * exit status when the command is over already (its help was shown, or a usage error was).
 */
export function parseCommand<O extends OptionTable>(io: Terminal, command: string, argv: string[], options: O, usage: string): Parsed<O> | { exit: number } {
  let args: Parsed<O>;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, ...REGISTRY_OPTIONS, ...HELP_OPTION } }) as Parsed<O>;
  } catch (e) {
    io.err(`rebase-image ${command}: ${argumentProblem(e)}. Run rebase-image ${command} --help for usage.`);
    return { exit: EXIT.usage };
  }
  if ((args.values as { help?: boolean }).help) {
    io.out(usage);
    return { exit: EXIT.ok };
  }
  return args;
}
