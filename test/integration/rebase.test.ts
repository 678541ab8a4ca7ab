import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tagDigest } from '../harness/cli';
import { startRegistry, TestRegistry } from '../harness/registry';
import { buildImage, pushImage, seedStandardImages, StandardImages } from '../harness/fixtures';
import { fetchManifest, fetchBlob, catalog } from '../harness/rawRegistry';
import { pullAndUnpack } from '../harness/containerd';
import { RegistryClient } from '../../src/core/registry/client';
import { executeRebase, prepareRebase } from '../../src/core/rebase/rebase';
import { isUserError } from '../../src/core/errors';


/** Checks the pushed image in depth with the registry's own answers and with containerd. */
async function assertRebased(host: string, repo: string, tag: string, images: StandardImages['oci'], expectedMediaType: string): Promise<void> {
  const m = await fetchManifest(host, repo, tag);
  assert.equal(m.mediaType, expectedMediaType);
  const base2 = images.base2.layers.map((l) => l.digest);
  const app = images.app1.layers.slice(images.base1.layers.length).map((l) => l.digest);
  assert.deepEqual(m.json.layers.map((l) => l.digest), [...base2, ...app]);
  const config = JSON.parse((await fetchBlob(host, repo, m.json.config.digest)).toString());
  assert.deepEqual(config.rootfs.diff_ids, [
    ...images.base2.layers.map((l) => l.diffId),
    ...images.app1.layers.slice(images.base1.layers.length).map((l) => l.diffId),
  ]);
  assert.equal(config.history.filter((h: { empty_layer?: boolean }) => !h.empty_layer).length, m.json.layers.length);
  // The app's own config survives: label, cmd, workdir, env, created.
  assert.equal(config.config.Labels['org.example.app'], 'app1');
  assert.deepEqual(config.config.Cmd, ['cat', '/app/hello.txt']);
  assert.equal(config.config.WorkingDir, '/app');
  assert.ok(config.config.Env.includes('APP_MODE=test'));
  // What the app inherited follows the new base: base:2 adds BASE=2 (config-merge.test.ts has the rules).
  assert.deepEqual(config.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASE=2', 'APP_MODE=test']);
  assert.equal(config.created, images.app1.config.created);

  // containerd verifies every layer against diff_ids while unpacking into a fresh root.
  const pulled = await pullAndUnpack(`${host}/${repo}:${tag}`);
  try {
    assert.equal(pulled.readFile('/etc/base-version'), '2');
    assert.ok(pulled.exists('/base2-only.txt'));
    assert.ok(pulled.exists('/etc/base2-extra.conf'));
    assert.ok(!pulled.exists('/base1-only.txt'), 'old base files are gone');
    assert.equal(pulled.readFile('/app/hello.txt'), 'hello from app 1\n');
    assert.equal(pulled.readFile('/app/config.json'), '{"app":1}\n');
  } finally {
    await pulled.cleanup();
  }
}

describe('rebase against a real registry', () => {
  let reg: TestRegistry;
  let reg2: TestRegistry;
  let seed: StandardImages;
  let host: string;

  before(async () => {
    [reg, reg2] = await Promise.all([startRegistry(), startRegistry()]);
    host = reg.host;
    seed = await seedStandardImages(host);
  });
  after(async () => {
    await seed?.cleanup();
    await Promise.all([reg?.stop(), reg2?.stop()]);
  });

  test('OCI image, same repository, with -s', async () => {
    const r = await cli(`${host}/app:1`, '-t', `${host}/app:1-on-2`, '-b', `${host}/base:2`, '-s', `${host}/base:1`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.err.join('\n'), /Retrieving information about source image[\s\S]*Rebasing image[\s\S]*Pushing target image[\s\S]*Done\./);
    const digest = r.out[0].split('@')[1];
    assert.equal(await tagDigest(host, 'app', '1-on-2'), digest);
    await assertRebased(host, 'app', '1-on-2', seed.oci, 'application/vnd.oci.image.manifest.v1+json');
    const m = await fetchManifest(host, 'app', '1-on-2');
    assert.equal(m.json.annotations?.['org.opencontainers.image.base.name'], `${host}/base:2`);
    assert.equal(m.json.annotations?.['org.opencontainers.image.base.digest'], seed.oci.base2.digest);
  });

  test('Docker schema 2 image, flag long forms', async () => {
    const r = await cli('--src', `${host}/dapp:1`, '--target', `${host}/dapp:rebased`, '--targetbase', `${host}/dbase:2`, '--srcbase', `${host}/dbase:1`);
    assert.equal(r.code, 0, r.err.join('\n'));
    await assertRebased(host, 'dapp', 'rebased', seed.docker, 'application/vnd.docker.distribution.manifest.v2+json');
  });

  test('cross-repository target mounts layers and moves no layer bytes', async () => {
    const client = new RegistryClient();
    const prepared = await prepareRebase(client, {
      source: `${host}/app:1`,
      target: `${host}/team/other:x`,
      newBase: `${host}/base:2`,
      oldBase: `${host}/base:1`,
    });
    const result = await executeRebase(client, prepared);
    assert.equal(result.copied, 0);
    assert.equal(result.mounted, prepared.plan.requiredBlobs.length);
    assert.equal(client.stats.layerBytesMoved, 0);
    assert.equal(client.stats.byKind.get('blob-get'), 3, 'only the three configs were downloaded');
    await assertRebased(host, 'team/other', 'x', seed.oci, 'application/vnd.oci.image.manifest.v1+json');
  });

  test('cross-registry target streams the layers across', async () => {
    const r = await cli(`${host}/app:1`, '-t', `${reg2.host}/copied/app:1`, '-b', `${host}/base:2`, '-s', `${host}/base:1`);
    assert.equal(r.code, 0, r.err.join('\n'));
    await assertRebased(reg2.host, 'copied/app', '1', seed.oci, 'application/vnd.oci.image.manifest.v1+json');
  });

  test('without -s the old base is found among the new base repository tags', async () => {
    const r = await cli(`${host}/app:1`, '-t', `${host}/app:auto`, '-b', `${host}/base:2`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.err.join('\n'), new RegExp(`Old base detected as ${host.replace(/\./g, '\\.')}/base:1`));
    await assertRebased(host, 'app', 'auto', seed.oci, 'application/vnd.oci.image.manifest.v1+json');
  });

  test('without -s the old base is read from the base annotations of a rebased image', async () => {
    // app:1-on-2 was rebased onto base:2 above and carries its annotations; move it back to base:1.
    const r = await cli(`${host}/app:1-on-2`, '-t', `${host}/app:back`, '-b', `${host}/base:1`, '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const json = JSON.parse(r.out.join('\n'));
    assert.equal(json.oldBase.foundBy, 'annotation');
    assert.equal(json.oldBase.digest, seed.oci.base2.digest);
    const m = await fetchManifest(host, 'app', 'back');
    assert.deepEqual(m.json.layers.map((l) => l.digest), seed.oci.app1.layers.map((l) => l.digest), 'back to the original layers');
  });

  test('without -s and with no matching tag, asks for -s and writes nothing', async () => {
    // The new base repository holds nothing the app was built on.
    const other = await buildImage({ layers: [{ files: { '/etc/other': 'x' }, createdBy: 'ADD other /' }] });
    try {
      await pushImage(other, `${host}/unrelated:1`);
      const r = await cli(`${host}/app:1`, '-t', `${host}/app:never`, '-b', `${host}/unrelated:1`);
      assert.equal(r.code, 1);
      assert.equal(r.err.at(-1), `Error: Could not tell which image ${host}/app:1 was built on: it has no base annotations and no tag of ${host}/unrelated matches its lower layers; name the old base with -s.`);
      assert.equal(await tagDigest(host, 'app', 'never'), undefined);
    } finally {
      await other.cleanup();
    }
  });

  test('dry run writes nothing and reports the full plan', async () => {
    const before = { repos: await catalog(host), tag: await tagDigest(host, 'app', '1') };
    const r = await cli(`${host}/app:1`, '-t', `${host}/dry/run:x`, '-b', `${host}/base:2`, '-s', `${host}/base:1`, '--dry-run', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const plan = JSON.parse(r.out.join('\n'));
    assert.equal(plan.dryRun, true);
    assert.deepEqual(plan.summary, { removed: 1, added: 2, kept: 2, layersRequired: 4 });
    assert.deepEqual(plan.layers.map((l: { change: string }) => l.change), ['removed', 'added', 'added', 'kept', 'kept']);
    assert.equal(plan.old.manifest.layers.length, 3);
    assert.equal(plan.new.manifest.layers.length, 4);
    assert.deepEqual(await catalog(host), before.repos);
    assert.equal(await tagDigest(host, 'dry/run', 'x'), undefined);
    assert.equal(await tagDigest(host, 'app', '1'), before.tag);
  });

  test('cancelling during the push leaves an existing target tag as it was', async () => {
    const before = await tagDigest(host, 'app', '1');
    assert.ok(before);
    const client = new RegistryClient();
    const controller = new AbortController();
    const prepared = await prepareRebase(client, {
      source: `${host}/app:1`,
      target: `${host}/app:1`,
      newBase: `${host}/base:2`,
      oldBase: `${host}/base:1`,
    });
    await assert.rejects(
      executeRebase(client, prepared, {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.message.startsWith('Layer ')) controller.abort();
        },
      }),
      (e: unknown) => isUserError(e) && e.code === 'cancelled',
    );
    assert.equal(client.stats.byKind.get('manifest-put'), undefined, 'no manifest was pushed');
    assert.equal(await tagDigest(host, 'app', '1'), before);
  });
});
