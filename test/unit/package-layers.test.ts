import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayerFormatError, readLayer } from '../../src/core/packages/readLayer';
import { imageContents, stackLayers } from '../../src/core/packages/merge';
import { comparePackages } from '../../src/core/packages/compare';
import { LayerCache } from '../../src/core/packages/cache';
import { appLayerWarnings } from '../../src/core/packages/appLayers';
import { emptyScan, type LayerScan } from '../../src/core/packages/layerScan';
import { tarOf, type TarEntry } from '../harness/tarLayers';
import { alpineOsRelease, debianOsRelease, dpkgStatus, rpmdbSqlite } from '../harness/packageDbs';

/** A layer as a registry would stream it: in small chunks. */
function stream(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 1000) chunks.push(data.subarray(i, i + 1000));
  return Readable.from(chunks);
}

async function scan(entries: TarEntry[], compress = true, mode: 'full' | 'headers' = 'full'): Promise<LayerScan> {
  const tar = await tarOf(entries);
  const data = compress ? gzipSync(tar) : tar;
  return readLayer(stream(data), { mode, size: data.length });
}

const deb = (pkgs: Array<[string, string]>) => dpkgStatus(pkgs.map(([name, version]) => ({ name, version })));

describe('layer reading', () => {
  test('keeps tracked files only, parsed; gzip and plain tar alike', async () => {
    const entries: TarEntry[] = [
      { path: 'etc/', dir: true },
      { path: 'etc/os-release', content: debianOsRelease('12', 'bookworm') },
      { path: './var/lib/dpkg/status', content: deb([['libc6', '2.36-9+deb12u4']]) },
      { path: 'var/lib/dpkg/status-old', content: deb([['ignored', '1']]) },
      { path: 'usr/bin/big', content: Buffer.alloc(300_000, 1) },
      { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: await rpmdbSqlite([{ name: 'bash', version: '5.1.8', release: '6.el9' }]) },
    ];
    for (const compress of [true, false]) {
      const s = await scan(entries, compress);
      assert.deepEqual(Object.keys(s.files).sort(), ['etc/os-release', 'usr/lib/sysimage/rpm/rpmdb.sqlite', 'var/lib/dpkg/status']);
      assert.deepEqual(s.files['var/lib/dpkg/status'], { type: 'packages', format: 'dpkg', packages: [{ name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' }] });
      assert.deepEqual(s.files['usr/lib/sysimage/rpm/rpmdb.sqlite'], { type: 'packages', format: 'rpm', packages: [{ name: 'bash', version: '5.1.8-6.el9', arch: 'x86_64' }] });
    }
  });

  test('whiteouts and opaque directories that touch tracked paths; links', async () => {
    const s = await scan([
      { path: 'var/lib/dpkg/.wh.status', content: '' },
      { path: 'var/lib/.wh.apt', content: '' },
      { path: 'var/lib/dpkg/status.d/.wh..wh..opq', content: '' },
      { path: 'tmp/.wh..wh..opq', content: '' },
      { path: 'etc/os-release', symlink: '../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: alpineOsRelease('3.19.1') },
      { path: 'var/lib/rpm/Packages', content: 'Berkeley DB bytes' },
    ]);
    assert.deepEqual(s.deleted, ['var/lib/dpkg/status']);
    assert.deepEqual(s.opaque, ['var/lib/dpkg/status.d']);
    assert.deepEqual(s.files['etc/os-release'], { type: 'link', target: 'usr/lib/os-release' });
    assert.deepEqual(s.files['var/lib/rpm/Packages'], { type: 'unsupported', what: 'Berkeley DB' });
  });

  test('headers-only scans record presence without reading', async () => {
    const s = await scan([{ path: 'var/lib/dpkg/status', content: deb([['curl', '7.88.1-10+deb12u5']]) }], true, 'headers');
    assert.deepEqual(s.files, { 'var/lib/dpkg/status': { type: 'present' } });
  });

  test('oversized files are reported, not read; zstd and garbage are told apart', async () => {
    const big = await scan([{ path: 'var/lib/dpkg/status.d/huge', content: Buffer.alloc(1024 * 1024 + 1, 0x41) }]);
    assert.equal(big.files['var/lib/dpkg/status.d/huge'].type, 'unreadable');
    assert.match((big.files['var/lib/dpkg/status.d/huge'] as { why: string }).why, /1\.0 MiB, over the 1\.0 MiB limit/);
    const zstd = await readLayer(stream(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])), { mode: 'full', size: 7 });
    assert.match(zstd.notes[0], /not read \(zstd\)/);
    await assert.rejects(readLayer(stream(Buffer.alloc(5000, 7)), { mode: 'full', size: 5000 }), LayerFormatError);
    await assert.rejects(readLayer(stream(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4])), { mode: 'full', size: 8 }), LayerFormatError);
  });

  test('a gzip bomb is stopped at the expansion limit', async () => {
    const tar = await tarOf([{ path: 'zeros', content: Buffer.alloc(4 * 1024 * 1024) }]);
    const bomb = gzipSync(tar);
    await assert.rejects(readLayer(stream(bomb), { mode: 'full', size: bomb.length, expansionLimit: 1024 * 1024 }), (e) => e instanceof LayerFormatError && /expands to more than 1\.0 MiB/.test(e.message));
  });

  test('an error of the download itself is rethrown as it is', async () => {
    const failing = new Readable({ read() {} });
    const tar = gzipSync(await tarOf([{ path: 'a', content: 'x'.repeat(10_000) }]));
    failing.push(tar.subarray(0, 100));
    const boom = new Error('connection reset');
    setTimeout(() => failing.destroy(boom), 20);
    await assert.rejects(readLayer(failing, { mode: 'full', size: tar.length }), (e) => e === boom);
  });
});

describe('stacking layers', () => {
  const files = (f: LayerScan['files']): LayerScan => ({ ...emptyScan(), files: f });
  const dpkgFile = (pkgs: Array<[string, string]>) => ({ type: 'packages' as const, format: 'dpkg' as const, packages: pkgs.map(([name, version]) => ({ name, version })) });

  test('later layers replace files; whiteouts delete; opaque hides lower layers only', () => {
    const lower = files({ 'var/lib/dpkg/status': dpkgFile([['a', '1']]), 'var/lib/dpkg/status.d/x': dpkgFile([['x', '1']]) });
    const opaque: LayerScan = { ...emptyScan(), opaque: ['var/lib/dpkg/status.d'], files: { 'var/lib/dpkg/status.d/y': dpkgFile([['y', '1']]) } };
    assert.deepEqual([...stackLayers([lower, opaque]).keys()].sort(), ['var/lib/dpkg/status', 'var/lib/dpkg/status.d/y']);
    const stack = stackLayers([lower, opaque, { ...emptyScan(), deleted: ['var/lib/dpkg'] }, files({ 'var/lib/dpkg/status': dpkgFile([['a', '2']]) })]);
    assert.deepEqual([...stack.keys()], ['var/lib/dpkg/status']);
    assert.deepEqual(stack.get('var/lib/dpkg/status'), dpkgFile([['a', '2']]));
  });

  test('image contents: dpkg status and status.d, os-release through its link, Debian point release', () => {
    const c = imageContents([
      files({ 'etc/os-release': { type: 'link', target: 'usr/lib/os-release' }, 'usr/lib/os-release': { type: 'os-release', os: { id: 'debian', name: 'Debian GNU/Linux', versionId: '12' } }, 'etc/debian_version': { type: 'text', text: '12.5' } }),
      files({ 'var/lib/dpkg/status.d/libc6': dpkgFile([['libc6', '2.36-9']]), 'var/lib/dpkg/status.d/base-files': dpkgFile([['base-files', '12.4']]) }),
      files({ 'var/lib/rpm/Packages': { type: 'unsupported', what: 'Berkeley DB' } }),
    ]);
    assert.equal(c.os?.release, '12.5');
    assert.deepEqual(c.databases.map((d) => [d.path, d.packages.map((p) => p.name)]), [['var/lib/dpkg/status.d', ['base-files', 'libc6']]]);
    assert.match(c.notes[0], /Berkeley DB format, which is not supported/);
  });

  test('comparison: upgraded, downgraded, added, removed, in each format\'s own order', () => {
    const contents = (format: 'dpkg' | 'apk', pkgs: Array<[string, string, string?]>) => ({
      databases: [{ format, path: 'x', packages: pkgs.map(([name, version, arch]) => ({ name, version, arch })) }],
      notes: [],
    });
    const cmp = comparePackages(
      contents('dpkg', [['openssl', '3.0.11-1~deb12u2'], ['libc6', '2.36-9+deb12u7', 'amd64'], ['libc6', '2.36-9+deb12u7', 'i386'], ['gone', '1.0'], ['same', '1.0'], ['tzdata', '2024b-0+deb12u1']]),
      contents('dpkg', [['openssl', '3.0.15-1~deb12u1'], ['libc6', '2.36-9+deb12u10', 'amd64'], ['libc6', '2.36-9+deb12u7', 'i386'], ['new', '2.0'], ['same', '1.0-0'], ['tzdata', '2024a-0+deb12u1']]),
    );
    assert.deepEqual(cmp.upgraded, [
      { name: 'libc6:amd64', from: '2.36-9+deb12u7', to: '2.36-9+deb12u10' },
      { name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.15-1~deb12u1' },
    ]);
    assert.deepEqual(cmp.downgraded, [{ name: 'tzdata', from: '2024b-0+deb12u1', to: '2024a-0+deb12u1' }]);
    assert.deepEqual(cmp.added, [{ name: 'new', version: '2.0' }]);
    assert.deepEqual(cmp.removed, [{ name: 'gone', version: '1.0' }]);
    assert.equal(cmp.unchanged, 2);
    // apk: 1.2.10 is newer than 1.2.9 (a string comparison would say otherwise).
    const apk = comparePackages(contents('apk', [['zlib', '1.2.9-r0']]), contents('apk', [['zlib', '1.2.10-r0']]));
    assert.deepEqual(apk.upgraded, [{ name: 'zlib', from: '1.2.9-r0', to: '1.2.10-r0' }]);
  });
});

describe('layer cache', () => {
  test('entries survive a new cache object; least recently used go first past the bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pkg-cache-'));
    try {
      const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
      // Entries of about 2.4 kB in a 10 kB cache: four fit, a fifth pushes the oldest-used out.
      const entry: LayerScan = { ...emptyScan(), notes: ['x'.repeat(2400)] };
      const cache = new LayerCache(dir, 10_000);
      for (const n of [1, 2, 3, 4]) await cache.put(digest(n), 'full', entry);
      const fileOf = (n: number) => join(dir, readdirSync(dir).find((f) => f.includes(digest(n).slice(7)))!);
      for (const n of [1, 2, 3, 4]) utimesSync(fileOf(n), new Date(Date.now() - 60_000 * n), new Date(Date.now() - 60_000 * n));
      // Reading an entry makes it the most recently used: 4 was the oldest, now 3 is.
      assert.ok(await new LayerCache(dir).get(digest(4), 'full'));
      await cache.put(digest(5), 'full', entry);
      assert.equal(await cache.has(digest(3), 'full'), false, 'the least recently used entry was evicted');
      for (const n of [1, 2, 4, 5]) assert.ok(await cache.has(digest(n), 'full'), `entry ${n} stays`);
      assert.equal(await cache.has(digest(1), 'headers'), false, 'modes are cached apart');
      assert.equal(await new LayerCache(dir).get('sha256:../../etc/passwd', 'full'), undefined);
      assert.equal(await new LayerCache(undefined).get(digest(1), 'full'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('app layers with a package database of their own', () => {
  const layer = (n: number, createdBy?: string) => ({ descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: 1000 }, createdBy });
  const app = { reference: 'r.example/app:1', repo: { registry: 'r.example', repository: 'app' }, layers: [layer(1, 'COPY . /app'), layer(2, '/bin/sh -c apk add curl'), layer(3, 'RUN rm -rf /var/lib/dpkg')] };
  const estimate = (appCheck: 'checked' | 'over-limit') => ({ bytes: 0, downloads: 0, cached: 0, appCheck, appScanLimit: 256 * 1024 * 1024, windows: false, layers: app.layers.map((l) => ({ descriptor: l.descriptor, repo: app.repo, role: 'app' as const, mode: 'headers' as const, status: appCheck === 'checked' ? ('download' as const) : ('skipped' as const), ...(appCheck === 'checked' ? {} : { skipped: 'over-limit' as const }) })) });

  test('a rewritten or deleted database is a warning; other layers are not', () => {
    const scans = new Map<string, LayerScan>([
      [app.layers[0].descriptor.digest, { ...emptyScan(), files: { 'var/lib/dpkg/status.d/app': { type: 'present' } } }],
      [app.layers[1].descriptor.digest, { ...emptyScan(), files: { 'lib/apk/db/installed': { type: 'present' } } }],
      [app.layers[2].descriptor.digest, { ...emptyScan(), deleted: ['var/lib/dpkg'] }],
    ]);
    assert.deepEqual(appLayerWarnings(app, estimate('checked'), scans), [
      `App layer 2 of r.example/app:1 (${'2'.repeat(12)}, apk add curl) carries its own apk database (lib/apk/db/installed): after the rebase, scanners read that copy, which lists the old base's package versions, not the new base's; rebuild the image to refresh it.`,
      `App layer 3 of r.example/app:1 (${'3'.repeat(12)}, RUN rm -rf /var/lib/dpkg) deletes the dpkg database (var/lib/dpkg/status), so scanners will not see the new base's packages.`,
    ]);
  });

  test('over the limit, it says the layers were not checked', () => {
    assert.deepEqual(appLayerWarnings(app, estimate('over-limit'), new Map()), [
      'The app layers of r.example/app:1 were not checked for package databases of their own: they total 3 KiB, over the 256 MiB limit for that check.',
    ]);
  });
});
