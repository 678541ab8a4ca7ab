// The transport against small real HTTP servers on loopback: what a broken server does to one
// exchange (no retries here; the request loop above it decides those).
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { TransportError, exchange } from '../../src/core/registry/transport';

let server: http.Server;
let base: string;
const uploads: number[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/truncate') {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('abc');
      setTimeout(() => res.socket?.end(), 20);
    } else if (path === '/cut-chunked') {
      res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
      res.write('abc');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (path === '/stall') {
      // never answers
    } else if (path === '/stall-mid-body') {
      res.writeHead(200, { 'Content-Length': '10' });
      res.write('abc');
    } else if (path === '/gzip') {
      const body = gzipSync(Buffer.from('{"a":1}'));
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
      res.end(body);
    } else if (path === '/big') {
      res.writeHead(200, { 'Content-Length': String(1 << 20) });
      res.end(Buffer.alloc(1 << 20));
    } else if (path === '/upload') {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('close', () => uploads.push(n));
      req.on('end', () => res.end('ok'));
    } else {
      res.end('hello');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const timeouts = { connectMs: 2000, idleMs: 300 };
const get = (path: string) => exchange({ url: new URL(base + path), method: 'GET', headers: {}, timeouts });

async function failure(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TransportError, `a TransportError, got ${e}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('transport', () => {
  test('a whole body is read', async () => {
    const res = await get('/');
    assert.equal((await res.read(1000)).toString(), 'hello');
  });

  test('a body that ends short of its Content-Length is an error, not an end', async () => {
    const res = await get('/truncate');
    const e = await failure(res.read(1000));
    assert.equal(e.failure, 'truncated');
  });

  test('a chunked body cut mid-way is an error', async () => {
    const res = await get('/cut-chunked');
    assert.equal((await failure(res.read(1000))).failure, 'truncated');
  });

  test('a server that never answers hits the idle timeout', async () => {
    const t0 = Date.now();
    const e = await failure(get('/stall'));
    assert.equal(e.failure, 'idle-timeout');
    assert.ok(Date.now() - t0 < 2000);
  });

  test('a body that stops mid-way hits the idle timeout', async () => {
    const res = await get('/stall-mid-body');
    assert.equal((await failure(res.read(1000))).failure, 'idle-timeout');
  });

  test('nothing is decompressed: the bytes are what the server sent', async () => {
    const res = await get('/gzip');
    const bytes = await res.read(1000);
    assert.equal(bytes[0], 0x1f, 'still gzip');
  });

  test('a body over the limit is refused without reading it all', async () => {
    const res = await get('/big');
    assert.equal((await failure(res.read(1000))).failure, 'too-large');
  });

  test('an upload whose source fails is aborted, not left hanging', async () => {
    const src = new PassThrough();
    const p = exchange({ url: new URL(base + '/upload'), method: 'PUT', headers: { 'Content-Length': '1000000' }, body: src, timeouts });
    src.write(Buffer.alloc(1000));
    setTimeout(() => src.destroy(new Error('download broke')), 50);
    const e = await failure(p);
    assert.equal(e.failure, 'network');
    assert.match(e.message, /download broke/);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(uploads.length >= 1 && uploads.at(-1)! < 1_000_000, 'the server saw the upload end early');
  });

  test('a cancel aborts at once', async () => {
    const ac = new AbortController();
    const p = exchange({ url: new URL(base + '/stall'), method: 'GET', headers: {}, timeouts: { connectMs: 2000, idleMs: 10_000 }, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    assert.equal((await failure(p)).failure, 'aborted');
  });
});

describe('transport: slow servers', () => {
  let slow: http.Server;
  let url: string;
  before(async () => {
    slow = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      // A byte every 50 ms: never silent, never getting anywhere.
      const t = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
  });
  after(async () => {
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
  });

  test('a trickle of bytes counts as idle', async () => {
    const res = await exchange({ url: new URL(url), method: 'GET', headers: {}, timeouts: { connectMs: 1000, idleMs: 400 } });
    const t0 = Date.now();
    const e = await failure(res.read(10_000));
    assert.equal(e.failure, 'idle-timeout');
    assert.ok(Date.now() - t0 < 1500, 'within about two windows');
  });
});
