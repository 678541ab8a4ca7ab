// The Registries view tells failures apart by the core's sentences (its errors carry no finer
// code yet). These tests produce each failure with the real client against small loopback
// servers, so a reworded core message fails here rather than silently turning a row generic.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { UserError } from '../../src/core/errors';
import { RegistryClient } from '../../src/core/registry/client';
import { describeProblem, passingFailure } from '../../src/extension/registries/problems';

let server: http.Server;
let host: string;

before(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    req.resume();
    if (path.startsWith('/v2/stall/')) return; // never answered
    if (path.startsWith('/v2/cut/')) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"tags":');
      setTimeout(() => res.socket?.end(), 20);
    } else if (path.startsWith('/v2/slow-down/')) {
      res.writeHead(429, { 'Retry-After': '3600' }).end();
    } else if (path.startsWith('/v2/limited/')) {
      res.writeHead(429, { 'Retry-After': '0' }).end();
    } else if (path.startsWith('/v2/broken/')) {
      res.writeHead(503).end('{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}');
    } else if (path.startsWith('/v2/private/')) {
      res.writeHead(401).end();
    } else {
      res.writeHead(404).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** No retries and short timeouts: each failure is the first attempt's, quickly. */
const client = () => new RegistryClient({ retry: { retries: 0 }, timeouts: { connectMs: 1000, idleMs: 100 } });

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

const tags = (repository: string, registry = host) => failureOf(client().listTags({ registry, repository }));

describe('tree rows for failed pages', () => {
  test('a registry that stops answering: "timed out", with the core sentence as tooltip', async () => {
    const e = await tags('stall/app');
    const p = describeProblem(e, 'tags', false);
    assert.deepEqual([p.action, p.label], ['retry', 'Registry timed out — Retry']);
    assert.equal(p.message, (e as Error).message);
  });

  test('a connection never accepted reads the same (the core marks it connect-timeout)', () => {
    const e = new UserError('unreachable', `Registry ${host} did not accept a connection within 15 seconds; check that it is running and that the address is right.`, 'connect-timeout');
    assert.equal(passingFailure(e), 'timeout');
  });

  test('a refused connection: "unreachable"', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const p = describeProblem(await tags('app', `127.0.0.1:${port}`), 'tags', false);
    assert.deepEqual([p.action, p.label], ['retry', 'Unreachable — Retry']);
  });

  test('an answer cut short: "connection lost"', async () => {
    assert.equal(describeProblem(await tags('cut/app'), 'tags', false).label, 'Connection lost — Retry');
  });

  test('rate limits and failing servers stay retryable, at a registry too (not "No catalog")', async () => {
    assert.equal(describeProblem(await tags('slow-down/app'), 'tags', false).label, 'Registry busy — Retry later');
    assert.equal(describeProblem(await tags('limited/app'), 'tags', false).label, 'Registry busy — Retry later');
    const broken = describeProblem(await tags('broken/app'), 'repositories', true);
    assert.deepEqual([broken.action, broken.label], ['retry', 'Registry error — Retry']);
    assert.match(broken.message, /HTTP 503 \(UNAVAILABLE: maintenance\)/);
  });

  test('sign-in, a missing catalog and anything else keep their rows', async () => {
    assert.deepEqual(describeProblem(await tags('private/app'), 'tags', false).action, 'signIn');
    const missing = await failureOf(client().catalog(host));
    assert.deepEqual(describeProblem(missing, 'repositories', true).action, 'addRepository');
    assert.deepEqual(describeProblem(missing, 'tags', false).label, 'Could not load tags');
    const odd = describeProblem(new TypeError('x is undefined'), 'the image', false);
    assert.deepEqual([odd.action, odd.label, odd.message], ['none', 'Could not load the image', 'Unexpected error: x is undefined']);
  });
});
