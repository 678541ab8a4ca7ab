/**
 * Registry credentials: where they come from (Docker's config.json, credential helpers, or stores
 * the shells add, such as VS Code SecretStorage) and how a registry name is matched to them.
 *
 * Nothing in here logs or puts a secret into an error message.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../errors';

export interface Credentials {
  username?: string;
  password?: string;
  /** Identity (refresh) token, exchanged at the token endpoint with an OAuth2 refresh_token grant. */
  identityToken?: string;
  /** A ready bearer token, sent to the registry as is. */
  registryToken?: string;
}

export interface CredentialStore {
  /** `registry` is the normalised domain, e.g. "docker.io", "ghcr.io", "127.0.0.1:5000". */
  get(registry: string): Promise<Credentials | undefined>;
}

/** The key Docker uses for Docker Hub in config.json and with credential helpers. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];

/** Default time a credential helper may take before it is killed. */
export const HELPER_TIMEOUT_MS = 30_000;

/** True for the names Docker Hub goes by. */
export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.includes(registryHostname(registry));
}

/**
 * Reduces a config.json key or a registry name to a lower-cased host[:port], like Docker's
 * `ConvertToHostname`: drops "http://" / "https://" and everything from the first "/".
 */
export function registryHostname(key: string): string {
  let k = key.trim();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

/**
 * The config.json keys that may hold credentials for `registry`, best first. For Docker Hub these
 * are Docker's own key and the usual aliases; for other registries, the host itself.
 */
function candidateKeys(registry: string): string[] {
  if (isDockerHub(registry)) {
    return [DOCKER_HUB_CONFIG_KEY, 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [registryHostname(registry)];
}

/**
 * Finds the entry of `map` for `registry`: an exact match of a preferred key first, then any key
 * that reduces to the same host (with or without scheme and path), then for Docker Hub any alias.
 */
export function lookupRegistryKey<T>(map: Record<string, T> | undefined, registry: string): { key: string; value: T } | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const keys = Object.keys(map);
  const candidates = candidateKeys(registry);
  for (const c of candidates) {
    if (Object.prototype.hasOwnProperty.call(map, c)) return { key: c, value: map[c] };
  }
  const hosts = new Set(candidates.map(registryHostname));
  for (const c of candidates) {
    for (const k of keys) {
      if (registryHostname(k) === registryHostname(c)) return { key: k, value: map[k] };
    }
  }
  for (const k of keys) {
    if (hosts.has(registryHostname(k))) return { key: k, value: map[k] };
  }
  return undefined;
}

/** The server URL a credential helper is asked about: Docker's Hub key, or the host. */
export function helperServerUrl(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_CONFIG_KEY : registryHostname(registry);
}

function hasAny(c: Credentials): boolean {
  return !!(c.username || c.password || c.identityToken || c.registryToken);
}

// ---------------------------------------------------------------------------------------------

export class StaticCredentialStore implements CredentialStore {
  private readonly map: Record<string, Credentials>;
  constructor(map: Record<string, Credentials>) {
    this.map = { ...map };
  }
  async get(registry: string): Promise<Credentials | undefined> {
    const hit = lookupRegistryKey(this.map, registry);
    return hit ? { ...hit.value } : undefined;
  }
}

/** Asks each store in turn; the first one that has credentials wins. */
export class ChainedCredentialStore implements CredentialStore {
  private readonly stores: CredentialStore[];
  constructor(stores: CredentialStore[]) {
    this.stores = [...stores];
  }
  async get(registry: string): Promise<Credentials | undefined> {
    for (const store of this.stores) {
      const c = await store.get(registry);
      if (c && hasAny(c)) return c;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface DockerConfigCredentialStoreOptions {
  /** Directory holding config.json; default $DOCKER_CONFIG, else ~/.docker. */
  configDir?: string;
  /** Environment for the credential helpers (and for DOCKER_CONFIG / PATH defaults). */
  env?: NodeJS.ProcessEnv;
  /** PATH searched for docker-credential-* helpers; default env.PATH. */
  pathEnv?: string;
  /** Milliseconds a credential helper may run; default 30 s. */
  helperTimeoutMs?: number;
}

/**
 * Reads Docker's config.json (re-reading it when it changes) and runs the credential helpers it
 * names, matching registry names the way the Docker CLI does.
 */
export class DockerConfigCredentialStore implements CredentialStore {
  readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly pathEnv: string;
  private readonly helperTimeoutMs: number;
  private cached: { stamp: string; config: DockerConfigFile | undefined } | undefined;

  constructor(opts: DockerConfigCredentialStoreOptions = {}) {
    this.env = opts.env ?? process.env;
    const dir = opts.configDir ?? (this.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'));
    this.configFile = path.join(dir, 'config.json');
    this.pathEnv = opts.pathEnv ?? this.env.PATH ?? this.env.Path ?? '';
    this.helperTimeoutMs = opts.helperTimeoutMs ?? HELPER_TIMEOUT_MS;
  }

  async get(registry: string): Promise<Credentials | undefined> {
    const config = await this.readConfig();
    if (!config) return undefined;

    const helper = lookupRegistryKey(isObject(config.credHelpers) ? config.credHelpers : undefined, registry);
    if (helper && typeof helper.value === 'string' && helper.value) {
      // A registry-specific helper replaces the default store; a saved "auths" entry is still
      // used when the helper has nothing (Docker keeps usernames there).
      const fromHelper = await this.runHelper(helper.value, registry);
      if (fromHelper) return fromHelper;
    } else if (typeof config.credsStore === 'string' && config.credsStore) {
      const fromStore = await this.runHelper(config.credsStore, registry);
      if (fromStore) return fromStore;
    }
    const entry = lookupRegistryKey(isObject(config.auths) ? config.auths : undefined, registry);
    if (entry && isObject(entry.value)) return this.fromAuthEntry(entry.value, registry);
    return undefined;
  }

  /** The parsed config, or undefined when there is no config file. Cached until the file changes. */
  private async readConfig(): Promise<DockerConfigFile | undefined> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(this.configFile);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.cached = undefined;
        return undefined;
      }
      throw new UserError(
        'credentials',
        `The Docker config file ${this.configFile} could not be read (${code ?? 'error'}); check its permissions.`,
      );
    }
    const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    if (this.cached && this.cached.stamp === stamp) return this.cached.config;

    let text: string;
    try {
      text = await fs.promises.readFile(this.configFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new UserError(
        'credentials',
        `The Docker config file ${this.configFile} could not be read (${code ?? 'error'}); check its permissions.`,
      );
    }
    let config: DockerConfigFile | undefined;
    if (text.trim() === '') {
      config = {};
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch {
        // Never echo the parse error: it may quote part of the file, which holds secrets.
        throw new UserError(
          'credentials',
          `The Docker config file ${this.configFile} is not valid JSON; fix or delete it, then run docker login again.`,
        );
      }
      if (!isObject(parsed)) {
        throw new UserError(
          'credentials',
          `The Docker config file ${this.configFile} does not hold a JSON object; fix or delete it, then run docker login again.`,
        );
      }
      config = parsed as DockerConfigFile;
    }
    this.cached = { stamp, config };
    return config;
  }

  private fromAuthEntry(entry: DockerAuthEntry, registry: string): Credentials | undefined {
    const c: Credentials = {};
    if (typeof entry.auth === 'string' && entry.auth.trim() !== '') {
      const decoded = Buffer.from(entry.auth.trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new UserError(
          'credentials',
          `The saved login for ${registry} in ${this.configFile} is malformed (its "auth" value is not base64 of user:password); run docker login ${registry} again.`,
        );
      }
      if (colon > 0) c.username = decoded.slice(0, colon);
      if (colon + 1 < decoded.length) c.password = decoded.slice(colon + 1);
    }
    if (typeof entry.username === 'string' && entry.username && !c.username) c.username = entry.username;
    if (typeof entry.password === 'string' && entry.password && !c.password) c.password = entry.password;
    if (typeof entry.identitytoken === 'string' && entry.identitytoken) c.identityToken = entry.identitytoken;
    if (typeof entry.registrytoken === 'string' && entry.registrytoken) c.registryToken = entry.registrytoken;
    return hasAny(c) ? c : undefined;
  }

  private async runHelper(name: string, registry: string): Promise<Credentials | undefined> {
    const program = `docker-credential-${name}`;
    const exe = await findOnPath(program, this.pathEnv, this.env);
    if (!exe) {
      throw new UserError(
        'credentials',
        `The Docker credential helper "${program}" named in ${this.configFile} was not found on PATH; install it or remove it from the config.`,
      );
    }
    const serverUrl = helperServerUrl(registry);
    const result = await runProcess(exe, ['get'], serverUrl, this.env, this.helperTimeoutMs);
    if (result.error) {
      throw new UserError(
        'credentials',
        `The Docker credential helper "${program}" could not be started (${result.error}); check that it is installed correctly.`,
      );
    }
    if (result.timedOut) {
      throw new UserError(
        'credentials',
        `The Docker credential helper "${program}" did not answer within ${Math.round(this.helperTimeoutMs / 1000)} seconds for ${registry}; unlock your keychain or check the helper, then try again.`,
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
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
