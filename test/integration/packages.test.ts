import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli, tagDigest } from '../harness/cli';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { seedPackageImages, type PackageImages } from '../harness/packageImages';
import { seedWindowsImages, type WindowsImages } from '../harness/indexFixtures';
import { run } from '../harness/tools';
import { RegistryClient } from '../../src/core/registry/client';
import { prepareRebase } from '../../src/core/rebase/rebase';
import { diffPackages, estimatePackageDiff, requestFromPlan } from '../../src/core/packages';

const ROOT = resolve(__dirname, '../..');

/** Layer digests a -v log shows a GET for. */
function layerGets(err: string[], layerDigests: string[]): string[] {
  const wanted = new Set(layerDigests);
  return err.flatMap((l) => [.../GET \S+\/blobs\/(sha256:[0-9a-f]{64})/.exec(l)?.slice(1) ?? []]).filter((d) => wanted.has(d));
}

describe('OS package changes between bases', () => {
  let reg: TestRegistry;
  let img: PackageImages;
  let win: WindowsImages;
  let cacheHome: string;
  const savedXdg = process.env.XDG_CACHE_HOME;

  before(async () => {
    reg = await startRegistry();
    img = await seedPackageImages(reg.host);
    win = await seedWindowsImages(reg.host);
  });
  after(async () => {
    process.env.XDG_CACHE_HOME = savedXdg;
    await img?.cleanup();
    await reg?.stop();
  });
  beforeEach(() => {
    // Each test starts with an empty cache of its own.
    cacheHome = mkdtempSync(join(tmpdir(), 'pkg-cache-'));
    process.env.XDG_CACHE_HOME = cacheHome;
  });

  test('rebase --packages --dry-run --json: exact lists, OS point release, then a second run from the cache', async () => {
    const args = [img.refs.app, '-t', `${reg.host}/deb/app:new`, '-b', img.refs.debNew, '-s', img.refs.debOld, '--packages', '--dry-run', '--json', '-v'];
    const r = await cli(...args);
    assert.equal(r.code, 0, r.err.join('\n'));
    const { packages } = JSON.parse(r.out.join('\n'));
    assert.deepEqual(packages.os.old, { id: 'debian', name: 'Debian GNU/Linux', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', release: '12.5' });
    assert.equal(packages.os.new.release, '12.8');
    assert.deepEqual(packages.upgraded, [
      { name: 'base-files', from: '12.4+deb12u5', to: '12.4+deb12u8' },
      { name: 'libc6', from: '2.36-9+deb12u4', to: '2.36-9+deb12u9' },
      { name: 'libssl3', from: '3.0.11-1~deb12u2', to: '3.0.15-1~deb12u1' },
      { name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.15-1~deb12u1' },
      { name: 'tzdata', from: '2024a-0+deb12u1', to: '2024b-0+deb12u1' },
    ]);
    assert.deepEqual(packages.downgraded, []);
    assert.deepEqual(packages.added, [{ name: 'libzstd1', version: '1.5.4+dfsg2-5' }]);
    assert.deepEqual(packages.removed, [{ name: 'libdb5.3', version: '5.3.28+dfsg2-1' }]);
    assert.equal(packages.unchanged, 2);
    assert.deepEqual(packages.formats, ['dpkg']);
    assert.deepEqual(packages.warnings, []);
    // Each layer once: two of the old base, one of the new, one of the app (headers only).
    const appLayers = img.layers.app.slice(img.layers.debOld.length);
    const all = [...img.layers.debOld, ...img.layers.debNew, ...appLayers];
    assert.deepEqual(layerGets(r.err, all).sort(), [...all].sort());
    assert.equal(packages.download.layers, 4);

    const again = await cli(...args);
    assert.equal(again.code, 0, again.err.join('\n'));
    assert.deepEqual(layerGets(again.err, all), [], 'the second run reads no layer');
    const second = JSON.parse(again.out.join('\n')).packages;
    assert.deepEqual({ ...second, download: undefined }, { ...packages, download: undefined });
    assert.deepEqual(second.download, { layers: 0, bytes: 0, cachedLayers: 4 });
  });

  test('human summary, and the warning for an app layer with its own dpkg database; a real push still happens', async () => {
    const dry = await cli(img.refs.aptApp, '-t', `${reg.host}/deb/aptapp:new`, '-b', img.refs.debNew, '-s', img.refs.debOld, '--packages', '--dry-run');
    assert.equal(dry.code, 0, dry.err.join('\n'));
    const out = dry.out.join('\n');
    assert.match(out, /^OS: Debian GNU\/Linux 12\.5 → 12\.8$/m);
    assert.match(out, /^Packages \(dpkg\): 5 upgraded, 1 added, 1 removed, 2 unchanged$/m);
    assert.match(out, /^ {2}openssl 3\.0\.11-1~deb12u2 → 3\.0\.15-1~deb12u1$/m);
    assert.match(out, /^ {2}\+ libzstd1 1\.5\.4\+dfsg2-5$/m);
    assert.match(out, /^ {2}- libdb5\.3 5\.3\.28\+dfsg2-1$/m);
    const warning = dry.err.find((l) => l.includes('its own dpkg database'));
    assert.match(warning ?? '', /^Warning: App layer 2 of .*deb\/aptapp:1 \([0-9a-f]{12}, apt-get install -y curl\) carries its own dpkg database \(var\/lib\/dpkg\/status\): after the rebase, scanners read that copy, which lists the old base's package versions, not the new base's; rebuild the image to refresh it\.$/);
    assert.ok(!dry.err.some((l) => /App layer 1 /.test(l)), 'the COPY layer is not flagged');

    const real = await cli(img.refs.aptApp, '-t', `${reg.host}/deb/aptapp:new`, '-b', img.refs.debNew, '-s', img.refs.debOld, '--packages');
    assert.equal(real.code, 0, real.err.join('\n'));
    assert.match(real.err.join('\n'), /openssl 3\.0\.11-1~deb12u2 → 3\.0\.15-1~deb12u1/);
    assert.equal(real.out.length, 1, 'stdout keeps only the pushed reference');
    assert.equal(real.out[0].split('@')[1], await tagDigest(reg.host, 'deb/aptapp', 'new'));
  });

  test('packages A B: Alpine in apk version order', async () => {
    const r = await cli('packages', img.refs.alpOld, img.refs.alpNew, '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const { packages } = JSON.parse(r.out.join('\n'));
    assert.deepEqual([packages.os.old.release, packages.os.new.release], ['3.19.1', '3.19.4']);
    assert.deepEqual(packages.upgraded, [
      { name: 'busybox', from: '1.36.1-r15', to: '1.36.1-r19' },
      { name: 'libcrypto3', from: '3.1.4-r5', to: '3.1.7-r1' },
    ]);
    assert.deepEqual(packages.added, [{ name: 'ssl_client', version: '1.36.1-r19' }]);
    assert.deepEqual(packages.removed, [{ name: 'scanelf', version: '1.3.7-r2' }]);
    assert.equal(packages.unchanged, 2);
  });

  test('packages A B with the built CLI: rpmdb.sqlite through sql.js from dist/, gzip and plain tar layers', async () => {
    await run('node', ['scripts/build.mjs'], { cwd: ROOT });
    const r = await run('node', ['bin/rebase-image.js', 'packages', img.refs.rpmOld, img.refs.rpmNew, '--json'], { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
    const { packages } = JSON.parse(r.stdout);
    assert.deepEqual([packages.os.old.prettyName, packages.os.new.release], ['Red Hat Enterprise Linux 9.3 (Plow)', '9.4']);
    assert.deepEqual(packages.upgraded, [
      { name: 'bash', from: '5.1.8-6.el9_1', to: '5.1.8-9.el9' },
      { name: 'openssl-libs', from: '1:3.0.7-24.el9', to: '1:3.0.7-27.el9' },
    ]);
    assert.deepEqual(packages.added, [{ name: 'libzstd', version: '1.5.1-2.el9' }]);
    assert.deepEqual(packages.removed, [{ name: 'python3-libs', version: '3.9.18-3.el9' }]);
    assert.deepEqual(packages.formats, ['rpm']);
    assert.equal(packages.unchanged, 1, 'glibc; gpg-pubkey is not a package');
  });

  test('distroless status.d, opaque directories, a deleted database, zstd and Berkeley DB', async () => {
    const dl = JSON.parse((await cli('packages', img.refs.dlOld, img.refs.dlNew, '--json')).out.join('\n')).packages;
    assert.deepEqual(dl.upgraded.map((c: { name: string }) => c.name), ['base-files', 'tzdata']);
    assert.deepEqual(dl.added, [{ name: 'libc6', version: '2.36-9+deb12u9' }]);
    assert.equal(dl.unchanged, 1);

    const opaque = JSON.parse((await cli('packages', img.refs.dlOld, img.refs.opaque, '--json')).out.join('\n')).packages;
    assert.deepEqual(opaque.added, [{ name: 'c', version: '2' }], 'a and b are hidden by the opaque directory');

    const wiped = await cli('packages', img.refs.debNew, img.refs.wiped, '--json');
    const w = JSON.parse(wiped.out.join('\n')).packages;
    assert.equal(w.removed.length, 8);
    assert.deepEqual(w.added, []);
    assert.ok(w.warnings.includes('The new base has no package database that can be read, so every package of the old base is listed as removed.'), w.warnings.join('\n'));

    const z = await cli('packages', img.refs.zstd, img.refs.debNew, '--json', '-v');
    const zp = JSON.parse(z.out.join('\n')).packages;
    assert.deepEqual(layerGets(z.err, [img.layers.zstd[1]]), [], 'the zstd layer is never downloaded');
    assert.match(zp.warnings.join('\n'), /^Old base .*crafted:zstd: layer 2 \([0-9a-f]{12}\) not read \(zstd\): Node\.js 20 has no zstd decompressor; packages it installed are missing from the comparison\.$/m);
    assert.deepEqual(zp.upgraded.find((c: { name: string }) => c.name === 'libc6'), { name: 'libc6', from: '2.36-9+deb12u4', to: '2.36-9+deb12u9' });

    const b = JSON.parse((await cli('packages', img.refs.bdb, img.refs.rpmNew, '--json')).out.join('\n')).packages;
    assert.match(b.warnings.join('\n'), /Old base .*crafted:bdb: var\/lib\/rpm\/Packages is an rpm database in Berkeley DB format, which is not supported/);
  });

  test('engine: estimate first (no request), then app layers over the limit are not checked', async () => {
    const client = new RegistryClient();
    const prepared = await prepareRebase(client, { source: img.refs.aptApp, target: `${reg.host}/deb/aptapp:x`, newBase: img.refs.debNew, oldBase: img.refs.debOld });
    const req = requestFromPlan(prepared.plan);
    const before = client.stats.total;
    const estimate = await estimatePackageDiff(req, { cacheDir: cacheHome });
    assert.equal(client.stats.total, before, 'the estimate asks the registry nothing');
    assert.equal(estimate.downloads, 5);
    assert.equal(estimate.bytes, [...prepared.plan.layers].reduce((n, l) => n + l.descriptor.size, 0));

    const seen: number[] = [];
    const diff = await diffPackages(client, req, { cacheDir: cacheHome, limits: { appScanBytes: 100 }, onBytes: (done) => seen.push(done) });
    assert.match(diff.warnings.join('\n'), /The app layers of .*deb\/aptapp:1 were not checked for package databases of their own: they total \d+ B, over the 100 B limit for that check\./);
    assert.equal(client.stats.byKind.get('blob-get'), 3 + 3, 'three base layers, plus the three configs of the prepare');
    assert.ok(seen.length > 0 && seen.at(-1)! <= estimate.bytes);

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(diffPackages(client, req, { cacheDir: mkdtempSync(join(tmpdir(), 'pkg-c-')), signal: controller.signal }), /cancelled/);
  });

  test('Windows index: os.version is the update level, no layer is downloaded', async () => {
    const r = await cli(`${reg.host}/winapp:2.0`, '-t', `${reg.host}/winapp:2.0-pk`, '-b', `${reg.host}/windows/nanoserver:sac2018`, '--packages', '--dry-run', '--json', '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    const allLayers = [win.app1607, win.app1709, win.nano.A1, win.nano.A2, win.nano.B1, win.nano.B2].flatMap((i) => i.layers.map((l) => l.descriptor.digest));
    assert.deepEqual(layerGets(r.err, allLayers), []);
    const { packages } = JSON.parse(r.out.join('\n'));
    assert.deepEqual(
      packages.map((p: { platform: string; os: { old: { release: string }; new: { release: string } } }) => [p.platform, p.os.old.release, p.os.new.release]),
      [
        ['windows/amd64 (10.0.14393.2068)', '10.0.14393.1884', '10.0.14393.2068'],
        ['windows/amd64 (10.0.16299.192)', '10.0.16299.125', '10.0.16299.192'],
      ],
    );
    const text = await cli('packages', `${reg.host}/windows/nanoserver:10.0.14393.1884`, `${reg.host}/windows/nanoserver:sac2018`, '-v');
    assert.equal(text.code, 0, text.err.join('\n'));
    assert.deepEqual(text.out, ['OS: Windows 10.0.14393.1884 → 10.0.14393.2068']);
    assert.deepEqual(layerGets(text.err, allLayers), []);
  });

  after(() => rmSync(cacheHome, { recursive: true, force: true }));
});
