import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { RegistryClient } from '../../src/core/registry/client';
import { sha256Digest } from '../../src/core/digest';

/**
 * Distribution answers upload POSTs with absolute Location URLs; other registries (and the spec's
 * examples) use paths relative to the registry. This small server answers the relative way and
 * checks the PUT lands on that path with the session state kept and the digest added.
 */
test('uploads follow a relative Location and keep its query', async () => {
  const seen: string[] = [];
  let received = Buffer.alloc(0);
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v2/team/app/blobs/uploads/') {
        res.writeHead(202, { Location: '/v2/team/app/blobs/uploads/u-1?_state=abc' }).end();
      } else if (req.method === 'PUT' && req.url?.startsWith('/v2/team/app/blobs/uploads/u-1?')) {
        received = Buffer.concat(chunks);
        res.writeHead(201).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const data = Buffer.from('{"config":true}');
    const digest = sha256Digest(data);
    await new RegistryClient().uploadBlob({ registry: host, repository: 'team/app' }, digest, data);
    assert.equal(seen.length, 2);
    const put = new URL(seen[1].slice(4), `http://${host}`);
    assert.equal(put.pathname, '/v2/team/app/blobs/uploads/u-1');
    assert.equal(put.searchParams.get('_state'), 'abc');
    assert.equal(put.searchParams.get('digest'), digest);
    assert.deepEqual(received, data);
  } finally {
    server.close();
  }
});
