/**
 * Registry authentication: answers 401 challenges (Basic, or the Docker/OCI Bearer token flow),
 * caches what it obtained per registry and scope set, and hands out Authorization headers.
 * Scopes live in ./scopes, the token cache in ./tokenCache, the token-service exchange in
 * ./tokenService.
 *
 * See https://distribution.github.io/distribution/spec/auth/token/ and .../oauth/. The behaviour
 * follows the Docker CLI (distribution's registry/client/auth/session.go) where the spec is loose.
 * No secret ever reaches a log line or an error message.
 */
import { createHash } from 'crypto';
import { UserError, cancelledError } from '../errors';
import { passwordRejected, signInRequired } from './authFailures';
import { Challenge, findChallenge, parseWwwAuthenticate } from './challenge';
import { CredentialStore, Credentials, basicHeader, hasAnyCredentials } from './credentials';
import { Scope, ScopeSet, describeScopes, formatScopes, normaliseScopes, parseScopes, scopesCover } from './scopes';
import { TokenCache } from './tokenCache';
import { DEFAULT_TOKEN_TIMEOUT_MS, FetchLike, TokenService } from './tokenService';

/** Token lifetime when the token service does not say (and the minimum honoured), per the spec. */
export const DEFAULT_TOKEN_LIFETIME_S = 60;

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
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly tokenService: TokenService;
  private readonly tokens: TokenCache;
  private readonly states = new Map<string, RegistryState>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(opts: AuthenticatorOptions) {
    this.credentials = opts.credentials;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.tokenService = new TokenService({ fetch: opts.fetch, log: this.log, timeoutMs: opts.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS });
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

    // A refresh token the OAuth endpoint handed back for these credentials beats the stored one.
    const savedRefresh = st.refreshToken?.fp === fp && st.refreshToken.token ? st.refreshToken.token : creds?.identityToken;
    const { token, expiresIn, issuedAt, refreshToken } = await this.tokenService.fetchToken(
      registry,
      realm,
      service,
      scopeList,
      creds,
      savedRefresh,
      signal,
    );
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
}

/** A one-way fingerprint, so rejected credentials can be recognised without keeping them twice. */
function fingerprint(c: Credentials): string {
  return createHash('sha256')
    .update(JSON.stringify([c.username ?? '', c.password ?? '', c.identityToken ?? '', c.registryToken ?? '']))
    .digest('hex');
}
