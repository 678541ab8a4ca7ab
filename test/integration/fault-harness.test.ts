// Self-test of the hostile-network harness (fault proxy, hostile registry, storage host): if a
// fault does not happen the way it says, tests of the client's resilience prove nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startFaultProxy, type Fault, type FaultProxy } from '../harness/faultProxy';
import { CORRUPTIONS, hostileImage, serveImage, sha256 } from '../harness/hostileDocuments';
import { startHostileRegistry, type HostileRegistry } from '../harness/hostileRegistry';
import { fetchManifest, putManifest, uploadBlob } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { startStorageHost, type StorageHost } from '../harness/storageHost';

const BLOB = randomBytes(100_000);

/** Reads a body as far as it goes: how many bytes arrived, and the error that ended it, if any. */
async function readPartial(res: Response): Promise<{ bytes: number; error?: unknown }> {
  const reader = res.body!.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes };
      bytes += value.length;
    }
  } catch (error) {
    return { bytes, error };
  }
}

describe('fault harness', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let hostile: HostileRegistry;
  let storage: StorageHost;
  let blobPath: string;

  before(async () => {
    [reg, hostile, storage] = await Promise.all([startRegistry(), startHostileRegistry(), startStorageHost({ blob: 'presigned bytes' })]);
    proxy = await startFaultProxy(reg.host);
    blobPath = `/v2/selftest/blobs/${await uploadBlob(reg.host, 'selftest', BLOB)}`;
  });
  after(async () => {
    await Promise.all([proxy?.stop(), hostile?.stop(), storage?.stop()]);
    await reg?.stop();
  });

  test('a 503 rule applies once, then requests pass through', async () => {
    proxy.log.splice(0);
    proxy.addRule({ method: 'GET', path: /^\/v2\/$/, fault: { kind: 'status', status: 503, body: 'busy' } });
    const first = await fetch(`${proxy.url}/v2/`);
    assert.equal(first.status, 503);
    assert.equal(await first.text(), 'busy');
    const second = await fetch(`${proxy.url}/v2/`, { headers: { Authorization: 'Basic eDp5' } });
    assert.equal(second.status, 200);
    await second.arrayBuffer();
    assert.deepEqual(
      proxy.log.map(({ method, path, fault, status, authorization }) => ({ method, path, fault, status, authorization })),
      [
        { method: 'GET', path: '/v2/', fault: 'status', status: 503, authorization: false },
        { method: 'GET', path: '/v2/', fault: undefined, status: 200, authorization: true },
      ],
    );
  });

  test('skip lets matching requests through before the rule applies', async () => {
    proxy.clearRules();
    proxy.addRule({ path: /^\/v2\/$/, skip: 1, times: 2, fault: { kind: 'status', status: 500 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${proxy.url}/v2/`);
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [200, 500, 500, 200]);
  });

  test('drop-mid-body sends headers and part of the body, then resets', async () => {
    proxy.addRule({ path: /\/blobs\//, fault: { kind: 'drop-mid-body', afterBytes: 1000 } });
    const res = await fetch(`${proxy.url}${blobPath}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(BLOB.length));
    const got = await readPartial(res);
    assert.ok(got.error, 'the body must end in an error');
    assert.equal(got.bytes, 1000);
    assert.equal(proxy.log.at(-1)?.fault, 'drop-mid-body');
  });

  test('truncate closes cleanly with fewer bytes than Content-Length', async () => {
    proxy.addRule({ path: /\/blobs\//, fault: { kind: 'truncate' } });
    const res = await fetch(`${proxy.url}${blobPath}`);
    assert.equal(Number(res.headers.get('content-length')), BLOB.length);
    const got = await readPartial(res);
    assert.ok(got.error, 'a short body must not look complete');
    assert.equal(got.bytes, BLOB.length / 2);
  });

  test('drop-after-forward: the registry stored the manifest, the client got no answer', async () => {
    const config = await uploadBlob(reg.host, 'selftest', '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 79 },
      layers: [],
    });
    proxy.addRule({ method: 'PUT', path: /\/manifests\//, fault: { kind: 'drop-after-forward' } });
    await assert.rejects(putManifest(proxy.host, 'selftest', 'lost-answer', manifest, 'application/vnd.oci.image.manifest.v1+json'));
    assert.equal((await fetchManifest(reg.host, 'selftest', 'lost-answer')).digest, sha256(manifest));
    assert.deepEqual({ ...proxy.log.at(-1), seq: 0 }, { seq: 0, method: 'PUT', path: '/v2/selftest/manifests/lost-answer', authorization: false, fault: 'drop-after-forward', upstreamStatus: 201 });
  });

  test('reset fails the request; stall holds it until the client gives up', async () => {
    proxy.addRule({ fault: { kind: 'reset' } });
    await assert.rejects(fetch(`${proxy.url}/v2/`));
    proxy.addRule({ fault: { kind: 'stall' } });
    const t0 = Date.now();
    await assert.rejects(fetch(`${proxy.url}/v2/`, { signal: AbortSignal.timeout(300) }), { name: 'TimeoutError' });
    assert.ok(Date.now() - t0 >= 290);
  });

  test('stop() ends stalled and trickling connections at once', async () => {
    const spare = await startFaultProxy(reg.host);
    spare.addRule({ fault: { kind: 'stall' } });
    spare.addRule({ fault: { kind: 'trickle', intervalMs: 1000 } });
    // Settled into values at once, so a rejection never counts as unhandled while the test waits.
    const outcome = (p: Promise<unknown>) => p.then(() => 'answered', () => 'failed');
    const stalled = outcome(fetch(`${spare.url}/v2/`));
    const trickling = outcome(fetch(`${spare.url}${blobPath}`).then((r) => r.arrayBuffer()));
    while (spare.log.length < 2) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await spare.stop();
    assert.ok(Date.now() - t0 < 200, `stop took ${Date.now() - t0} ms`);
    assert.deepEqual(await Promise.all([stalled, trickling]), ['failed', 'failed']);
  });

  test('trickle and delay still deliver the answer', async () => {
    proxy.addRule({ fault: { kind: 'trickle', intervalMs: 20 } });
    proxy.addRule({ fault: { kind: 'delay', ms: 100 } });
    const t0 = Date.now();
    assert.equal(await (await fetch(`${proxy.url}/v2/`)).text(), '{}');
    const t1 = Date.now();
    assert.equal((await fetch(`${proxy.url}/v2/`)).status, 200);
    assert.ok(t1 - t0 >= 40 && Date.now() - t1 >= 95, `trickle ${t1 - t0} ms, delay ${Date.now() - t1} ms`);
  });

  test('random faults are reproducible from the seed', async () => {
    const faults: Fault[] = [{ kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'reset' }];
    const schedule = async (seed: number): Promise<Array<number | string>> => {
      proxy.setRandom({ rate: 0.5, seed, faults });
      const out: Array<number | string> = [];
      for (let i = 0; i < 24; i++) {
        out.push(await fetch(`${proxy.url}/v2/`).then(async (r) => (await r.arrayBuffer(), r.status), () => 'error'));
      }
      proxy.setRandom(undefined);
      return out;
    };
    const a = await schedule(7);
    assert.deepEqual(await schedule(7), a);
    assert.notDeepEqual(await schedule(8), a);
    assert.ok(a.includes(200) && a.some((s) => s !== 200), `a mix of outcomes: ${a.join(' ')}`);
  });

  test('redirect points at another origin with the original path and query', async () => {
    proxy.addRule({ fault: { kind: 'redirect', to: storage.url } });
    const res = await fetch(`${proxy.url}${blobPath}?x=1`, { redirect: 'manual' });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), `${storage.url}${blobPath}?x=1`);
  });

  test('the hostile registry serves routes, /v2/ and distribution-spec 404s', async () => {
    const img = hostileImage('layer-size-negative');
    serveImage(hostile, 'evil', 'latest', img);
    const res = await fetch(`${hostile.url}/v2/evil/manifests/latest`);
    const body = await res.text();
    assert.equal(res.headers.get('docker-content-digest'), sha256(body));
    assert.equal(JSON.parse(body).layers[0].size, -1);
    assert.equal((await fetch(`${hostile.url}/v2/`)).status, 200);
    const missing = await fetch(`${hostile.url}/v2/nope/tags/list`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).errors[0].code, 'NAME_UNKNOWN');
    assert.ok(Object.keys(CORRUPTIONS).every((name) => hostileImage(name as keyof typeof CORRUPTIONS).manifest.body.length > 0));
  });

  test('the storage host records Authorization and refuses it as S3 does', async () => {
    const withAuth = await fetch(`${storage.url}/bucket/key?X-Amz-Signature=abc`, { headers: { Authorization: 'Bearer registry-token' } });
    assert.equal(withAuth.status, 400);
    assert.match(await withAuth.text(), /Only one auth mechanism allowed/);
    const plain = await fetch(`${storage.url}/bucket/key?X-Amz-Signature=abc`);
    assert.equal(await plain.text(), 'presigned bytes');
    assert.deepEqual(
      storage.log.map((e) => [e.method, e.authorization]),
      [
        ['GET', 'Bearer registry-token'],
        ['GET', undefined],
      ],
    );
  });
});
