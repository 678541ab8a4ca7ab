import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, tagDigest, type CliRun } from '../harness/cli';
import { startRegistry, TestRegistry } from '../harness/registry';
import { fetchBlob, fetchManifest, putManifest, type Descriptor } from '../harness/rawRegistry';
import { pullAndUnpack } from '../harness/containerd';
import { makeTempDir, removeTempDir } from '../harness/tools';
import { deleteBlob, mountBlob, pushIndexOf, entryFor } from '../harness/multiPlatform';
import { seedLinuxIndexes, seedWindowsImages, type LinuxIndexes, type PushedChild, type WindowsImages } from '../harness/indexFixtures';
import { RegistryClient } from '../../src/core/registry/client';
import { resolveManifest } from '../../src/core/rebase/fetchImage';
import { executeRebase, prepareAnyRebase } from '../../src/core/rebase/rebase';
import { parseReference } from '../../src/core/reference';
import { isUserError } from '../../src/core/errors';


async function configOf(host: string, repo: string, m: { json: { config: Descriptor } }): Promise<Record<string, any>> {
  return JSON.parse((await fetchBlob(host, repo, m.json.config.digest)).toString());
}

/** Request lines of `-v` (METHOD URL). */
function requests(r: CliRun): string[] {
  return r.err.filter((l) => /^ {2}(GET|HEAD|PUT|POST|PATCH|DELETE) /.test(l)).map((l) => l.trim());
}

const layerHistory = (config: { history?: Array<{ created_by?: string; empty_layer?: boolean }> }) => (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by);

