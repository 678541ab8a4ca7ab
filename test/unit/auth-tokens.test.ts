import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
// Node's own fetch: the Authenticator needs only status, headers.get and text().
import { Authenticator } from '../../src/core/auth/tokens';
import { FetchLike } from '../../src/core/auth/tokenService';
import { TokenCache } from '../../src/core/auth/tokenCache';
import { normaliseScopes, scopesCover, parseScopes } from '../../src/core/auth/scopes';
import { Credentials, StaticCredentialStore } from '../../src/core/auth/credentials';
import { UserError } from '../../src/core/errors';

// --- a small token service ---------------------------------------------------------------------

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body: string;
}

const PASSWORD = 'correct-horse-battery-staple';
const WRONG = 'wrong-password-42';

let server: http.Server;
let base: string;
let seen: Seen[] = [];
let tokenCounter = 0;
/** Per-test knobs for the token response. */
let respond: { expires_in?: number; issued_at?: string; field?: 'token' | 'access_token'; status?: number } = {};

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, body });
      const send = (status: number, json: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (respond.status) return send(respond.status, { errors: [{ code: 'UNAVAILABLE' }] });
      const issue = (): void => {
        const json: Record<string, unknown> = { [respond.field ?? 'token']: `tok-${++tokenCounter}` };
        if (respond.expires_in !== undefined) json.expires_in = respond.expires_in;
        if (respond.issued_at !== undefined) json.issued_at = respond.issued_at;
        send(200, json);
      };
      if (url.pathname === '/token' && req.method === 'GET') {
        const auth = req.headers.authorization;
        if (!auth) return issue(); // anonymous tokens allowed
        const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
        if (user === 'alice' && pass === PASSWORD) return issue();
        return send(401, { details: 'incorrect username or password' });
      }
      if (url.pathname === '/private-token' && req.method === 'GET') {
        if (!req.headers.authorization) return send(401, { details: 'authentication required' });
        return issue();
      }
      if (url.pathname === '/oauth' && req.method === 'POST') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'good-refresh') {
          return send(200, { access_token: `oauth-${++tokenCounter}`, expires_in: 300, refresh_token: 'rotated-refresh' });
        }
        return send(400, { error: 'invalid_grant' });
      }
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  seen = [];
  respond = {};
});

const REG = 'registry.test';
const challenge = (realmPath = '/token', extra = ''): string =>
  `Bearer realm="${base}${realmPath}",service="registry.test"${extra}`;

function make(creds: Record<string, Credentials> = {}, opts: { now?: () => number; log?: string[] } = {}): Authenticator {
  const log = opts.log;
  return new Authenticator({
    credentials: new StaticCredentialStore(creds),
    fetch: fetch as FetchLike,
    now: opts.now,
    log: log ? (l) => log.push(l) : undefined,
  });
}

async function rejects(p: Promise<unknown>, code: string): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected UserError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail('expected a rejection');
}

// --- scopes -------------------------------------------------------------------------------------

test('scope normalisation and coverage', () => {
  assert.deepEqual(normaliseScopes(['repository:b:push', 'repository:a:pull', 'repository:b:pull', 'repository:b:pull']), [
    'repository:a:pull',
    'repository:b:pull,push',
  ]);
  assert.deepEqual(normaliseScopes(['repository:a:pull repository:c:push', '']), ['repository:a:pull', 'repository:c:push']);
  assert.deepEqual(normaliseScopes(['repository:localhost/x:pull']), ['repository:localhost/x:pull']);
  const granted = parseScopes(['repository:a:pull,push', 'repository:b:pull']);
  assert.ok(scopesCover(granted, parseScopes(['repository:a:pull'])));
  assert.ok(scopesCover(granted, parseScopes(['repository:a:push', 'repository:b:pull'])));
  assert.ok(!scopesCover(granted, parseScopes(['repository:b:push'])));
  assert.ok(!scopesCover(granted, parseScopes(['repository:c:pull'])));
  assert.ok(scopesCover(parseScopes(['registry:catalog:*']), parseScopes(['registry:catalog:search'])));
});

