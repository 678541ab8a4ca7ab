/**
 * Registry authentication: answers 401 challenges (Basic, or the Docker/OCI Bearer token flow),
 * caches what it obtained per registry and scope set, and hands out Authorization headers.
 *
 * See https://distribution.github.io/distribution/spec/auth/token/ and .../oauth/. The behaviour
 * follows the Docker CLI (distribution's registry/client/auth/session.go) where the spec is loose.
 * No secret ever reaches a log line or an error message.
 */
import { createHash } from 'crypto';
import { UserError, cancelledError } from '../errors';
import { Challenge, findChallenge, parseWwwAuthenticate } from './challenge';
import { CredentialStore, Credentials } from './credentials';

/** A token scope such as "repository:org/app:pull,push". */
export type Scope = string;

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of a `fetch` this module uses; the registry client supplies one on its request loop. */
export type FetchLike = (url: string, init?: FetchInit) => Promise<FetchResponseLike>;

/** Token lifetime when the token service does not say (and the minimum honoured), per the spec. */
export const DEFAULT_TOKEN_LIFETIME_S = 60;
/** Token requests are abandoned after this long. */
export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;
const CLIENT_ID = 'image-rebase';

// --- scopes -------------------------------------------------------------------------------------

/** resource ("type:name", or the whole scope when it cannot be parsed) → allowed actions. */
export type ScopeSet = Map<string, Set<string>>;

function addScope(set: ScopeSet, scope: string): void {
  const s = scope.trim();
  if (!s) return;
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  let resource: string;
  let actions: string[];
  if (first < 0 || last === first) {
    resource = s; // opaque: matched exactly
    actions = [''];
  } else {
    resource = s.slice(0, last);
    actions = s
      .slice(last + 1)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  }
  let acts = set.get(resource);
  if (!acts) set.set(resource, (acts = new Set()));
  for (const a of actions) acts.add(a);
}

/** Parses scopes (each may itself be a space-separated list, as in a challenge's scope param). */
export function parseScopes(scopes: Iterable<string>): ScopeSet {
  const set: ScopeSet = new Map();
  for (const scope of scopes) for (const part of scope.split(/\s+/)) addScope(set, part);
  return set;
}

/** Canonical, sorted scope strings with the actions of each resource merged and sorted. */
export function formatScopes(set: ScopeSet): string[] {
  const out: string[] = [];
  for (const [resource, actions] of set) {
    const acts = [...actions].filter((a) => a !== '').sort();
    out.push(acts.length ? `${resource}:${acts.join(',')}` : resource);
  }
  return out.sort();
}

/** Merges and sorts scopes: ["repository:a:push", "repository:a:pull"] → ["repository:a:pull,push"]. */
export function normaliseScopes(scopes: Iterable<string>): string[] {
  return formatScopes(parseScopes(scopes));
}

/** True when every action of every resource in `wanted` is granted by `granted` ("*" grants all). */
export function scopesCover(granted: ScopeSet, wanted: ScopeSet): boolean {
  for (const [resource, actions] of wanted) {
    const g = granted.get(resource);
    if (!g) return false;
    if (g.has('*')) continue;
    for (const a of actions) if (!g.has(a)) return false;
  }
  return true;
}

// --- token cache --------------------------------------------------------------------------------

interface TokenEntry {
  token: string;
  scopes: ScopeSet;
  key: string;
  expiresAt: number;
}

const MAX_ENTRIES_PER_REGISTRY = 100;

/**
 * Bearer tokens per registry, each remembered with the scope set it was requested for. A token
 * is reused for any request whose scopes it covers, until shortly before it expires.
 */
