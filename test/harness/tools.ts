import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the command (and its process group) after this many ms. */
  timeoutMs?: number;
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFailure?: boolean;
}

/**
 * Runs a program without a shell (arguments reach it verbatim, no quoting traps) and rejects with
 * its stderr in the message, because the stderr of skopeo/umoci/ctr is the only useful clue when a
 * fixture step fails.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup(child, 'SIGKILL');
          }, opts.timeoutMs);
    child.once('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${cmd} could not be started: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = { stdout, stderr, code: code ?? -1 };
      if (code === 0 || (opts.allowFailure && !timedOut)) {
        resolve(result);
        return;
      }
      const why = timedOut ? `timed out after ${opts.timeoutMs} ms` : signal ? `killed by ${signal}` : `exit code ${code}`;
      const err = new Error(`${cmd} ${args.join(' ')} failed (${why}):\n${stderr.trim() || stdout.trim()}`);
      reject(Object.assign(err, result));
    });
    if (child.stdin) {
      // A program that exits without reading its input makes the write fail with EPIPE; that is
      // not our error to report (the exit code is).
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}

/**
 * Starts a long-running program in its own process group, so stopping it also stops anything it
 * forked, and registers it for the exit-time sweep.
 */
export function spawnDaemon(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, detached: true });
  track(child);
  return child;
}

/** Sends a signal to the child's whole process group; ignores a group that is already gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/**
 * Stops a daemon: SIGTERM first so it can clean up (containerd removes its socket), SIGKILL if it
 * has not exited within graceMs.
 */
export async function stopDaemon(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // stray grandchildren, if any
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
}

/** Collects a daemon's output so a failed start can say why. Keeps the tail only. */
export function captureOutput(child: ChildProcess, limit = 20000): () => string {
  let buf = '';
  const add = (d: Buffer | string) => {
    buf += d.toString();
    if (buf.length > limit) buf = buf.slice(-limit);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => buf;
}

// ---- exit-time sweep -------------------------------------------------------------------------
// A failing or interrupted test must not leave registries and containerd daemons running, nor
// gigabytes of temp dirs; node:test runs each file in its own process, so an exit hook per process
// is enough.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
// Every dir ever handed out, for strayProcesses(): daemon command lines name their config in one.
const allTempDirs: string[] = [];
let hooked = false;
let signalsOwnedByCaller = false;

/**
 * For a long-running program (npm start) that stops its parts itself on Ctrl-C and says so: the
 * sweep then runs only at exit, instead of killing everything the moment a signal arrives.
 */
export function leaveSignalsToCaller(): void {
  signalsOwnedByCaller = true;
}

export function signalsLeftToCaller(): boolean {
  return signalsOwnedByCaller;
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', sweep);
  if (signalsOwnedByCaller) return;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      sweep();
      // Re-raise so the exit status still says we were killed by the signal.
      process.kill(process.pid, sig);
    });
  }
}

function sweep(): void {
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort at exit.
    }
  }
  tempDirs.clear();
}

function track(child: ChildProcess): void {
  hook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** A fresh temp dir that is removed at process exit if nobody removed it before. */
export function makeTempDir(prefix: string): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), `rebase-test-${prefix}-`));
  tempDirs.add(dir);
  allTempDirs.push(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Number of harness-started processes still running; the smoke test asserts it ends at zero. */
export function liveChildren(): number {
  return children.size;
}

/**
 * Processes (pid and command line) still running from any temp dir this process created, whether
 * or not we still track them: catches grandchildren and daemons that outlived a kill.
 */
export function strayProcesses(): string[] {
  if (allTempDirs.length === 0) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline && allTempDirs.some((d) => cmdline.includes(d))) found.push(`${pid} ${cmdline}`);
  }
  return found;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