describe('rebasing a multi-platform linux index', () => {
  let reg: TestRegistry;
  let host: string;
  let fx: LinuxIndexes;

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    fx = await seedLinuxIndexes(host);
  });
  after(async () => {
    await fx?.cleanup();
    await reg?.stop();
  });

  /** Each child of a rebased index, checked against the fixtures: layers, diff_ids, history, platform. */
  async function assertRebasedChild(repo: string, d: Descriptor, arch: 'amd64' | 'arm64', baseName = 'mbase:2'): Promise<void> {
    const base2: PushedChild = fx.base2[arch];
    const app: PushedChild = fx.app1[arch];
    const appOwn = app.layers.slice(fx.base1[arch].layers.length);
    const m = await fetchManifest(host, repo, d.digest);
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual(m.json.layers.map((l) => l.digest), [...base2.layers.map((l) => l.digest), ...appOwn.map((l) => l.digest)]);
    const config = await configOf(host, repo, m);
    assert.deepEqual(config.rootfs.diff_ids, [...base2.layers.map((l) => l.diffId), ...appOwn.map((l) => l.diffId)]);
    assert.deepEqual(layerHistory(config), [...layerHistory(base2.config), 'COPY hello.txt /app/', 'COPY shared.txt /app/']);
    assert.equal(config.architecture, arch);
    assert.equal(config.os, 'linux');
    assert.deepEqual(config.config.Cmd, ['cat', '/app/hello.txt']);
    assert.equal(config.config.Labels['org.example.app'], 'mapp');
    assert.equal(config.created, app.config.created);
    assert.equal(m.json.annotations?.['org.opencontainers.image.base.name'], `${host}/${baseName}`);
    // The digest the new base's tag resolves to (its index), not this platform's image: one HEAD
    // of the tag then tells whether the base is current.
    const [baseRepo, baseTag] = baseName.split(':');
    assert.equal(m.json.annotations?.['org.opencontainers.image.base.digest'], await tagDigest(host, baseRepo, baseTag));
    // The index entry describes exactly these bytes and the new platform.
    assert.equal(d.size, Buffer.byteLength(m.body));
    assert.equal(d.mediaType, m.mediaType);
    assert.deepEqual(d.platform, arch === 'amd64' ? { architecture: 'amd64', os: 'linux' } : { architecture: 'arm64', os: 'linux', variant: 'v8' });
  }

  async function assertPulls(ref: string): Promise<void> {
    for (const arch of ['amd64', 'arm64'] as const) {
      // A fresh containerd root per platform: every layer is unpacked and checked against diff_ids.
      const pulled = await pullAndUnpack(ref, { platform: `linux/${arch}` });
      try {
        assert.equal(pulled.readFile('/etc/base-version'), '2');
        assert.equal(pulled.readFile('/etc/arch'), `${arch}\n`);
        assert.equal(pulled.readFile('/etc/base2-extra.conf'), `extra=${arch}\n`);
        assert.ok(!pulled.exists('/base1-only.txt'), 'old base files are gone');
        assert.equal(pulled.readFile('/app/hello.txt'), `hello from the ${arch} app\n`);
        assert.equal(pulled.readFile('/app/shared.txt'), 'same on every platform\n');
      } finally {
        await pulled.cleanup();
      }
    }
  }

  test('every platform is rebased onto the new base image of its platform, children first and the index last', async () => {
    const r = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:rebased`, '-b', `${host}/mbase:2`, '--json', '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    const json = JSON.parse(r.out.join('\n'));
    assert.equal(json.kind, 'index');
    assert.deepEqual(json.summary, { rebased: 2, kept: 1, dropped: 1, copied: 0 });
    assert.deepEqual(json.platforms.map((p: { kind: string; action: string }) => `${p.kind}:${p.action}`), ['image:rebased', 'image:rebased', 'attestation:dropped', 'artifact:kept']);
    for (const p of json.platforms.filter((x: { kind: string }) => x.kind === 'image')) {
      assert.equal(p.plan.oldBase.foundBy, 'search', 'old base found per platform');
      assert.equal(p.plan.oldBase.digest, fx.base1[p.platform === 'linux/amd64' ? 'amd64' : 'arm64'].digest);
    }

    const index = await fetchManifest(host, 'mapp', 'rebased');
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(index.digest, json.target.digest);
    const entries = index.json.manifests!;
    assert.equal(entries.length, 3);
    await assertRebasedChild('mapp', entries[0], 'amd64');
    await assertRebasedChild('mapp', entries[1], 'arm64');
    assert.deepEqual(entries[2], fx.app1Index.artifact, 'the unknown artifact is kept as it was');
    assert.ok(!entries.some((e) => e.digest === fx.app1Index.attestation.digest), 'the attestation is dropped');

    // Children by digest first, the index to the tag last.
    const puts = requests(r).filter((l) => l.startsWith('PUT ') && l.includes('/manifests/'));
    assert.equal(puts.length, 3);
    assert.ok(puts.slice(0, 2).every((l) => /\/manifests\/sha256:/.test(l)));
    assert.match(puts[2], /\/v2\/mapp\/manifests\/rebased$/);

    await assertPulls(`${host}/mapp:rebased`);
  });

  test('the result says which non-image entries were dropped or kept, and why', async () => {
    const r = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:dry`, '-b', `${host}/mbase:2`, '-s', `${host}/mbase:1`, '--dry-run', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const json = JSON.parse(r.out.join('\n'));
    assert.equal(json.dryRun, true);
    const att = json.platforms.find((p: { sourceDigest: string }) => p.sourceDigest === fx.app1Index.attestation.digest);
    assert.equal(att.action, 'dropped');
    assert.match(att.reason, /describes the source image .* \(linux\/amd64\), not the rebased one/);
    const art = json.platforms.find((p: { sourceDigest: string }) => p.sourceDigest === fx.app1Index.artifact.digest);
    assert.equal(art.action, 'kept');
    assert.match(art.reason, /not an image and names none of the rebased ones/);
    assert.ok(r.err.some((l) => /^Warning: Index entry [0-9a-f]{12} \(attestation\) is dropped: /.test(l)), r.err.join('\n'));
    assert.ok(r.err.some((l) => /^Warning: Index entry [0-9a-f]{12} \(artifact of type application\/vnd\.example\.thing\.v1\) is kept unchanged/.test(l)));
    assert.equal(await tagDigest(host, 'mapp', 'dry'), undefined, 'a dry run writes nothing');
  });

  test('into another repository, kept entries are copied there first so the registry accepts the index', async () => {
    const client = new RegistryClient();
    const prepared = await prepareAnyRebase(client, { source: `${host}/mapp:1`, target: `${host}/team/mapp:2`, newBase: `${host}/mbase:2`, oldBase: `${host}/mbase:1` });
    assert.equal(prepared.kind, 'index');
    const result = await executeRebase(client, prepared);
    assert.equal(client.stats.layerBytesMoved, 0, 'layers are mounted, never moved');
    assert.equal(result.copiedLayers, 0);
    assert.equal(result.copied.length, 1, 'the kept artifact is copied');
    const index = await fetchManifest(host, 'team/mapp', '2');
    assert.equal(index.digest, result.digest);
    for (const e of index.json.manifests!) assert.ok(await fetchManifest(host, 'team/mapp', e.digest), `${e.digest} is in team/mapp`);
    await assertRebasedChild('team/mapp', index.json.manifests![0], 'amd64');
    await assertRebasedChild('team/mapp', index.json.manifests![1], 'arm64');
  });

  test('--platform rebases one platform only, as a single-platform target', async () => {
    const r = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:arm-only`, '-b', `${host}/mbase:2`, '-s', `${host}/mbase:1`, '--platform', 'linux/arm64');
    assert.equal(r.code, 0, r.err.join('\n'));
    const m = await fetchManifest(host, 'mapp', 'arm-only');
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const config = await configOf(host, 'mapp', m);
    assert.equal(config.architecture, 'arm64');
    assert.deepEqual(m.json.layers.map((l) => l.digest).slice(0, 2), fx.base2.arm64.layers.map((l) => l.digest));
  });

  test('a platform without a matching new base is refused by default, and kept unchanged with --keep-unmatched', async () => {
    const refused = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:partial`, '-b', `${host}/mbase:2-amd64only`);
    assert.equal(refused.code, 1);
    assert.match(refused.err.at(-1)!, /^Error: No new base for linux\/arm64\/v8 of .*mapp:1 \(the new base .*mbase:2-amd64only has no image for linux\/arm64\/v8 \(it has: linux\/amd64\)\); add --keep-unmatched/);
    assert.equal(await tagDigest(host, 'mapp', 'partial'), undefined);

    // An old base for one platform only cannot be the old base of the others.
    const oneOld = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:partial`, '-b', `${host}/mbase:2`, '-s', `${host}/mbase:1-amd64`);
    assert.equal(oneOld.code, 1);
    assert.match(oneOld.err.at(-1)!, /^Error: The old base .*mbase:1-amd64 is linux\/amd64 only, but .*mapp:1 also has linux\/arm64\/v8; give a multi-platform old base, or leave -s out/);
    assert.equal(await tagDigest(host, 'mapp', 'partial'), undefined);

    const kept = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:partial`, '-b', `${host}/mbase:2-amd64only`, '--keep-unmatched', '--json');
    assert.equal(kept.code, 0, kept.err.join('\n'));
    assert.ok(kept.err.some((l) => /^Warning: linux\/arm64\/v8 is kept unchanged \(--keep-unmatched\): /.test(l)), kept.err.join('\n'));
    const index = await fetchManifest(host, 'mapp', 'partial');
    const [amd, arm] = index.json.manifests!;
    await assertRebasedChild('mapp', amd, 'amd64', 'mbase:2-amd64only');
    assert.equal(arm.digest, fx.app1.arm64.digest, 'arm64 is the source image, unchanged');
    const json = JSON.parse(kept.out.join('\n'));
    assert.equal(json.platforms[1].action, 'kept');
  });

  test('cancelling while the children are pushed leaves the target tag as it was', async () => {
    const client = new RegistryClient();
    const controller = new AbortController();
    const prepared = await prepareAnyRebase(client, { source: `${host}/mapp:1`, target: `${host}/mapp:1`, newBase: `${host}/mbase:2`, oldBase: `${host}/mbase:1` });
    await assert.rejects(
      executeRebase(client, prepared, { signal: controller.signal, onProgress: (e) => e.message.includes(': Layer ') && controller.abort() }),
      (e: unknown) => isUserError(e) && e.code === 'cancelled' && e.message === 'The rebase was cancelled; the target tag was not changed.',
    );
    assert.equal(await tagDigest(host, 'mapp', '1'), fx.app1Index.digest);
  });

  test('when one child fails, the index tag is not touched', async () => {
    // A copy of mapp:1 (images only) in its own repository, with the target tag already there.
    const repo = 'fragile/app';
    for (const arch of ['amd64', 'arm64'] as const) {
      const child = fx.app1[arch];
      const m = await fetchManifest(host, 'mapp', child.digest);
      for (const d of [m.json.config, ...m.json.layers]) await mountBlob(host, repo, d.digest, 'mapp');
      await putManifest(host, repo, child.digest, m.body, child.mediaType);
    }
    const entries = [entryFor(fx.app1.amd64), entryFor(fx.app1.arm64)];
    await pushIndexOf(host, repo, '1', entries);
    const before = await pushIndexOf(host, repo, 'current', entries);
    // The arm64 image loses a layer of its own (shared.txt is the same blob on both) behind the registry's back.
    const own = fx.app1.arm64.layers.filter((l) => !fx.app1.amd64.layers.some((a) => a.digest === l.digest)).at(-1)!;
    await deleteBlob(host, repo, own.digest);

    const r = await cli(`${host}/${repo}:1`, '-t', `${host}/${repo}:current`, '-b', `${host}/mbase:2`, '-s', `${host}/mbase:1`);
    assert.equal(r.code, 1);
    assert.match(r.err.at(-1)!, /^Error: Pushing the linux\/arm64\/v8 image failed, so .*fragile\/app:current was not changed: Layer sha256:[0-9a-f]+ is missing from/);
    assert.equal(await tagDigest(host, repo, 'current'), before.digest);
  });
});

