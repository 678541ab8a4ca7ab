// A registry that answers 429 with a Retry-After past the cap (an hour) is not asked again by the
// same client until then: every other request to it fails at once with the same sentence, so a
// tree, a fleet scan or an index rebase does not hammer a registry that has said stop. Real HTTP
// against a loopback server that counts what reaches it.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { RegistryClient } from '../../src/core/registry/client';
import { isUserError } from '../../src/core/errors';

let server: http.Server;
let host: string;
const seen: string[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/v2/app/manifests/1') {
      res.writeHead(429, { 'Retry-After': '3600', 'Content-Type': 'application/json' }).end('{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit"}]}');
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

test('after a 429 asking for an hour, the next request to that registry fails at once without being sent', async () => {
  const client = new RegistryClient();
  const first = await client.getManifest({ registry: host, repository: 'app' }, '1').then(() => undefined, (e: unknown) => e);
  assert.ok(isUserError(first), String(first));
  assert.match(first.message, /asks to wait 60 minutes before it accepts more requests \(HTTP 429: TOOMANYREQUESTS: rate limit\); try again after \d{4}-/);
  assert.deepEqual(seen, ['GET /v2/app/manifests/1'], 'no retry of an hour-long wait');

  const t0 = Date.now();
  const second = await client.getManifest({ registry: host, repository: 'base' }, '1').then(() => undefined, (e: unknown) => e);
  assert.ok(isUserError(second), String(second));
  assert.equal(second.message, first.message);
  assert.equal(second.detail, 'rate-limited');
  assert.ok(Date.now() - t0 < 500, 'failed at once');
  assert.deepEqual(seen, ['GET /v2/app/manifests/1'], 'the registry was not asked again');

  // Another client (another process, a Retry the user asked for after restarting) still asks.
  const other = await new RegistryClient().getManifest({ registry: host, repository: 'base' }, '1').then(() => undefined, (e: unknown) => e);
  assert.ok(isUserError(other));
  assert.deepEqual(seen, ['GET /v2/app/manifests/1', 'GET /v2/base/manifests/1']);
});