export class TokenCache {
  private readonly byRegistry = new Map<string, TokenEntry[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A live token covering all of `scopes` (an exact scope-set match preferred), if any. */
  get(registry: string, scopes: Iterable<Scope>): string | undefined {
    const entries = this.live(registry);
    const wanted = parseScopes(scopes);
    const key = formatScopes(wanted).join(' ');
    const exact = entries.find((e) => e.key === key);
    if (exact) return exact.token;
    return entries.find((e) => scopesCover(e.scopes, wanted))?.token;
  }

  /** Remembers `token` for `scopes` until `expiresAt` (ms since the epoch). */
  set(registry: string, scopes: Iterable<Scope>, token: string, expiresAt: number): void {
    const set = parseScopes(scopes);
    const key = formatScopes(set).join(' ');
    const entries = this.live(registry).filter((e) => e.key !== key);
    entries.push({ token, scopes: set, key, expiresAt });
    while (entries.length > MAX_ENTRIES_PER_REGISTRY) entries.shift();
    this.byRegistry.set(registry, entries);
  }

  /** Drops the tokens that would be used for `scopes` (all of the registry's when none given). */
  invalidate(registry: string, scopes?: Iterable<Scope>): void {
    const wanted = scopes ? parseScopes(scopes) : new Map();
    if (wanted.size === 0) {
      this.byRegistry.delete(registry);
      return;
    }
    const keep = this.live(registry).filter((e) => !scopesCover(e.scopes, wanted));
    this.byRegistry.set(registry, keep);
  }

  clear(): void {
    this.byRegistry.clear();
  }

  private live(registry: string): TokenEntry[] {
    const now = this.now();
    const entries = (this.byRegistry.get(registry) ?? []).filter((e) => e.expiresAt > now);
    if (entries.length) this.byRegistry.set(registry, entries);
    else this.byRegistry.delete(registry);
    return entries;
  }
}

// --- authenticator ------------------------------------------------------------------------------

export interface AuthenticatorOptions {
  credentials: CredentialStore;
  fetch: FetchLike;
  log?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => number;
  /** Per token request; default 30 s. */
  timeoutMs?: number;
}

interface Grant {
  /** Fingerprint of the credentials used; '' for anonymous. */
  fp: string;
  scopes: ScopeSet;
}

interface RegistryState {
  scheme?: 'basic' | 'bearer';
  /** Ready header for Basic registries. */
  basic?: string;
  basicFp?: string;
  /** Ready header when the credentials hold a registry token. */
  staticBearer?: string;
  staticFp?: string;
  /** Fingerprint of credentials the registry itself rejected (Basic or registry token). */
  rejectedFp?: string;
  /** Credentials as last looked up; dropped by invalidate() so a retry re-reads them. */
  creds?: { value: Credentials | undefined };
  /** A refresh token handed back by the OAuth endpoint, newer than the stored one. */
  refreshToken?: { fp: string; token: string };
  /** Scope sets tokens were obtained for, to recognise "insufficient_scope" as final. */
  grants: Grant[];
}

const MAX_GRANTS = 200;

export class Authenticator {
  private readonly credentials: CredentialStore;
  private readonly fetch: FetchLike;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly tokens: TokenCache;
  private readonly states = new Map<string, RegistryState>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(opts: AuthenticatorOptions) {
    this.credentials = opts.credentials;
    this.fetch = opts.fetch;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
    this.tokens = new TokenCache(this.now);
  }

  /**
   * Authorization header value to send for a request to `registry` needing `scopes`, from cache,
   * or undefined if none known yet (send anonymously first).
   */
  cachedAuthorization(registry: string, scopes: Scope[]): string | undefined {
    const st = this.states.get(registry);
    if (!st?.scheme) return undefined;
    if (st.scheme === 'basic') return st.basic;
    if (st.staticBearer) return st.staticBearer;
    const token = this.tokens.get(registry, scopes);
    return token ? `Bearer ${token}` : undefined;
  }

