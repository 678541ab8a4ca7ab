import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cli, tagDigest, type CliRun } from '../harness/cli';
import { pullAndUnpack } from '../harness/containerd';
import { startFaultProxy, type FaultProxy } from '../harness/faultProxy';
import { fetchManifest, putManifest } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { ANN_DIGEST, ANN_NAME, craft, seedFleet, type Fleet } from '../harness/scanFixtures';
import type { MatrixImage } from '../harness/scanMatrix';
import { tarOf, type TarEntry } from '../harness/tarLayers';

interface Entry {
  image: string;
  target: string | null;
  previous: string | null;
  digest: string | null;
  status: string;
  error: string | null;
  plan?: unknown;
}

/** A real tar layer (containerd unpacks it), in the shape craft() uploads. */
async function tarLayer(name: string, entries: TarEntry[]) {
  const tar = await tarOf(entries);
  const gz = gzipSync(tar);
  const hash = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  return { descriptor: { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: hash(gz), size: gz.length }, diffId: hash(tar), createdBy: `ADD ${name}`, foreign: false, gz };
}

function images(r: CliRun): Entry[] {
  assert.ok(r.out.length > 0, `no JSON on stdout; stderr: ${r.err.join('\n')}`);
  return (JSON.parse(r.out.join('\n')) as { images: Entry[] }).images;
}

function one(all: Entry[], image: string): Entry {
  const found = all.filter((e) => e.image === image);
  assert.equal(found.length, 1, `${image}: ${JSON.stringify(all.map((e) => `${e.image} ${e.status}`))}`);
  return found[0];
}

