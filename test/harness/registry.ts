import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './ports';
import type { TokenAuthConfig } from './tokenServer';
import { captureOutput, makeTempDir, removeTempDir, run, sleep, spawnDaemon, stopDaemon } from './tools';

export type { TokenAuthConfig } from './tokenServer';

export interface RegistryOptions {
  htpasswd?: { username: string; password: string };
  token?: TokenAuthConfig;
  /**
   * Accept manifests whose layers carry `urls` (Windows foreign layers) without the blob, as Docker
   * Hub and MCR do. Default true: it changes nothing for ordinary images.
   */
  allowForeignUrls?: boolean;
}

export interface TestRegistry {
  /** "127.0.0.1:PORT", the form image references use. */
  host: string;
  /** "http://127.0.0.1:PORT". */
  url: string;
  storageDir: string;
  /** Stops the process but keeps port and storage, so tests can see "unreachable" then recover. */
  kill(): Promise<void>;
  /** Starts it again on the same port and storage after kill(); no-op when already running. */
  start(): Promise<void>;
  /** kill() + start(). */
  restart(): Promise<void>;
  /** Final stop: kills the process and removes the temp dirs. Idempotent. */
  stop(): Promise<void>;
}

/** Runs a real Distribution 2.8.2 (`docker-registry`) on a free loopback port. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  if (opts.htpasswd && opts.token) throw new Error('startRegistry: choose htpasswd or token auth, not both');
  const dir = makeTempDir('registry');
  const storageDir = join(dir, 'storage');
  await mkdir(storageDir);
  let auth: Record<string, unknown> | undefined;
  if (opts.htpasswd) {
    // Distribution only understands bcrypt entries.
    const { stdout } = await run('htpasswd', ['-Bbn', opts.htpasswd.username, opts.htpasswd.password]);
    const path = join(dir, 'htpasswd');
    await writeFile(path, stdout.trim() + '\n');
    auth = { htpasswd: { realm: 'test-registry', path } };
  } else if (opts.token) {
    auth = { token: { ...opts.token } };
  }

  const configPath = join(dir, 'config.yml');
  const instanceId = randomUUID();
  const writeConfig = async (host: string): Promise<void> => {
    const config: Record<string, unknown> = {
      version: '0.1',
      log: { level: 'error', accesslog: { disabled: true }, formatter: 'text' },
      storage: {
        filesystem: { rootdirectory: storageDir },
        delete: { enabled: true },
        // No `cache` key: without a blob descriptor cache, blobs deleted behind the registry's
        // back are seen as missing at once.
        maintenance: { uploadpurging: { enabled: false } },
      },
      // A fixed secret silences the "No HTTP secret provided" warning and keeps upload state
      // valid across restart().
      // The id header lets waitReady() tell our process from whatever else may sit on the port.
      http: { addr: host, secret: 'rebase-test-secret', headers: { 'X-Test-Registry-Id': [instanceId] } },
      health: { storagedriver: { enabled: false } },
    };
    if (auth) config.auth = auth;
    if (opts.allowForeignUrls ?? true) {
      config.validation = { manifests: { urls: { allow: ['^https?://'] } } };
    }
    // JSON is YAML, so no YAML writer is needed.
    await writeFile(configPath, JSON.stringify(config, null, 2));
  };

  let child: ChildProcess | undefined;
  let stopped = false;

  const start = async (host: string): Promise<void> => {
    if (stopped) throw new Error('registry was stopped for good; start a new one');
    if (child && child.exitCode === null && child.signalCode === null) return;
    const proc = spawnDaemon('docker-registry', ['serve', configPath]);
    child = proc;
    const output = captureOutput(proc);
    await waitReady(`http://${host}`, instanceId, proc, output);
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc) await stopDaemon(proc);
  };

  // freePort() can race with another process grabbing the port before the registry binds it; the
  // port is fixed only once a start has succeeded (restart() must keep it).
  let host = '';
  for (let attempt = 1; ; attempt++) {
    host = `127.0.0.1:${await freePort()}`;
    await writeConfig(host);
    try {
      await start(host);
      break;
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) {
        await removeTempDir(dir);
        throw err;
      }
    }
  }
  const url = `http://${host}`;

  return {
    host,
    url,
    storageDir,
    kill,
    start: () => start(host),
    async restart() {
      await kill();
      await start(host);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      await removeTempDir(dir);
    },
  };
}

async function waitReady(url: string, instanceId: string, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`docker-registry exited during start (${proc.exitCode ?? proc.signalCode}):\n${output()}`);
    }
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if ((res.status === 200 || res.status === 401) && res.headers.get('x-test-registry-id') === instanceId) return;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  await stopDaemon(proc);
  throw new Error(`docker-registry did not answer on ${url}/v2/ within 15 s:\n${output()}`);
}