  /**
   * Called when the registry answered 401 with this WWW-Authenticate header; obtains and caches
   * credentials for these scopes and returns the Authorization header value.
   */
  authorize(registry: string, challengeHeader: string, scopes: Scope[], signal?: AbortSignal): Promise<string> {
    const key = `${registry}\n${challengeHeader}\n${normaliseScopes(scopes).join(' ')}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = this.doAuthorize(registry, challengeHeader, scopes, signal)
      .catch((e: unknown) => {
        // After a refusal, look the credentials up again next time (the user may have signed in).
        const st = this.states.get(registry);
        if (st && e instanceof UserError && (e.code === 'auth' || e.code === 'denied')) st.creds = undefined;
        throw e;
      })
      .finally(() => {
        this.inFlight.delete(key);
      });
    this.inFlight.set(key, p);
    return p;
  }

  /**
   * Drops cached entries after the registry rejected them (so a second 401 triggers one fresh
   * attempt, not a loop). Credentials are looked up again on the next authorize().
   */
  invalidate(registry: string, scopes: Scope[]): void {
    const st = this.states.get(registry);
    this.tokens.invalidate(registry, scopes);
    if (!st) return;
    if (st.scheme === 'basic' && st.basic) {
      st.rejectedFp = st.basicFp;
      st.basic = undefined;
    }
    if (st.staticBearer) {
      st.rejectedFp = st.staticFp;
      st.staticBearer = undefined;
    }
    st.creds = undefined;
  }

  // --- internals --------------------------------------------------------------------------------

  private state(registry: string): RegistryState {
    let st = this.states.get(registry);
    if (!st) this.states.set(registry, (st = { grants: [] }));
    return st;
  }

  private async lookupCredentials(registry: string): Promise<Credentials | undefined> {
    const st = this.state(registry);
    if (!st.creds) {
      const value = await this.credentials.get(registry);
      st.creds = { value: value && hasAnyCredentials(value) ? value : undefined };
    }
    return st.creds.value;
  }

  private async doAuthorize(registry: string, header: string, scopes: Scope[], signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw cancelledError();
    const challenges = parseWwwAuthenticate(header);
    const bearer = findChallenge(challenges, 'bearer');
    const basic = findChallenge(challenges, 'basic');
    if (bearer) return this.bearer(registry, bearer, scopes, signal);
    if (basic) return this.basic(registry);
    if (challenges.length === 0) {
      throw new UserError(
        'registry',
        `${registry} asked for authentication without saying how (no usable WWW-Authenticate header); check the registry address.`,
      );
    }
    throw new UserError(
      'unsupported',
      `${registry} asks for "${challenges[0].scheme}" authentication, which is not supported; only Basic and Bearer token authentication are.`,
    );
  }

  private async basic(registry: string): Promise<string> {
    const st = this.state(registry);
    st.scheme = 'basic';
    const creds = await this.lookupCredentials(registry);
    if (!creds?.username || !creds.password) throw signInRequired(registry);
    const fp = fingerprint(creds);
    if (st.rejectedFp === fp) throw passwordRejected(registry);
    st.basic = basicHeader(creds.username, creds.password);
    st.basicFp = fp;
    this.log(`auth: ${registry}: using Basic authentication as ${creds.username}`);
    return st.basic;
  }

  private async bearer(registry: string, challenge: Challenge, scopes: Scope[], signal?: AbortSignal): Promise<string> {
    const st = this.state(registry);
    st.scheme = 'bearer';
    const creds = await this.lookupCredentials(registry);

    if (creds?.registryToken) {
      const fp = fingerprint(creds);
      if (st.rejectedFp === fp) {
        throw new UserError(
          'auth',
          `Authentication to ${registry} failed: the saved registry token was rejected; sign in again (docker login ${registry}).`,
        );
      }
      st.staticBearer = `Bearer ${creds.registryToken}`;
      st.staticFp = fp;
      return st.staticBearer;
    }

    const realmText = challenge.params.realm;
    let realm: URL | undefined;
    try {
      realm = realmText ? new URL(realmText) : undefined;
    } catch {
      realm = undefined;
    }
    if (!realm || (realm.protocol !== 'https:' && realm.protocol !== 'http:')) {
      throw new UserError(
        'registry',
        `${registry} asked for a bearer token without a valid token service address (realm); check the registry address or its configuration.`,
      );
    }
    const service = challenge.params.service;
    const wanted = parseScopes([...scopes, challenge.params.scope ?? '']);
    const scopeList = formatScopes(wanted);
    const fp = creds ? fingerprint(creds) : '';

    if (challenge.params.error === 'insufficient_scope') {
      // We already obtained a token for these very scopes and the registry still refuses it:
      // another token from the same credentials will not help.
      const already = st.grants.some((g) => g.fp === fp && scopesCover(g.scopes, wanted));
      if (already) {
        if (!creds) throw signInRequired(registry, scopeList, true);
        throw new UserError(
          'denied',
          `${registry} refused ${describeScopes(scopeList)} for the signed-in account (or the repository does not exist); check the repository name and that the account has access.`,
        );
      }
    }

    const { token, expiresIn, issuedAt, refreshToken } = await this.fetchToken(registry, realm, service, scopeList, creds, signal);
    if (refreshToken && creds) st.refreshToken = { fp, token: refreshToken };

    const now = this.now();
    let lifetime = Number.isFinite(expiresIn) && (expiresIn as number) > 0 ? (expiresIn as number) : DEFAULT_TOKEN_LIFETIME_S;
    if (lifetime < DEFAULT_TOKEN_LIFETIME_S) lifetime = DEFAULT_TOKEN_LIFETIME_S;
    // Count from issued_at when the token service gives it, but never from the future (skew).
    const base = issuedAt !== undefined && issuedAt < now ? issuedAt : now;
    const margin = Math.min(5_000, (lifetime * 1000) / 10);
    this.tokens.set(registry, scopeList, token, base + lifetime * 1000 - margin);

    st.grants.push({ fp, scopes: wanted });
    if (st.grants.length > MAX_GRANTS) st.grants.shift();
    return `Bearer ${token}`;
  }

  private async fetchToken(
    registry: string,
    realm: URL,
    service: string | undefined,
    scopes: string[],
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ token: string; expiresIn?: number; issuedAt?: number; refreshToken?: string }> {
    const st = this.state(registry);
    const fp = creds ? fingerprint(creds) : '';
    const refreshToken = st.refreshToken?.fp === fp && st.refreshToken.token ? st.refreshToken.token : creds?.identityToken;

    if (refreshToken) {
      // OAuth2 refresh_token grant, as the Docker CLI does for identity tokens.
      const form = new URLSearchParams();
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', refreshToken);
      form.set('client_id', CLIENT_ID);
      if (service) form.set('service', service);
      form.set('scope', scopes.join(' '));
      this.log(`auth: ${registry}: requesting token (oauth) from ${realm.host} for ${scopes.join(' ') || '(no scope)'}`);
      const res = await this.request(registry, realm.toString(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', Accept: 'application/json' },
        body: form.toString(),
        signal,
      });
      if (res.status !== 404 && res.status !== 405) {
        if (res.status === 400 || res.status === 401 || res.status === 403) {
          throw new UserError(
            'auth',
            `Authentication to ${registry} failed: the saved login token was rejected; sign in again (docker login ${registry}).`,
          );
        }
        return this.parseTokenResponse(registry, realm, res.status, res.body);
      }
      // Token services without OAuth support: fall back to GET, as Docker does.
      this.log(`auth: ${registry}: token service has no OAuth endpoint (HTTP ${res.status}); falling back to GET`);
    }

    const url = new URL(realm.toString());
    if (service) url.searchParams.append('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const withPassword = !!(creds?.username && creds.password);
    if (withPassword) {
      url.searchParams.append('account', creds!.username!);
      headers.Authorization = basicHeader(creds!.username!, creds!.password!);
    }
    this.log(
      `auth: ${registry}: requesting token from ${realm.host} for ${scopes.join(' ') || '(no scope)'}${withPassword ? ` as ${creds!.username}` : ' anonymously'}`,
    );
    const res = await this.request(registry, url.toString(), { method: 'GET', headers, signal });
    if (res.status === 401 || res.status === 403) {
      if (withPassword) throw passwordRejected(registry);
      if (creds) {
        throw new UserError(
          'auth',
          `Authentication to ${registry} failed: the saved login was rejected; sign in again (docker login ${registry}).`,
        );
      }
      throw signInRequired(registry, scopes, false);
    }
    return this.parseTokenResponse(registry, realm, res.status, res.body);
  }

  private async request(registry: string, url: string, init: FetchInit): Promise<{ status: number; body: string }> {
    const controller = new AbortController();
    const outer = init.signal;
    const onAbort = (): void => controller.abort();
    if (outer) {
      if (outer.aborted) throw cancelledError();
      outer.addEventListener('abort', onAbort, { once: true });
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const host = safeHost(url);
    try {
      const res = await this.fetch(url, { ...init, signal: controller.signal });
      const body = await res.text();
      return { status: res.status, body };
    } catch (e) {
      if (outer?.aborted) throw cancelledError();
      // The transport's own sentences (a refused redirect, an oversized answer) say it best.
      if (e instanceof UserError && e.code !== 'cancelled') throw e;
      if (timedOut) {
        throw new UserError(
          'unreachable',
          `The token service for ${registry} at ${host} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds; check your network connection and try again.`,
        );
      }
      // Node's own fetch puts the system error's code on its cause.
      const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
      throw new UserError(
        'unreachable',
        `The token service for ${registry} at ${host} could not be reached${code ? ` (${code})` : ''}; check your network connection or proxy settings and try again.`,
      );
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private parseTokenResponse(
    registry: string,
    realm: URL,
    status: number,
    body: string,
  ): { token: string; expiresIn?: number; issuedAt?: number; refreshToken?: string } {
    if (status >= 500) {
      throw new UserError(
        'unreachable',
        `The token service for ${registry} at ${realm.host} is not working (HTTP ${status}); try again later.`,
      );
    }
    if (status < 200 || status >= 300) {
      throw new UserError(
        'registry',
        `The token service for ${registry} at ${realm.host} answered HTTP ${status} instead of a token; check the registry address or try again later.`,
      );
    }
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const token = json && typeof json === 'object' ? (typeof json.token === 'string' && json.token) || (typeof json.access_token === 'string' && json.access_token) : '';
    if (!token) {
      throw new UserError(
        'registry',
        `The token service for ${registry} at ${realm.host} answered without a token; try again later or check the registry's configuration.`,
      );
    }
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : typeof json.expires_in === 'string' ? Number(json.expires_in) : undefined;
    const issued = typeof json.issued_at === 'string' ? Date.parse(json.issued_at) : NaN;
    return {
      token,
      expiresIn,
      issuedAt: Number.isFinite(issued) ? issued : undefined,
      refreshToken: typeof json.refresh_token === 'string' && json.refresh_token ? json.refresh_token : undefined,
    };
  }
}

