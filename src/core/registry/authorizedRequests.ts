/**
 * A registry request with its credentials: the cached Authorization goes along (on the registry's
 * own origin only; RegistryHttp enforces that), a 401 challenge is answered once, and a status
 * the caller did not expect becomes the one-sentence error for it.
 */
import { Readable } from 'node:stream';
import { describeScopes } from '../auth/scopes';
import { Authenticator } from '../auth/tokens';
import { UserError } from '../errors';
import { oneLine } from '../../shared/sanitize';
import { LimitedKind } from './limits';
import { checkFollow } from './origin';
import { RegistryHttp, Sent, readErrorText } from './registryHttp';
import { httpError } from './registryErrors';
import { RequestKind } from './stats';

export interface RequestOptions {
  kind: RequestKind;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
  /** Statuses the caller handles itself; others become UserErrors. */
  accept?: number[];
  /** Makes 404 mean this instead of a generic message. */
  notFound?: () => UserError;
  scopes?: string[];
  /** Read the body whole (bounded), inside the retried attempt. */
  read?: LimitedKind;
  /** Safe to send again (GET and HEAD are by default). */
  idempotent?: boolean;
}

export class AuthorizedRequests {
  constructor(
    private readonly http: RegistryHttp,
    private readonly auth: Authenticator,
    private readonly baseUrl: (registry: string) => string,
  ) {}

  /**
   * One request with auth. A 401 is answered once with fresh credentials; a body that is a
   * stream cannot be replayed, so callers open a session (POST, no body) before streaming.
   */
  async request(registry: string, pathOrUrl: string, opts: RequestOptions): Promise<Sent> {
    const base = new URL(this.baseUrl(registry) + '/');
    let url: URL;
    if (/^https?:\/\//i.test(pathOrUrl)) {
      // A Link or upload Location the registry named: followed, with credentials only on its own origin.
      const next = checkFollow(base, pathOrUrl);
      if (!next.ok) throw new UserError('registry', `Registry ${registry} pointed to ${oneLine(pathOrUrl, 120)}, which is not followed because ${next.why}.`);
      url = next.url;
    } else {
      url = new URL(this.baseUrl(registry) + pathOrUrl);
    }
    const scopes = opts.scopes ?? [];
    const method = opts.method ?? 'GET';
    const send = (authorization: string | undefined): Promise<Sent> =>
      this.http.send({
        peer: `registry ${registry}`,
        url,
        method,
        kind: opts.kind,
        headers: opts.headers,
        body: opts.body,
        authorization,
        credentialOrigin: base.origin,
        signal: opts.signal,
        read: opts.read,
        idempotent: opts.idempotent ?? (method === 'GET' || method === 'HEAD'),
        accept: [401, ...(opts.accept ?? [])],
      });

    const cached = this.auth.cachedAuthorization(registry, scopes);
    let sent = await send(cached);
    if (sent.res.status === 401) sent = await this.answerChallenge(registry, sent, scopes, cached, opts, send);
    const { res } = sent;
    if ((res.status >= 200 && res.status < 300) || opts.accept?.includes(res.status)) return sent;
    const text = await readErrorText(res);
    throw httpError({ registry, method, path: url, status: res.status, text, scopes, notFound: opts.notFound, attempts: sent.attempts });
  }

  private async answerChallenge(
    registry: string,
    first: Sent,
    scopes: string[],
    sentAuth: string | undefined,
    opts: RequestOptions,
    send: (authorization: string | undefined) => Promise<Sent>,
  ): Promise<Sent> {
    const challenge = first.res.header('www-authenticate');
    first.res.discard();
    if (first.url.origin !== new URL(this.baseUrl(registry)).origin) {
      throw new UserError('auth', `${first.url.host}, where registry ${registry} sent the request, asked for credentials; registry credentials are only sent to the registry itself, so the request cannot be completed.`);
    }
    if (!challenge) {
      throw new UserError('auth', `Registry ${registry} refused the request (401) without saying how to sign in; check the registry address.`);
    }
    if (opts.body && !Buffer.isBuffer(opts.body)) {
      throw new UserError('auth', `Registry ${registry} asked for credentials in the middle of an upload; sign in and try again.`);
    }
    // Concurrent requests race here: only drop what we sent if nobody has replaced it since,
    // else a late 401 would discard the login another request has just established.
    const current = this.auth.cachedAuthorization(registry, scopes);
    let authorization: string;
    if (current && current !== sentAuth) {
      authorization = current;
    } else {
      if (sentAuth) this.auth.invalidate(registry, scopes);
      authorization = await this.auth.authorize(registry, challenge, scopes, opts.signal);
    }
    const again = await send(authorization);
    if (again.res.status !== 401) return again;
    // The fresh credentials were refused too. The authenticator knows why (wrong password,
    // anonymous access not enough, or no access for this account) and says it in its error.
    const next = again.res.header('www-authenticate') ?? challenge;
    again.res.discard();
    if (this.auth.cachedAuthorization(registry, scopes) === authorization) this.auth.invalidate(registry, scopes);
    await this.auth.authorize(registry, next, scopes, opts.signal);
    throw new UserError(
      'auth',
      `Registry ${registry} refused ${describeScopes(scopes)} with the credentials it accepted; check that the account has access (docker login ${registry}).`,
    );
  }
}
