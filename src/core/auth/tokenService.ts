/**
 * Talking to a registry's token service: asks it for a Bearer token (the OAuth2 refresh_token
 * grant when there is a refresh token, else the Docker GET flow with Basic credentials or none),
 * with a time limit, and turns its answer, or its failure, into a token or a clear UserError.
 */
import { UserError, cancelledError } from '../errors';
import { passwordRejected, signInRequired } from './authFailures';
import { Credentials, basicHeader } from './credentials';

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

/** The part of a `fetch` the token service uses; the registry client supplies one on its request loop. */
export type FetchLike = (url: string, init?: FetchInit) => Promise<FetchResponseLike>;

/** Token requests are abandoned after this long. */
export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;
const CLIENT_ID = 'image-rebase';

/** What the token service handed out; lifetimes are left for the caller to interpret. */
export interface TokenResponse {
  token: string;
  expiresIn?: number;
  issuedAt?: number;
  refreshToken?: string;
}

export interface TokenServiceOptions {
  fetch: FetchLike;
  log: (line: string) => void;
  timeoutMs: number;
}

export class TokenService {
  private readonly fetch: FetchLike;
  private readonly log: (line: string) => void;
  private readonly timeoutMs: number;

  constructor(opts: TokenServiceOptions) {
    this.fetch = opts.fetch;
    this.log = opts.log;
    this.timeoutMs = opts.timeoutMs;
  }

  /**
   * Obtains a token for `scopes` from the token service at `realm`. `refreshToken`, when given, is
   * tried first with the OAuth2 grant; services without that endpoint get the GET request instead.
   */
  async fetchToken(
    registry: string,
    realm: URL,
    service: string | undefined,
    scopes: string[],
    creds: Credentials | undefined,
    refreshToken: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<TokenResponse> {
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
        return parseTokenResponse(registry, realm, res.status, res.body);
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
    return parseTokenResponse(registry, realm, res.status, res.body);
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
}

function parseTokenResponse(registry: string, realm: URL, status: number, body: string): TokenResponse {
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

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'its token address';
  }
}