test('TokenCache: reuse by coverage, expiry, invalidation', () => {
  let now = 1_000_000;
  const cache = new TokenCache(() => now);
  cache.set(REG, ['repository:a:pull,push', 'repository:base:pull'], 'T1', now + 10_000);
  assert.equal(cache.get(REG, ['repository:a:pull']), 'T1');
  assert.equal(cache.get(REG, ['repository:base:pull', 'repository:a:push']), 'T1');
  assert.equal(cache.get(REG, ['repository:base:push']), undefined);
  assert.equal(cache.get('other.test', ['repository:a:pull']), undefined);
  now += 10_000;
  assert.equal(cache.get(REG, ['repository:a:pull']), undefined);
  cache.set(REG, ['repository:a:pull'], 'T2', now + 10_000);
  cache.set(REG, ['repository:b:pull'], 'T3', now + 10_000);
  cache.invalidate(REG, ['repository:a:pull']);
  assert.equal(cache.get(REG, ['repository:a:pull']), undefined);
  assert.equal(cache.get(REG, ['repository:b:pull']), 'T3');
});

// --- bearer flow --------------------------------------------------------------------------------

test('Basic credentials are sent to the token service with service and all scopes', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  assert.equal(auth.cachedAuthorization(REG, ['repository:org/app:pull']), undefined);
  const header = await auth.authorize(REG, challenge('/token', ',scope="repository:org/app:pull"'), [
    'repository:org/app:push,pull',
    'repository:library/base:pull',
  ]);
  assert.equal(header, 'Bearer tok-' + tokenCounter);
  assert.equal(seen.length, 1);
  const r = seen[0];
  assert.equal(r.method, 'GET');
  assert.equal(r.path, '/token');
  assert.equal(r.authorization, 'Basic ' + Buffer.from(`alice:${PASSWORD}`).toString('base64'));
  assert.equal(r.query.get('service'), 'registry.test');
  assert.equal(r.query.get('account'), 'alice');
  assert.deepEqual(r.query.getAll('scope'), ['repository:library/base:pull', 'repository:org/app:pull,push']);
});

test('a token is cached and reused for covered scopes; not for others', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  const scopes = ['repository:org/app:pull,push', 'repository:base/img:pull'];
  const h1 = await auth.authorize(REG, challenge(), scopes);
  assert.equal(seen.length, 1);
  assert.equal(auth.cachedAuthorization(REG, scopes), h1);
  assert.equal(auth.cachedAuthorization(REG, ['repository:org/app:pull']), h1);
  assert.equal(auth.cachedAuthorization(REG, ['repository:base/img:pull']), h1);
  assert.equal(auth.cachedAuthorization(REG, ['repository:base/img:push']), undefined);
  assert.equal(auth.cachedAuthorization('elsewhere.test', ['repository:org/app:pull']), undefined);

  const h2 = await auth.authorize(REG, challenge(), ['repository:other/repo:pull']);
  assert.notEqual(h2, h1);
  assert.equal(seen.length, 2);
  assert.equal(auth.cachedAuthorization(REG, ['repository:other/repo:pull']), h2);
  assert.equal(auth.cachedAuthorization(REG, ['repository:org/app:pull']), h1);
});

test('concurrent authorize calls for the same scopes share one token request', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  const all = await Promise.all([1, 2, 3, 4].map(() => auth.authorize(REG, challenge(), ['repository:org/app:pull'])));
  assert.equal(new Set(all).size, 1);
  assert.equal(seen.length, 1);
});

test('expires_in and issued_at are honoured', async () => {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } }, { now: () => now });
  respond = { expires_in: 300 };
  const h = await auth.authorize(REG, challenge(), ['repository:a:pull']);
  now += 290_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), h);
  now += 10_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), undefined, 'expired after 300 s');

  // issued_at in the past shortens the remaining lifetime.
  respond = { expires_in: 300, issued_at: new Date(now - 200_000).toISOString() };
  const h2 = await auth.authorize(REG, challenge(), ['repository:b:pull']);
  now += 80_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:b:pull']), h2);
  now += 20_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:b:pull']), undefined, 'expired 300 s after issued_at');
});

test('no expires_in → 60 s; access_token field accepted; short lifetimes raised to 60 s', async () => {
  let now = 5_000_000;
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } }, { now: () => now });
  respond = { field: 'access_token' };
  const h = await auth.authorize(REG, challenge(), ['repository:a:pull']);
  assert.match(h, /^Bearer tok-\d+$/);
  now += 50_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), h);
  now += 10_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), undefined);

  respond = { expires_in: 5 };
  const h2 = await auth.authorize(REG, challenge(), ['repository:a:pull']);
  now += 30_000;
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), h2);
});