describe('Windows images (foreign base layers, os.version releases)', () => {
  let reg: TestRegistry;
  let host: string;
  let w: WindowsImages;

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    w = await seedWindowsImages(host);
  });
  after(async () => {
    await reg?.stop();
  });

  function assertForeignUntouched(r: CliRun): void {
    const lines = requests(r);
    assert.ok(lines.length > 0, 'run with -v');
    for (const d of w.foreignDigests) assert.ok(!lines.some((l) => l.includes(d.slice(7))), `foreign layer ${d} was requested:\n${lines.join('\n')}`);
  }

  async function assertWindowsChild(repo: string, digest: string, app: typeof w.app1607, newBase: typeof w.nano.A1): Promise<Record<string, any>> {
    const m = await fetchManifest(host, repo, digest);
    const oldBaseLayers = app.layers.filter((l) => l.foreign).length;
    const appOwn = app.layers.slice(oldBaseLayers);
    assert.deepEqual(m.json.layers, [...newBase.layers.map((l) => l.descriptor), ...appOwn.map((l) => l.descriptor)], 'foreign layers stay references with their urls');
    for (const l of m.json.layers.filter((x) => x.mediaType.includes('foreign') || x.mediaType.includes('nondistributable'))) assert.ok(l.urls?.[0]?.startsWith('https://example.invalid/'));
    const config = await configOf(host, repo, m);
    assert.equal(config['os.version'], newBase.platform['os.version']);
    assert.equal(config.os, 'windows');
    assert.deepEqual(config.rootfs.diff_ids, [...newBase.layers.map((l) => l.diffId), ...appOwn.map((l) => l.diffId)]);
    assert.deepEqual(layerHistory(config), [...newBase.layers.map((l) => l.createdBy), ...appOwn.map((l) => l.createdBy)]);
    assert.deepEqual(config.config.Cmd, ['C:\\app\\app.exe']);
    return config;
  }

  test('1607 → 1709 as the original workflow did it: os.version from the new base, foreign layers never touched', async () => {
    const r = await cli(
      `${host}/winapp:1.0-1607`, '-t', `${host}/winapp:1.0-on-1709`,
      '-b', `${host}/windows/nanoserver:1709`, '-s', `${host}/windows/nanoserver:10.0.14393.1884`, '-v',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.ok(r.err.some((l) => l.startsWith('Warning: The Windows release changes from 10.0.14393.1884 to 10.0.16299.125')), r.err.join('\n'));
    assert.ok(r.err.some((l) => l.startsWith('Warning: Windows app layers carry file and registry changes')));
    const m = await fetchManifest(host, 'winapp', '1.0-on-1709');
    assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    await assertWindowsChild('winapp', m.digest, w.app1607, w.nano.B1);
    assertForeignUntouched(r);
  });

  test('one image onto a multi-release base: the same build, newest revision, is chosen', async () => {
    const r = await cli(`${host}/winapp:1.0-1607`, '-t', `${host}/winapp:1.0-1607-patched`, '-b', `${host}/windows/nanoserver:sac2018`, '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.err.join('\n'), /Old base detected as .*windows\/nanoserver:10\.0\.14393\.1884/);
    const m = await fetchManifest(host, 'winapp', '1.0-1607-patched');
    assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    await assertWindowsChild('winapp', m.digest, w.app1607, w.nano.A2);
    assertForeignUntouched(r);
  });

  test('an index of two releases: each image onto the same build, newest revision, and the list entries refreshed', async () => {
    const r = await cli(`${host}/winapp:2.0`, '-t', `${host}/winapp:2.0-patched`, '-b', `${host}/windows/nanoserver:sac2018`, '-v', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const list = await fetchManifest(host, 'winapp', '2.0-patched');
    assert.equal(list.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    const [e1607, e1709] = list.json.manifests!;
    assert.deepEqual(e1607.platform, { architecture: 'amd64', os: 'windows', 'os.version': '10.0.14393.2068' });
    assert.deepEqual(e1709.platform, { architecture: 'amd64', os: 'windows', 'os.version': '10.0.16299.192' });
    await assertWindowsChild('winapp', e1607.digest, w.app1607, w.nano.A2);
    await assertWindowsChild('winapp', e1709.digest, w.app1709, w.nano.B2);
    const json = JSON.parse(r.out.join('\n'));
    assert.deepEqual(json.platforms.map((p: { match: string }) => p.match), ['same-build', 'same-build']);
    assertForeignUntouched(r);
  });

  test('an index onto a single base of another release: taken as named, with a clear warning', async () => {
    const r = await cli(`${host}/winapp:1.0`, '-t', `${host}/winapp:1.0-1709`, '-b', `${host}/windows/nanoserver:10.0.16299.192`, '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.ok(
      r.err.some((l) => /^Warning: windows\/amd64 \(10\.0\.14393\.1884\): the new base .* has no Windows 10\.0\.14393 image for windows\/amd64, so Windows 10\.0\.16299\.192, the only release it offers, was taken as you named it\.$/.test(l)),
      r.err.join('\n'),
    );
    const list = await fetchManifest(host, 'winapp', '1.0-1709');
    assert.equal(list.json.manifests![0].platform?.['os.version' as 'os'], '10.0.16299.192');
    await assertWindowsChild('winapp', list.json.manifests![0].digest, w.app1607, w.nano.B2);
    assertForeignUntouched(r);
  });

  test('nanoserver → servercore is refused with the reason, and nothing is written', async () => {
    const r = await cli(`${host}/winapp:1.0-1607`, '-t', `${host}/winapp:on-core`, '-b', `${host}/windows/servercore:10.0.14393.2068`, '-s', `${host}/windows/nanoserver:10.0.14393.1884`);
    assert.equal(r.code, 1);
    assert.match(r.err.at(-1)!, /^Error: Image .*winapp:1\.0-1607 is built on Windows nanoserver .* is Windows servercore: Windows app layers record file and registry changes against their own base family, so they cannot be moved to another; choose a nanoserver new base or rebuild the image\.$/);
    assert.equal(await tagDigest(host, 'winapp', 'on-core'), undefined);
  });

  test('OCI non-distributable layers into another repository: app layers mounted, foreign ones never', async () => {
    const r = await cli(
      `${host}/ociwinapp:1`, '-t', `${host}/elsewhere/winapp:1`,
      '-b', `${host}/ociwin/nanoserver:10.0.14393.2068`, '-s', `${host}/ociwin/nanoserver:10.0.14393.1884`, '-v', '--json',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    const json = JSON.parse(r.out.join('\n'));
    assert.deepEqual({ mounted: json.result.mounted, copied: json.result.copied }, { mounted: 2, copied: 0 });
    const m = await fetchManifest(host, 'elsewhere/winapp', '1');
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.ok(m.json.layers.slice(0, 2).every((l) => l.mediaType === 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip' && l.urls?.length === 1));
    await assertWindowsChild('elsewhere/winapp', m.digest, w.ociApp, w.ociBase.A2);
    assertForeignUntouched(r);
  });
});

describe('manifest lists built from images', () => {
  let reg: TestRegistry;
  let host: string;
  let fx: LinuxIndexes;
  let w: WindowsImages;
  let dir: string;

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    [fx, w] = await Promise.all([seedLinuxIndexes(host), seedWindowsImages(host)]);
    dir = makeTempDir('spec');
  });
  after(async () => {
    await fx?.cleanup();
    await reg?.stop();
    if (dir) await removeTempDir(dir);
  });

  test('from a spec: a Docker manifest list of schema 2 images from another repository, with extra tags', async () => {
    const spec = join(dir, 'win.yml');
    await writeFile(
      spec,
      [
        `image: ${host}/published/winapp:1.0`,
        'tags: [1, latest]',
        'manifests:',
        `  - image: ${host}/winapp:1.0-1607`,
        `  - image: ${host}/winapp:1.0-1709`,
        '    platform:',
        '      os: windows',
        '      architecture: amd64',
        '      os.version: 10.0.16299.125',
        '',
      ].join('\n'),
    );
    const r = await cli('manifest-list', '--from-spec', spec, '-v', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const json = JSON.parse(r.out.join('\n'));
    assert.equal(json.target.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.deepEqual(json.manifests.map((m: { platformFrom: Record<string, string> }) => m.platformFrom['os.version']), ['config', 'spec']);
    const digests = await Promise.all(['1.0', '1', 'latest'].map((t) => tagDigest(host, 'published/winapp', t)));
    assert.deepEqual(digests, [json.target.digest, json.target.digest, json.target.digest], 'every tag points to the same list');
    const list = await fetchManifest(host, 'published/winapp', '1.0');
    assert.equal(list.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.deepEqual(list.json.manifests!.map((d) => [d.digest, d.platform]), [
      [w.app1607.digest, { architecture: 'amd64', os: 'windows', 'os.version': '10.0.14393.1884' }],
      [w.app1709.digest, { architecture: 'amd64', os: 'windows', 'os.version': '10.0.16299.125' }],
    ]);
    // Resolves per platform: each os.version to its image, which the repository holds.
    const client = new RegistryClient();
    for (const [v, digest] of [['10.0.14393.1884', w.app1607.digest], ['10.0.16299.125', w.app1709.digest]]) {
      const m = await resolveManifest(client, parseReference(`${host}/published/winapp:1.0`), { os: 'windows', architecture: 'amd64', 'os.version': v });
      assert.equal(m.digest, digest);
    }
    for (const d of w.foreignDigests) assert.ok(!requests(r).some((l) => l.includes(d.slice(7))), `foreign layer ${d} was requested`);
  });

  test('from arguments: an OCI index of OCI images, platforms read from their configs, which containerd pulls per platform', async () => {
    const r = await cli('manifest-list', `${host}/published/mapp:1`, `${host}/mapp:1-amd64`, `${host}/mapp:1-arm64`, '--tag', 'latest');
    assert.equal(r.code, 0, r.err.join('\n'));
    const list = await fetchManifest(host, 'published/mapp', '1');
    assert.equal(r.out[0], `${host}/published/mapp:1@${list.digest}`);
    assert.equal(await tagDigest(host, 'published/mapp', 'latest'), list.digest);
    assert.equal(list.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(list.json.manifests!.map((d) => d.platform), [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux' }]);
    for (const arch of ['amd64', 'arm64']) {
      const pulled = await pullAndUnpack(`${host}/published/mapp:1`, { platform: `linux/${arch}` });
      try {
        assert.equal(pulled.readFile('/etc/arch'), `${arch}\n`);
        assert.equal(pulled.readFile('/etc/base-version'), '1');
        assert.equal(pulled.readFile('/app/hello.txt'), `hello from the ${arch} app\n`);
      } finally {
        await pulled.cleanup();
      }
    }
  });

  test('a spec that contradicts an image, or names an index, is refused before anything is written', async () => {
    const wrong = join(dir, 'wrong.yml');
    await writeFile(wrong, `image: ${host}/published/wrong:1\nmanifests:\n  - image: ${host}/mapp:1-amd64\n    platform: {os: linux, architecture: arm64}\n`);
    const r1 = await cli('manifest-list', '--from-spec', wrong);
    assert.equal(r1.code, 1);
    assert.match(r1.err.at(-1)!, /^Error: The spec says .*mapp:1-amd64 is linux\/arm64, but its config says linux\/amd64; correct the platform in the spec/);
    const r2 = await cli('manifest-list', `${host}/published/wrong:1`, `${host}/mapp:1`);
    assert.equal(r2.code, 2);
    assert.match(r2.err.at(-1)!, /is already a multi-platform image; name the single-platform images/);
    const r3 = await cli('manifest-list', `${host}/published/wrong:1`, `${host}/mapp:1-amd64`, `${host}/mbase:1-amd64`);
    assert.equal(r3.code, 2);
    assert.match(r3.err.at(-1)!, /are both linux\/amd64; a manifest list has one image per platform/);
    assert.equal(await tagDigest(host, 'published/wrong', '1'), undefined);
    const r4 = await cli('manifest-list', `${host}/published/wrong:1`);
    assert.equal(r4.code, 2);
  });
});
