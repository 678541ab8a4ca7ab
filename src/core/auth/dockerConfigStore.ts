/**
 * The credential store backed by Docker's config.json: reads the file (again whenever it changes),
 * decodes its "auths" entries and defers to the credential helpers it names, matching registry
 * names the way the Docker CLI does.
 *
 * Nothing in here logs or puts a secret into an error message.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../errors';
import { HELPER_TIMEOUT_MS, runCredentialHelper } from './credentialHelper';
import { CredentialStore, Credentials, hasAnyCredentials } from './credentials';
import { lookupRegistryKey } from './registryKeys';
import { isObject } from '../../shared/isObject';

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
    return hasAnyCredentials(c) ? c : undefined;
  }

  private runHelper(name: string, registry: string): Promise<Credentials | undefined> {
    return runCredentialHelper(name, registry, {
      configFile: this.configFile,
      env: this.env,
      pathEnv: this.pathEnv,
      timeoutMs: this.helperTimeoutMs,
    });
  }
}