test('wrong password → clear auth error that never contains the password', async () => {
  const log: string[] = [];
  const auth = make({ [REG]: { username: 'alice', password: WRONG } }, { log });
  const e = await rejects(auth.authorize(REG, challenge(), ['repository:org/app:pull']), 'auth');
  assert.equal(
    e.message,
    'Authentication to registry.test failed: the username or password was rejected; check your credentials (docker login registry.test).',
  );
  const b64 = Buffer.from(`alice:${WRONG}`).toString('base64');
  for (const text of [e.message, e.detail ?? '', String(e.stack), ...log]) {
    assert.ok(!text.includes(WRONG) && !text.includes(b64), text);
  }
  assert.equal(auth.cachedAuthorization(REG, ['repository:org/app:pull']), undefined);
});

test('anonymous tokens; insufficient_scope after an anonymous token → sign-in error', async () => {
  const auth = make({});
  const h = await auth.authorize(REG, challenge(), ['repository:library/ubuntu:pull']);
  assert.match(h, /^Bearer tok-/);
  assert.equal(seen[0].authorization, undefined);
  assert.equal(auth.cachedAuthorization(REG, ['repository:library/ubuntu:pull']), h);

  // The registry refuses that token for a private repository.
  auth.invalidate(REG, ['repository:private/app:pull']);
  await auth.authorize(REG, challenge(), ['repository:private/app:pull']);
  const before = seen.length;
  const e = await rejects(
    auth.authorize(REG, challenge('/token', ',scope="repository:private/app:pull",error="insufficient_scope"'), ['repository:private/app:pull']),
    'auth',
  );
  assert.equal(seen.length, before, 'no pointless token request');
  assert.match(e.message, /^registry\.test requires sign-in for pull access to private\/app \(or the repository does not exist\); run docker login registry\.test/);
});

test('token service refuses anonymous requests → sign-in error', async () => {
  const auth = make({});
  const e = await rejects(auth.authorize(REG, challenge('/private-token'), ['repository:a/b:pull']), 'auth');
  assert.match(e.message, /^registry\.test requires sign-in for pull access to a\/b; run docker login registry\.test and try again\.$/);
});

test('insufficient_scope after a credentialed token → denied', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  await auth.authorize(REG, challenge(), ['repository:org/app:pull,push']);
  auth.invalidate(REG, ['repository:org/app:pull,push']);
  const e = await rejects(
    auth.authorize(REG, challenge('/token', ',scope="repository:org/app:push",error="insufficient_scope"'), ['repository:org/app:pull,push']),
    'denied',
  );
  assert.match(e.message, /registry\.test refused pull\/push access to org\/app for the signed-in account/);
});

test('invalidate drops the token so the next authorize fetches a fresh one', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  const h1 = await auth.authorize(REG, challenge(), ['repository:a:pull']);
  auth.invalidate(REG, ['repository:a:pull']);
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), undefined);
  const h2 = await auth.authorize(REG, challenge('/token', ',error="invalid_token"'), ['repository:a:pull']);
  assert.notEqual(h1, h2);
  assert.equal(seen.length, 2);
});

test('identity token: OAuth2 refresh_token grant by POST, rotated refresh token used next', async () => {
  const auth = make({ [REG]: { username: 'alice', identityToken: 'good-refresh' } });
  const h = await auth.authorize(REG, challenge('/oauth'), ['repository:a:pull', 'repository:b:pull']);
  assert.match(h, /^Bearer oauth-\d+$/);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, 'POST');
  const form = new URLSearchParams(seen[0].body);
  assert.equal(form.get('grant_type'), 'refresh_token');
  assert.equal(form.get('refresh_token'), 'good-refresh');
  assert.equal(form.get('service'), 'registry.test');
  assert.equal(form.get('scope'), 'repository:a:pull repository:b:pull');
  assert.ok(form.get('client_id'));
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), h);

  // The service rotated the refresh token; it is used for the next grant.
  await rejects(auth.authorize(REG, challenge('/oauth'), ['repository:c:pull']), 'auth');
  assert.equal(new URLSearchParams(seen[1].body).get('refresh_token'), 'rotated-refresh');
});

test('identity token rejected → auth error without the token', async () => {
  const auth = make({ [REG]: { identityToken: 'stale-refresh' } });
  const e = await rejects(auth.authorize(REG, challenge('/oauth'), ['repository:a:pull']), 'auth');
  assert.match(e.message, /saved login token was rejected/);
  assert.ok(!e.message.includes('stale-refresh'));
});

test('identity token against a service without OAuth (404) falls back to GET', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD, identityToken: 'whatever' } });
  const h = await auth.authorize(REG, challenge('/token'), ['repository:a:pull']);
  assert.match(h, /^Bearer tok-/);
  assert.deepEqual(
    seen.map((s) => s.method),
    ['POST', 'GET'],
  );
  assert.ok(seen[1].authorization?.startsWith('Basic '));
});