// --- helpers ------------------------------------------------------------------------------------

function hasAnyCredentials(c: Credentials): boolean {
  return !!(c.username || c.password || c.identityToken || c.registryToken);
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** A one-way fingerprint, so rejected credentials can be recognised without keeping them twice. */
function fingerprint(c: Credentials): string {
  return createHash('sha256')
    .update(JSON.stringify([c.username ?? '', c.password ?? '', c.identityToken ?? '', c.registryToken ?? '']))
    .digest('hex');
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'its token address';
  }
}

/** "pull access to org/app and push access to org/other" for messages. */
export function describeScopes(scopes: string[]): string {
  const parts: string[] = [];
  for (const [resource, actions] of parseScopes(scopes)) {
    const name = resource.startsWith('repository:') ? resource.slice('repository:'.length) : resource;
    const acts = [...actions].filter(Boolean);
    parts.push(acts.length ? `${acts.join('/')} access to ${name}` : `access to ${name}`);
  }
  return parts.length ? parts.join(' and ') : 'access';
}

function passwordRejected(registry: string): UserError {
  return new UserError(
    'auth',
    `Authentication to ${registry} failed: the username or password was rejected; check your credentials (docker login ${registry}).`,
  );
}

function signInRequired(registry: string, scopes: string[] = [], maybeMissing = false): UserError {
  const what = scopes.length ? ` for ${describeScopes(scopes)}` : '';
  const missing = maybeMissing ? ' (or the repository does not exist)' : '';
  return new UserError('auth', `${registry} requires sign-in${what}${missing}; run docker login ${registry} and try again.`);
}
