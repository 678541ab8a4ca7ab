/**
 * Token-service requests for the Authenticator, through the same request loop as registry calls:
 * timeouts, retries, a size limit on the answer, and redirects that keep the Basic credentials on
 * the realm's own origin. A password is never sent over plain HTTP to a non-loopback realm
 * unless the user listed that host as insecure.
 */
import { UserError } from '../errors';
import { FetchLike } from '../auth/tokenService';
import { RegistryHttp, readErrorText } from './registryHttp';

export function makeTokenFetch(http: RegistryHttp, plainHttpAllowed: (host: string) => boolean): FetchLike {
  return async (url, init = {}) => {
    const u = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const authorization = headers.Authorization;
    delete headers.Authorization;
    if (authorization && u.protocol === 'http:' && !plainHttpAllowed(u.host)) {
      throw new UserError(
        'auth',
        `The token service at ${u.host} uses plain HTTP, so the password is not sent to it; ask the registry's operator for an https token service, or list ${u.host} as an insecure registry if the network is trusted.`,
      );
    }
    const body = init.body !== undefined ? Buffer.from(init.body, 'utf8') : undefined;
    if (body) headers['Content-Length'] = String(body.length);
    const sent = await http.send({
      peer: `the token service at ${u.host}`,
      url: u,
      method: init.method ?? 'GET',
      kind: 'token',
      headers,
      body,
      authorization,
      credentialOrigin: u.origin,
      signal: init.signal,
      read: 'token',
      idempotent: true,
      // Every status goes back to the Authenticator, which knows what 401/404/405 mean here.
      accept: [],
    });
    const text = sent.bytes ? sent.bytes.toString('utf8') : await readErrorText(sent.res);
    return { status: sent.res.status, headers: { get: (name: string) => sent.res.header(name) }, text: async () => text };
  };
}
