// Starts a real VS Code (code-server 4.100.3 = VS Code 1.100.3, a devDependency finished by
// scripts/setup-code-server.sh) on a free loopback port, with throwaway user-data, extensions and
// XDG dirs, no auth, and the noisy features (telemetry, updates, welcome page, workspace trust)
// off. The server runs in its own process group; stop() ends the whole group, since its children
// (file watcher, extension host, pty host) outlive a plain kill of the parent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../harness/ports';
import { signalsLeftToCaller } from '../../harness/tools';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const CODE_SERVER_ENTRY = join(REPO_ROOT, 'node_modules/code-server/out/node/entry.js');

export interface CodeServerOptions {
  /** Folder the workbench opens (also given to code-server as its default folder). */
  workspace: string;
  /** Extra environment for code-server; it reaches the extension host too. */
  env?: Record<string, string>;
  /** Extensions dir to use (default: a fresh empty one, removed on stop). */
  extensionsDir?: string;
  /** A .vsix to install into the extensions dir before the server starts. */
  installVsix?: string;
  /** User settings (written to <user-data>/User/settings.json over the quiet defaults). */
  settings?: Record<string, unknown>;
  /** Milliseconds to wait for /healthz (default 30 000). */
  startTimeoutMs?: number;
  /** Echo code-server's own output to this process's stderr (default: only on failure). */
  verbose?: boolean;
  /** Port to listen on (default: a free one). */
  port?: number;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** 127.0.0.1 */
  host: string;
  /** The authority the browser uses, for vscode-remote:// URIs: 127.0.0.1:PORT */
  authority: string;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's stdout+stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Settings that keep a test workbench quiet and deterministic. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
};

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A runner that dies (or is interrupted) must not leave a VS Code server behind.
  process.once('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
  if (signalsLeftToCaller()) return;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      for (const child of live) killGroup(child, 'SIGKILL');
      process.exit(code);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function healthz(url: string): Promise<boolean> {
  return new Promise((ok) => {
    const req = get(new URL('healthz', url), (res) => {
      res.resume();
      ok(res.statusCode === 200);
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => ok(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY}); run npm ci && bash scripts/setup-code-server.sh`);
  }
  installExitHook();
  const base = await mkdtemp(join(tmpdir(), 'image-rebase-vscode-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = opts.extensionsDir ?? join(base, 'extensions');
  const xdgConfig = join(base, 'xdg-config');
  const xdgData = join(base, 'xdg-data');
  const configFile = join(base, 'config.yaml');
  await Promise.all([userDataDir, extensionsDir, xdgConfig, xdgData, join(userDataDir, 'User')].map((d) => mkdir(d, { recursive: true })));
  await writeFile(configFile, '');
  await writeFile(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: xdgConfig,
    XDG_DATA_HOME: xdgData,
    XDG_CACHE_HOME: join(base, 'xdg-cache'),
    // code-server reads these from the environment; none may leak in from the caller.
    PASSWORD: '',
    HASHED_PASSWORD: '',
    PORT: '',
    VSCODE_PROXY_URI: '',
    // No extension gallery: the workbench would otherwise look up open-vsx.org (no network here).
    EXTENSIONS_GALLERY: '{}',
    ...opts.env,
  };
  for (const k of ['PASSWORD', 'HASHED_PASSWORD', 'PORT', 'VSCODE_PROXY_URI']) if (env[k] === '') delete env[k];
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  if (opts.installVsix) {
    const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...common, '--force', '--install-extension', resolve(opts.installVsix)], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) {
      await rm(base, { recursive: true, force: true });
      throw new Error(`installing ${opts.installVsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
  }

  const host = '127.0.0.1';
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freePort());
    const url = `http://${host}:${port}/`;
    const child = spawn(
      process.execPath,
      [
        CODE_SERVER_ENTRY,
        ...common,
        '--auth', 'none',
        '--bind-addr', `${host}:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        resolve(opts.workspace),
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      if (opts.verbose) process.stderr.write(d);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    let exited = false;
    const exitPromise = new Promise<void>((r) => child.once('exit', () => { exited = true; live.delete(child); r(); }));

    const stop = async () => {
      if (!exited) {
        killGroup(child, 'SIGTERM');
        await Promise.race([exitPromise, sleep(5000)]);
      }
      // The group's other members (extension host, watcher) may still be there.
      killGroup(child, 'SIGKILL');
      live.delete(child);
      await sleep(100);
      await rm(base, { recursive: true, force: true, maxRetries: 3 });
    };

    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    let healthy = false;
    while (Date.now() < deadline && !exited) {
      if (await healthz(url)) { healthy = true; break; }
      await sleep(150);
    }
    if (healthy) {
      return {
        url,
        port,
        host,
        authority: `${host}:${port}`,
        workspace: resolve(opts.workspace),
        userDataDir,
        extensionsDir,
        output: () => out,
        stop,
      };
    }
    lastError = new Error(`code-server did not become healthy on ${url}${exited ? ' (it exited)' : ''}:\n${out.slice(-4000)}`);
    killGroup(child, 'SIGKILL');
    live.delete(child);
    // Port taken between probe and bind: try another one; anything else is fatal.
    if (!/EADDRINUSE/.test(out)) break;
  }
  await rm(base, { recursive: true, force: true });
  throw lastError!;
}