test('a registry token is used directly', async () => {
  const auth = make({ [REG]: { registryToken: 'ready-made' } });
  assert.equal(await auth.authorize(REG, challenge(), ['repository:a:pull']), 'Bearer ready-made');
  assert.equal(seen.length, 0);
  assert.equal(auth.cachedAuthorization(REG, ['repository:anything:push']), 'Bearer ready-made');
  auth.invalidate(REG, ['repository:a:pull']);
  assert.equal(auth.cachedAuthorization(REG, ['repository:a:pull']), undefined);
  const e = await rejects(auth.authorize(REG, challenge(), ['repository:a:pull']), 'auth');
  assert.ok(!e.message.includes('ready-made'));
});

test('Basic registries: header cached per registry; a rejection is final until credentials change', async () => {
  let current: Credentials | undefined = { username: 'bob', password: 'pw-basic' };
  const auth = new Authenticator({ credentials: { get: async () => current }, fetch: fetch as FetchLike });
  const h = await auth.authorize('basic.test', 'Basic realm="Registry Realm"', []);
  assert.equal(h, 'Basic ' + Buffer.from('bob:pw-basic').toString('base64'));
  assert.equal(auth.cachedAuthorization('basic.test', ['repository:x:push']), h);
  auth.invalidate('basic.test', []);
  assert.equal(auth.cachedAuthorization('basic.test', []), undefined);
  const e = await rejects(auth.authorize('basic.test', 'Basic realm="Registry Realm"', []), 'auth');
  assert.match(e.message, /^Authentication to basic\.test failed: the username or password was rejected/);
  assert.ok(!e.message.includes('pw-basic'));
  // After docker login with a new password, one fresh attempt is made.
  current = { username: 'bob', password: 'new-pw' };
  assert.equal(await auth.authorize('basic.test', 'Basic realm="Registry Realm"', []), 'Basic ' + Buffer.from('bob:new-pw').toString('base64'));
  current = undefined;
  auth.invalidate('basic.test', []);
  const e2 = await rejects(auth.authorize('basic.test', 'Basic realm="Registry Realm"', []), 'auth');
  assert.equal(e2.message, 'basic.test requires sign-in; run docker login basic.test and try again.');
});

test('Bearer preferred when several challenges are offered; unsupported schemes reported', async () => {
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  const h = await auth.authorize(REG, `Basic realm="x", ${challenge()}`, ['repository:a:pull']);
  assert.match(h, /^Bearer /);
  await rejects(auth.authorize(REG, 'Negotiate abc==', []), 'unsupported');
  await rejects(auth.authorize(REG, '', []), 'registry');
  await rejects(auth.authorize(REG, 'Bearer service="x"', []), 'registry');
  await rejects(auth.authorize(REG, 'Bearer realm="file:///etc/passwd"', []), 'registry');
});

test('token service down or failing → unreachable', async () => {
  const dead = http.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const port = (dead.address() as AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const auth = make({ [REG]: { username: 'alice', password: PASSWORD } });
  const e = await rejects(auth.authorize(REG, `Bearer realm="http://127.0.0.1:${port}/token",service="s"`, ['repository:a:pull']), 'unreachable');
  assert.match(e.message, new RegExp(`token service for registry\\.test at 127\\.0\\.0\\.1:${port} could not be reached \\(ECONNREFUSED\\)`));
  assert.ok(!e.message.includes(PASSWORD));

  respond = { status: 503 };
  const e2 = await rejects(auth.authorize(REG, challenge(), ['repository:a:pull']), 'unreachable');
  assert.match(e2.message, /HTTP 503/);
});

test('slow token service → unreachable after the timeout; caller abort → cancelled', async () => {
  const hang = http.createServer(() => {
    /* never answers */
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  const realm = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/token`;
  try {
    const auth = new Authenticator({ credentials: new StaticCredentialStore({}), fetch: fetch as FetchLike, timeoutMs: 200 });
    const e = await rejects(auth.authorize(REG, `Bearer realm="${realm}"`, ['repository:a:pull']), 'unreachable');
    assert.match(e.message, /did not answer within/);
    const ac = new AbortController();
    const p = auth.authorize(REG, `Bearer realm="${realm}"`, ['repository:b:pull'], ac.signal);
    setTimeout(() => ac.abort(), 50);
    await rejects(p, 'cancelled');
  } finally {
    hang.closeAllConnections();
    await new Promise<void>((r) => hang.close(() => r()));
  }
});
