/**
 * Running a Docker credential helper (docker-credential-<name> get): finding it on PATH without a
 * shell, running it with a time limit that kills whatever it started, and reading its answer.
 *
 * Nothing in here logs or puts a secret into an error message.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { Credentials } from './credentials';
import { helperServerUrl } from './registryKeys';
import { isObject } from '../../shared/isObject';

/** Default time a credential helper may take before it is killed. */
export const HELPER_TIMEOUT_MS = 30_000;

export interface CredentialHelperContext {
  /** The config.json that names the helper, for messages. */
  configFile: string;
  env: NodeJS.ProcessEnv;
  /** PATH searched for the helper. */
  pathEnv: string;
  timeoutMs: number;
}

/**
 * Asks the helper `name` for the credentials of `registry`; undefined when it has none.
 * Throws a UserError when the helper is missing, hangs, fails or answers nonsense.
 */
export async function runCredentialHelper(name: string, registry: string, ctx: CredentialHelperContext): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const exe = await findOnPath(program, ctx.pathEnv, ctx.env);
  if (!exe) {
    throw new UserError(
      'credentials',
      `The Docker credential helper "${program}" named in ${ctx.configFile} was not found on PATH; install it or remove it from the config.`,
    );
  }
  const serverUrl = helperServerUrl(registry);
  const result = await runProcess(exe, ['get'], serverUrl, ctx.env, ctx.timeoutMs);
  if (result.error) {
    throw new UserError(
      'credentials',
      `The Docker credential helper "${program}" could not be started (${result.error}); check that it is installed correctly.`,
    );
  }
  if (result.timedOut) {
    throw new UserError(
      'credentials',
      `The Docker credential helper "${program}" did not answer within ${Math.round(ctx.timeoutMs / 1000)} seconds for ${registry}; unlock your keychain or check the helper, then try again.`,
    );
  }
  const combined = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0) {
    if (/credentials not found/i.test(combined)) return undefined;
    throw new UserError(
      'credentials',
      `The Docker credential helper "${program}" failed for ${registry} (exit code ${result.code ?? result.signal}); run "docker login ${registry}" again or check the helper.`,
      // The helper's stderr is diagnostic text, never its answer; keep it short.
      result.stderr.trim().slice(0, 300) || undefined,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    if (/credentials not found/i.test(combined)) return undefined;
    throw new UserError(
      'credentials',
      `The Docker credential helper "${program}" returned an answer for ${registry} that is not valid JSON; check the helper or run docker login ${registry} again.`,
    );
  }
  if (!isObject(parsed)) {
    throw new UserError(
      'credentials',
      `The Docker credential helper "${program}" returned an answer for ${registry} that is not a JSON object; check the helper or run docker login ${registry} again.`,
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (!username && !secret) return undefined;
  if (username === '<token>') return secret ? { identityToken: secret } : undefined;
  return { username, password: secret };
}

/** Finds an executable on a PATH string without involving a shell. */
export async function findOnPath(program: string, pathEnv: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const isWindows = process.platform === 'win32';
  const exts = isWindows
    ? ['', ...(env.PATHEXT || env.Pathext || '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean).map((e) => e.toLowerCase())]
    : [''];
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, program + ext);
      try {
        const st = await fs.promises.stat(candidate);
        if (!st.isFile()) continue;
        if (!isWindows) await fs.promises.access(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error?: string;
}

const MAX_OUTPUT = 1024 * 1024;

/** Runs `exe args` directly (no shell), writes `input` to its stdin, and collects its output. */
function runProcess(exe: string, args: string[], input: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProcessResult> {
  const isWindows = process.platform === 'win32';
  return new Promise((resolve) => {
    let child;
    try {
      // Own process group (POSIX), so a timed-out helper can be killed with whatever it started.
      child = spawn(exe, args, { env, shell: false, windowsHide: true, detached: !isWindows, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, error: (e as NodeJS.ErrnoException).code ?? 'error' });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (!isWindows && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      // Don't wait for 'close': a grandchild may still hold the pipes open.
      child.stdout.destroy();
      child.stderr.destroy();
      finish({ code: null, signal: 'SIGKILL' });
    }, timeoutMs);
    const finish = (r: Omit<ProcessResult, 'stdout' | 'stderr' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        ...r,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    };
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < MAX_OUTPUT) out.push(b);
      outLen += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errLen < MAX_OUTPUT) err.push(b);
      errLen += b.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => finish({ code: null, signal: null, error: e.code ?? 'error' }));
    child.on('close', (code, signal) => finish({ code, signal }));
    child.stdin.on('error', () => {
      // The helper may exit without reading stdin (EPIPE); its exit status tells the story.
    });
    child.stdin.end(input);
  });
}
