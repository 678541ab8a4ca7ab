import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, run } from './tools';

/** What Distribution needs under `auth.token` to trust our tokens. */
export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

export interface TokenRequest {
  method: 'GET' | 'POST';
  /** Scopes exactly as the client sent them, e.g. "repository:app:pull,push". */
  scope: string[];
  /** Authenticated user; undefined for anonymous requests. */
  user?: string;
  service?: string;
  /** Which flow a POST used ("password" or "refresh_token"); undefined for GET. */
  grantType?: string;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  issuer?: string;
  service?: string;
  /** Token lifetime in seconds (default 300); short values let tests exercise token refresh. */
  expiresIn?: number;
  /**
   * Which actions to grant. The default grants an authenticated user everything asked and an
   * anonymous caller nothing, which is enough for most tests; override to test "denied".
   */
  authorize?: (user: string | undefined, type: string, name: string, actions: string[]) => string[];
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundlePath: string;
  /** Ready to drop into startRegistry({ token }). */
  authConfig: TokenAuthConfig;
  requests: TokenRequest[];
  /** Signs a token directly, for tests that need one without the HTTP round trip. */
  issue(user: string | undefined, scopes: string[]): string;
  stop(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/**
 * A Docker-Hub-style token issuer for Distribution's `auth.token` mode, so the bearer flow (401 with
 * WWW-Authenticate, token fetch, retry) can be tested against the real registry offline.
 */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const issuer = opts.issuer ?? 'test-token-issuer';
  const service = opts.service ?? 'test-registry';
  const expiresIn = opts.expiresIn ?? 300;
  const authorize =
    opts.authorize ?? ((user: string | undefined, _t: string, _n: string, actions: string[]) => (user ? actions : []));

  const dir = makeTempDir('token');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await writeFile(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  // Distribution reads trusted keys only from certificates, so the public key needs a cert around it.
  await run('openssl', ['req', '-x509', '-new', '-key', keyPath, '-nodes', '-subj', '/CN=test-token', '-days', '2', '-out', certPath]);
  const kid = libtrustKeyId(publicKey);

  const requests: TokenRequest[] = [];
  const refreshTokens = new Map<string, string>();

  const issue = (user: string | undefined, scopes: string[]): string => {
    const access: Access[] = [];
    for (const s of scopes) {
      const parsed = parseScope(s);
      if (!parsed) continue;
      const granted = authorize(user, parsed.type, parsed.name, parsed.actions);
      if (granted.length > 0) access.push({ type: parsed.type, name: parsed.name, actions: granted });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + expiresIn,
      // Backdated a little: the registry rejects tokens whose nbf is in its future.
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    return signJwt({ typ: 'JWT', alg: 'RS256', kid }, claims, privateKey);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/token') return reply(res, 404, { error: 'not found' });

    if (req.method === 'GET') {
      const scope = url.searchParams.getAll('scope').flatMap(splitScopes);
      let user: string | undefined;
      const header = req.headers.authorization;
      if (header) {
        const basic = parseBasic(header);
        if (!basic || opts.users[basic.user] !== basic.password) {
          requests.push({ method: 'GET', scope, user: basic?.user, service: url.searchParams.get('service') ?? undefined });
          return unauthorized(res);
        }
        user = basic.user;
      }
      requests.push({ method: 'GET', scope, user, service: url.searchParams.get('service') ?? undefined });
      const token = issue(user, scope);
      const body: Record<string, unknown> = { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() };
      if (user && url.searchParams.get('offline_token') === 'true') body.refresh_token = newRefreshToken(user);
      return reply(res, 200, body);
    }

    if (req.method === 'POST') {
      // The OAuth2 form flow; containerd tries it first when it has a password.
      const form = new URLSearchParams(await readBody(req));
      const scope = form.getAll('scope').flatMap(splitScopes);
      const grantType = form.get('grant_type') ?? undefined;
      let user: string | undefined;
      if (grantType === 'password') {
        const u = form.get('username') ?? '';
        if (opts.users[u] === undefined || opts.users[u] !== form.get('password')) {
          requests.push({ method: 'POST', scope, user: u, service: form.get('service') ?? undefined, grantType });
          return unauthorized(res);
        }
        user = u;
      } else if (grantType === 'refresh_token') {
        user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!user) {
          requests.push({ method: 'POST', scope, service: form.get('service') ?? undefined, grantType });
          return unauthorized(res);
        }
      } else {
        return reply(res, 400, { error: 'unsupported_grant_type' });
      }
      requests.push({ method: 'POST', scope, user, service: form.get('service') ?? undefined, grantType });
      const token = issue(user, scope);
      return reply(res, 200, {
        access_token: token,
        expires_in: expiresIn,
        issued_at: new Date().toISOString(),
        refresh_token: newRefreshToken(user),
        scope: scope.join(' '),
      });
    }

    return reply(res, 405, { error: 'method not allowed' });
  }

  function newRefreshToken(user: string): string {
    const t = randomUUID();
    refreshTokens.set(t, user);
    return t;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const realm = `http://127.0.0.1:${port}/token`;

  let stopped = false;
  return {
    realm,
    service,
    issuer,
    rootCertBundlePath: certPath,
    authConfig: { realm, service, issuer, rootcertbundle: certPath },
    requests,
    issue,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeTempDir(dir);
    },
  };
}

/**
 * The key id Distribution 2.8 (via libtrust) derives from a public key: base32 of the first 240
 * bits of SHA-256 over the DER SubjectPublicKeyInfo, in colon-separated groups of four. The
 * registry matches the JWT header's `kid` against this, so it has to be exact.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const b32 = base32(hash);
  return b32.match(/.{1,4}/g)!.join(':');
}

function base32(buf: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function signJwt(header: object, claims: object, key: KeyObject): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  const sig = sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${sig}`;
}

/** Some clients send several scopes space-separated in one parameter. */
function splitScopes(s: string): string[] {
  return s.split(' ').filter((x) => x.length > 0);
}

/** "repository:team/app:pull,push" → type, name, actions. Names never contain ':' but a
 *  "repository(plugin)" type style might, so the name is everything between first and last colon. */
function parseScope(s: string): Access | undefined {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: s.slice(0, first),
    name: s.slice(first + 1, last),
    actions: s.slice(last + 1).split(',').filter((a) => a.length > 0),
  };
}

function parseBasic(header: string): { user: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('WWW-Authenticate', 'Basic realm="test-token"');
  reply(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'wrong user name or password' }] });
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (data += d));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
