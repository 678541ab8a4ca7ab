// What a registry row says about its registry (RegistryHealth), from the real client's failures
// against loopback servers: a /v2/ check (Add Registry, the check on refresh) and a catalog page.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/core/registry/client';
import { registryHealth } from '../../src/extension/registries/problems';

const servers: http.Server[] = [];

/** A loopback server answering every request with `status`; its host:port. */
async function answering(status: number, headers: Record<string, string> = {}): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, headers).end(status === 404 ? '<html>not here</html>' : '{}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let registry: string;
let signIn: string;
let website: string;
let closed: string;

before(async () => {
  registry = await answering(200, { 'Docker-Distribution-API-Version': 'registry/2.0' });
  signIn = await answering(401, { 'WWW-Authenticate': 'Basic realm="registry"' });
  website = await answering(404);
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closed = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
});

after(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

const client = () => new RegistryClient({ retry: { retries: 0 }, timeouts: { connectMs: 1000, idleMs: 500 } });

async function check(host: string) {
  try {
    await client().ping(host);
    return undefined;
  } catch (e) {
    return registryHealth(e, 'check');
  }
}

describe('registry health', () => {
  test('a registry that answers /v2/ with 200 is healthy', async () => {
    assert.equal(await check(registry), undefined);
  });

  test('401 on /v2/ is a registry that wants a sign-in', async () => {
    const h = await check(signIn);
    assert.deepEqual([h?.severity, h?.description, h?.signIn], ['warning', 'sign in required', true]);
  });

  test('a refused connection is "unreachable", an error, with the core sentence', async () => {
    const h = await check(closed);
    assert.deepEqual([h?.severity, h?.description, h?.signIn], ['error', 'unreachable', false]);
    assert.match(h!.message, /connection refused/);
  });

  test('a web server answering 404 on /v2/ is "not a registry"', async () => {
    const h = await check(website);
    assert.deepEqual([h?.severity, h?.description], ['error', 'not a registry']);
  });

  test('a catalog that is not there is no trouble (Docker Hub, GHCR have none)', async () => {
    try {
      await client().catalog(website);
      assert.fail('expected a failure');
    } catch (e) {
      assert.equal(registryHealth(e, 'catalog'), undefined);
    }
  });
});
