// Docker client configuration for tests: a config.json in a temp dir (pointed at by DOCKER_CONFIG)
// and docker-credential-* helper programs on PATH, as `docker login` and credential stores leave them
// on a user's machine. The code under test reads $DOCKER_CONFIG and $PATH from process.env when its
// credential store is constructed, so tests swap those variables around each run (`withEnv`).
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Creds } from './rawRegistry';
import { makeTempDir, removeTempDir } from './tools';

export interface DockerConfigDir {
  /** The directory to put in DOCKER_CONFIG. */
  dir: string;
  /** Writes (or replaces) config.json with this object. */
  write(config: object): Promise<void>;
  cleanup(): Promise<void>;
}

/** An empty DOCKER_CONFIG directory (no config.json: "never logged in"). */
export async function dockerConfigDir(config?: object): Promise<DockerConfigDir> {
  const dir = makeTempDir('docker-config');
  const write = async (c: object) => {
    await writeFile(join(dir, 'config.json'), JSON.stringify(c, null, 2), { mode: 0o600 });
  };
  if (config) await write(config);
  return { dir, write, cleanup: () => removeTempDir(dir) };
}

/** The `auths` entry `docker login` writes: base64 of "user:password". */
export function authsEntry(host: string, creds: Creds): { auths: Record<string, { auth: string }> } {
  return { auths: { [host]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } } };
}

export interface CredentialHelper {
  /** The name to use in config.json ("credHelpers" value or "credsStore"). */
  name: string;
  /** Directory holding docker-credential-NAME; prepend it to PATH. */
  binDir: string;
  /** Every invocation so far: the action (get, store, ...) and the server URL read from stdin. */
  calls(): Promise<Array<{ action: string; serverUrl: string }>>;
  cleanup(): Promise<void>;
}

/**
 * Writes an executable `docker-credential-NAME` (a POSIX shell script) that answers `get` for any
 * server with the given credentials, in the protocol of docker-credential-helpers, and logs each call.
 * `creds` undefined makes it answer "credentials not found" (exit 1), as real helpers do.
 */
export async function credentialHelper(name: string, creds: Creds | undefined): Promise<CredentialHelper> {
  const binDir = makeTempDir('cred-helper');
  const log = join(binDir, 'calls.log');
  await writeFile(log, '');
  const json = (s: string) => JSON.stringify(s).replace(/'/g, `'\\''`);
  const answer = creds
    ? `printf '{"ServerURL":"%s","Username":%s,"Secret":%s}\\n' "$server" '${json(creds.username)}' '${json(creds.password)}'`
    : `echo 'credentials not found in native keychain'; exit 1`;
  const script = `#!/bin/sh
# Test credential helper: logs each call, answers get with fixed credentials.
server=$(cat)
printf '%s %s\\n' "$1" "$server" >> '${log}'
case "$1" in
  get) ${answer} ;;
  *) echo "unsupported action $1" >&2; exit 1 ;;
esac
`;
  const exe = join(binDir, `docker-credential-${name}`);
  await writeFile(exe, script);
  await chmod(exe, 0o755);
  return {
    name,
    binDir,
    async calls() {
      const text = await readFile(log, 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const i = line.indexOf(' ');
          return { action: line.slice(0, i), serverUrl: line.slice(i + 1) };
        });
    },
    cleanup: () => removeTempDir(binDir),
  };
}

/** Sets environment variables (undefined deletes) for the duration of fn, then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** PATH with `dir` in front. */
export function pathWith(dir: string): string {
  return [dir, process.env.PATH ?? ''].filter(Boolean).join(delimiter);
}