describe('rebase-image sync, rollback and fan-out', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let host: string;
  let d: Fleet['d'];
  let matrix: MatrixImage[];
  let dir: string;
  const rb: Record<string, string> = {};
  const bases = () => ['--base', `${host}/base/deb`, '--base', `${host}/base/alp:3.19`, '--base', `${host}/base/nano:ltsc`];
  const fleet = () => [`${host}/team/`, `${host}/multi/app`, `${host}/win/app`, `${host}/rb/app`, `${host}/gen/`];
  /** Every outdated image of the fleet, by how it was built. */
  const outdated = () => ['team/api:1', 'team/web:1', 'multi/app:1', 'win/app:1', 'rb/app:1', ...matrix.filter((m) => m.status === 'outdated').map((m) => m.image)];
  const writes = (from: number) => proxy.log.slice(from).filter((l) => l.method !== 'GET' && l.method !== 'HEAD');

  before(async () => {
    reg = await startRegistry();
    // Everything goes through the proxy, so a fault can be put on one repository's pushes.
    proxy = await startFaultProxy(reg.host);
    host = proxy.host;
    ({ d, matrix } = await seedFleet(host, reg.storageDir));
    dir = mkdtempSync(join(tmpdir(), 'sync-test-'));
    // Real tar layers, for containerd: rb/app:1 is on rb/base:1 (v1), which then moves to v2.
    const os = await tarLayer('os', [{ path: 'etc/os', content: 'os\n' }]);
    const v = async (n: string) => tarLayer(`base ${n}`, [{ path: 'etc/base', content: `${n}\n` }]);
    const b1 = await craft(host, { repo: 'rb/base', tag: '1', layers: [os, await v('v1')] });
    const app = await tarLayer('app', [{ path: 'app/hello', content: 'hello\n' }]);
    rb.app1 = (await craft(host, { repo: 'rb/app', tag: '1', layers: [...b1.layers, app], annotations: { [ANN_NAME]: `${host}/rb/base:1`, [ANN_DIGEST]: b1.digest } })).digest;
    rb.base1 = (await craft(host, { repo: 'rb/base', tag: '1', layers: [os, await v('v2')], created: '2024-09-09T00:00:00Z' })).digest;
    rb.base2 = (await craft(host, { repo: 'rb/base', tag: '2', layers: [os, await v('v3')] })).digest;
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('--dry-run plans every outdated image and writes nothing', async () => {
    const from = proxy.log.length;
    const r = await cli('sync', ...fleet(), ...bases(), '--tag-suffix', '-p', '--dry-run', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(writes(from), []);
    const all = images(r);
    for (const name of outdated()) {
      const e = one(all, `${host}/${name}`);
      assert.equal(e.status, 'dry-run', JSON.stringify(e));
      assert.equal(e.target, `${host}/${name}-p`);
      assert.equal(e.previous, null);
      assert.match(e.digest ?? '', /^sha256:/);
      assert.ok(e.plan, 'each dry-run image carries its plan');
    }
    assert.equal(one(all, `${host}/team/legacy:1`).status, 'skipped');
    assert.ok(!all.some((e) => /api:[23]$|web:2$|win\/app:2$/.test(e.image)), 'up-to-date images are not listed');
    const table = await cli('sync', `${host}/team/api`, ...bases(), '--in-place', '--dry-run');
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out.join('\n'), /would become sha256:[0-9a-f]{64}\n\s+- removed/);
  });

  test('--tag-suffix: every outdated image rebased onto its base tag, a report, containerd pulls it', async () => {
    const report = join(dir, 'suffix.json');
    const r = await cli('sync', ...fleet(), ...bases(), '--tag-suffix', '-p', '--report', report);
    assert.equal(r.code, 0, r.err.join('\n'));
    const all = (JSON.parse(readFileSync(report, 'utf8')) as { images: Entry[] }).images;
    for (const e of all) assert.deepEqual(Object.keys(e), ['image', 'target', 'previous', 'digest', 'status', 'error']);
    assert.equal(outdated().length, 15);
    for (const name of outdated()) {
      const e = one(all, `${host}/${name}`);
      assert.equal(e.status, 'rebased', JSON.stringify(e));
      const [repo, tag] = name.split(':');
      assert.equal(await tagDigest(host, repo, `${tag}-p`), e.digest);
      assert.equal(e.previous, null);
    }
    // The rebased image is on the base tag's current image, by layers and by annotation.
    const api = await fetchManifest(host, 'team/api', '1-p');
    assert.equal(api.json.annotations?.[ANN_DIGEST], d.deb11);
    assert.deepEqual(one(all, `${host}/team/legacy:1`).status, 'skipped');
    assert.match(one(all, `${host}/team/legacy:1`).error ?? '', /no longer exists/);
    // Up-to-date images untouched, no new tag for them.
    assert.equal(await tagDigest(host, 'team/api', '2'), d.api2);
    assert.equal(await tagDigest(host, 'team/api', '2-p'), undefined);
    assert.equal(await tagDigest(host, 'team/api', '1'), d.api1);
    // The matrix: each outdated image now on its base tag's current image; nothing else tagged.
    for (const m of matrix) {
      const [repo, tag] = m.image.split(':');
      if (m.status !== 'outdated') {
        assert.equal(await tagDigest(host, repo, `${tag}-p`), undefined, m.image);
        continue;
      }
      const rebased = await fetchManifest(host, repo, `${tag}-p`);
      const layers = (rebased.json.layers ?? []) as { digest: string }[];
      const base = await fetchManifest(host, m.image.startsWith('gen/nano') ? 'base/nano' : m.image.startsWith('gen/deb') ? 'base/deb' : 'base/alp', m.currentDigest!);
      const baseLayers = ((base.json.layers ?? []) as { digest: string }[]).map((l) => l.digest);
      assert.deepEqual(layers.slice(0, baseLayers.length).map((l) => l.digest), baseLayers, m.image);
      assert.equal(layers.length, baseLayers.length + 2, m.image);
    }
    const pulled = await pullAndUnpack(`${host}/rb/app:1-p`);
    try {
      assert.equal(pulled.readFile('/etc/base'), 'v2\n');
      assert.equal(pulled.readFile('/app/hello'), 'hello\n');
    } finally {
      await pulled.cleanup();
    }
    // Rolling back new tags: they cannot be un-created, so each is left and reported.
    const back = await cli('rollback', report);
    assert.equal(back.code, 0, back.err.join('\n'));
    assert.equal(back.out.filter((l) => /^skipped .*did not exist before the sync/.test(l)).length, outdated().length, back.out.join('\n'));
  });

  test('a fault on one image push: only that one fails, the report says so (exit 1)', async () => {
    proxy.addRule({ method: 'PUT', path: /^\/v2\/team\/web\/manifests\//, times: Infinity, fault: { kind: 'status', status: 500 } });
    const report = join(dir, 'fault.json');
    try {
      const r = await cli('sync', `${host}/team/`, ...bases(), '--tag-suffix', '-f', '--retries', '0', '--report', report);
      assert.equal(r.code, 1, r.err.join('\n'));
    } finally {
      proxy.clearRules();
    }
    const all = (JSON.parse(readFileSync(report, 'utf8')) as { images: Entry[] }).images;
    const web = one(all, `${host}/team/web:1`);
    assert.equal(web.status, 'failed');
    assert.match(web.error ?? '', /500|server/i);
    assert.equal(await tagDigest(host, 'team/web', '1-f'), undefined);
    const api = one(all, `${host}/team/api:1`);
    assert.equal(api.status, 'rebased');
    assert.equal(await tagDigest(host, 'team/api', '1-f'), api.digest);
  });

  test('--in-place, rollback restoring every digest, refusing a tag changed since, --force', async () => {
    const report = join(dir, 'inplace.json');
    const targets = [`${host}/team/api`, `${host}/rb/app`];
    const r = await cli('sync', ...targets, '--base', `${host}/base/deb`, '--in-place', '--report', report, '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const all = images(r);
    const api = one(all, `${host}/team/api:1`);
    assert.deepEqual([api.status, api.target, api.previous], ['rebased', `${host}/team/api:1`, d.api1]);
    assert.equal(await tagDigest(host, 'team/api', '1'), api.digest);
    assert.equal(one(all, `${host}/rb/app:1`).previous, rb.app1);
    assert.equal(await tagDigest(host, 'team/api', '3'), d.api3, 'up to date: untouched');

    const back = await cli('rollback', report);
    assert.equal(back.code, 0, back.err.join('\n'));
    assert.equal(await tagDigest(host, 'team/api', '1'), d.api1);
    assert.equal(await tagDigest(host, 'rb/app', '1'), rb.app1);

    // Again, then someone pushes another image to api:1: that tag is refused, the other restored.
    const again = join(dir, 'again.json');
    assert.equal((await cli('sync', ...targets, '--base', `${host}/base/deb`, '--in-place', '--report', again)).code, 0);
    const other = await fetchManifest(host, 'team/api', '3');
    await putManifest(host, 'team/api', '1', other.body, other.mediaType);
    const refused = await cli('rollback', again);
    assert.equal(refused.code, 1);
    assert.match(refused.out.join('\n'), /^refused .*team\/api:1 changed since the report/m);
    assert.equal(await tagDigest(host, 'team/api', '1'), d.api3);
    assert.equal(await tagDigest(host, 'rb/app', '1'), rb.app1);
    const forced = await cli('rollback', again, '--force');
    assert.equal(forced.code, 0, forced.err.join('\n'));
    assert.equal(await tagDigest(host, 'team/api', '1'), d.api1);
    assert.match(forced.out.join('\n'), /^unchanged .*rb\/app:1/m);
  });

  test('usage errors', async () => {
    const none = await cli('sync', `${host}/team/`);
    assert.equal(none.code, 2);
    assert.match(none.err.join('\n'), /--in-place .* or --tag-suffix/);
    assert.equal((await cli('sync', `${host}/team/`, '--in-place', '--tag-suffix', '-x')).code, 2);
    assert.equal((await cli('sync', `${host}/team/`, '--tag-suffix', 'a/b')).code, 2);
    assert.equal((await cli('rollback')).code, 2);
    assert.equal((await cli('rollback', join(dir, 'nope.json'))).code, 2);
  });

  test('fan-out: one source onto two bases, each target its own push', async () => {
    const r = await cli(`${host}/rb/app:1`, '-t', `${host}/rb/app:1-{base.tag}`, '-b', `${host}/rb/base:1`, '-b', `${host}/rb/base:2`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.out.length, 2, r.out.join('\n'));
    const one1 = await fetchManifest(host, 'rb/app', '1-1');
    const one2 = await fetchManifest(host, 'rb/app', '1-2');
    assert.equal(one1.json.annotations?.[ANN_DIGEST], rb.base1);
    assert.equal(one2.json.annotations?.[ANN_DIGEST], rb.base2);
    const pulled = await pullAndUnpack(`${host}/rb/app:1-2`);
    try {
      assert.equal(pulled.readFile('/etc/base'), 'v3\n');
      assert.equal(pulled.readFile('/app/hello'), 'hello\n');
    } finally {
      await pulled.cleanup();
    }
    const bad = await cli(`${host}/rb/app:1`, '-t', `${host}/rb/app:1-x`, '-b', `${host}/rb/base:1`, '-b', `${host}/rb/base:2`);
    assert.equal(bad.code, 2);
    assert.match(bad.err.join('\n'), /\{base\.tag\}/);
  });
});
