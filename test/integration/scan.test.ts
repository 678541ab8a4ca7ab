import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, type CliRun } from '../harness/cli';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { seedFleet, type Fleet } from '../harness/scanFixtures';
import type { MatrixImage } from '../harness/scanMatrix';
import { RegistryClient } from '../../src/core/registry/client';
import { scanImages } from '../../src/core/fleet/scan';
import { parseTarget } from '../../src/core/fleet/targets';

interface Row {
  image: string;
  digest: string | null;
  platform: string | null;
  base: { name: string; digest: string | null; foundBy: string } | null;
  current: { digest: string; created: string | null } | null;
  status: string;
  error: string | null;
  note: string | null;
}

function rows(r: CliRun): Row[] {
  assert.ok(r.out.length > 0, `no JSON on stdout; stderr: ${r.err.join('\n')}`);
  return JSON.parse(r.out.join('\n')) as Row[];
}

/** The row of `image` (and `platform`, for an index), which must exist once. */
function row(all: Row[], image: string, platform?: string): Row {
  const found = all.filter((r) => r.image === image && (!platform || r.platform === platform));
  assert.equal(found.length, 1, `${image} ${platform ?? ''}: ${found.length} rows in ${JSON.stringify(all.map((r) => `${r.image} ${r.platform}`))}`);
  return found[0];
}

/** Request lines of `-v` (METHOD URL). */
function requests(r: CliRun): string[] {
  return r.err.filter((l) => /^ {2}(GET|HEAD|PUT|POST|PATCH|DELETE) /.test(l)).map((l) => l.trim());
}

describe('rebase-image scan', () => {
  let reg: TestRegistry;
  let host: string;
  let d: Fleet['d'];
  let matrix: MatrixImage[];

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    ({ d, matrix } = await seedFleet(host, reg.storageDir));
  });
  after(async () => {
    await reg?.stop();
  });

  test('a namespace: every classification, the JSON shape, and no app config read', async () => {
    const r = await cli('scan', `${host}/team/`, '--base', `${host}/base/deb`, '--base', `${host}/base/alp:3.19`, '--json', '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    const all = rows(r);
    assert.equal(all.length, 6, JSON.stringify(all, null, 1));
    for (const x of all) assert.deepEqual(Object.keys(x), ['image', 'digest', 'platform', 'base', 'current', 'status', 'error', 'note']);

    // Annotated, Docker format, on the image deb:1 pointed to before it moved.
    const api1 = row(all, `${host}/team/api:1`);
    assert.equal(api1.status, 'outdated');
    assert.equal(api1.digest, d.api1);
    assert.equal(api1.platform, 'linux/amd64');
    assert.deepEqual(api1.base, { name: `${host}/base/deb:1`, digest: d.deb10, foundBy: 'annotation' });
    assert.deepEqual(api1.current, { digest: d.deb11, created: '2024-06-01T00:00:00Z' });
    // Annotated, OCI, on what deb:1 points to now.
    const api2 = row(all, `${host}/team/api:2`);
    assert.equal(api2.status, 'up-to-date');
    assert.deepEqual(api2.base, { name: `${host}/base/deb:1`, digest: d.deb11, foundBy: 'annotation' });
    assert.equal(api2.current?.digest, d.deb11);
    // No annotation; --base names the repository alone: a tag that still names its base is current.
    const api3 = row(all, `${host}/team/api:3`);
    assert.equal(api3.status, 'up-to-date');
    assert.deepEqual(api3.base, { name: `${host}/base/deb:2`, digest: d.deb2, foundBy: 'search' });
    // No annotation, OCI, on alp 3.19.0; --base names 3.19, which has moved on to alp1.
    const web1 = row(all, `${host}/team/web:1`);
    assert.equal(web1.status, 'outdated');
    assert.deepEqual(web1.base, { name: `${host}/base/alp:3.19`, digest: d.alp0, foundBy: 'search' });
    assert.deepEqual(web1.current, { digest: d.alp1, created: '2024-05-05T00:00:00Z' });
    assert.match(web1.note ?? '', /base\/alp:3\.19\.0, found by layer search/);
    assert.equal(row(all, `${host}/team/web:2`).status, 'up-to-date');
    // The base tag was deleted: outdated (nothing to follow any more), with the sentence.
    const legacy = row(all, `${host}/team/legacy:1`);
    assert.equal(legacy.status, 'outdated');
    assert.deepEqual(legacy.base, { name: `${host}/base/gone:1`, digest: d.gone1, foundBy: 'annotation' });
    assert.equal(legacy.current, null);
    assert.equal(legacy.platform, 'linux/amd64');
    assert.match(legacy.note ?? '', /no longer exists/);
    assert.ok(all.every((x) => x.error === null));
    // The artifact tag is left out and counted.
    assert.match(r.err.join('\n'), /6 images: 3 outdated, 0 error, 0 unknown-base, 3 up-to-date \(1 tag holds no container image/);
    // Configs are read for the current base images only, never for an app image.
    const blobs = requests(r).filter((l) => /\/blobs\//.test(l));
    assert.ok(blobs.every((l) => /\/v2\/base\//.test(l)), blobs.join('\n'));
    const appManifests = requests(r).filter((l) => /^GET \S+\/v2\/team\/[^/]+\/manifests\//.test(l));
    assert.equal(appManifests.length, 7, appManifests.join('\n'));
  });

  test('a table, and --fail-on-outdated as a CI gate (exit 3)', async () => {
    const table = await cli('scan', `${host}/team/api`, '--base', `${host}/base/deb`);
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out[0], /^STATUS\s+IMAGE\s+PLATFORM\s+BASE\s+DETAIL$/);
    const line = table.out.find((l) => l.includes(`${host}/team/api:1 `));
    assert.match(line ?? '', /^outdated\s+.*linux\/amd64\s+.*base\/deb:1 \(annotation\)\s+now [0-9a-f]{12}, since 2024-06-01$/);
    const gate = await cli('scan', `${host}/team/api`, '--base', `${host}/base/deb`, '--fail-on-outdated');
    assert.equal(gate.code, 3);
    const fine = await cli('scan', `${host}/team/api:2`, '--fail-on-outdated');
    assert.equal(fine.code, 0, fine.err.join('\n'));
    assert.match(fine.out.join('\n'), /^up-to-date\s/m);
  });

  test('--tags and --max-tags', async () => {
    const single = rows(await cli('scan', `${host}/team/api`, '--tags', '?', '--json'));
    assert.deepEqual(single.map((x) => x.image).sort(), [`${host}/team/api:1`, `${host}/team/api:2`, `${host}/team/api:3`]);
    const ones = rows(await cli('scan', `${host}/team/`, '--tags', '1*', '--json'));
    assert.deepEqual(ones.map((x) => x.image).sort(), [`${host}/team/api:1`, `${host}/team/legacy:1`, `${host}/team/web:1`]);
    const capped = await cli('scan', `${host}/team/api`, '--max-tags', '2', '--json');
    // In the registry's order (Distribution's is not alphabetical), the artifact tag counting.
    assert.ok(rows(capped).length <= 2 && rows(capped).length >= 1);
    assert.match(capped.err.join('\n'), /team\/api: only the first 2 tags were scanned/);
    const both = rows(await cli('scan', `${host}/team/api`, '--tags', '?', '--max-tags', '1', '--json'));
    assert.equal(both.length, 1);
    assert.match(both[0].image, /team\/api:[123]$/);
  });

  test('a repository with a multi-platform tag: each platform judged on its own', async () => {
    const all = rows(await cli('scan', `${host}/multi/app`, '--json'));
    assert.equal(all.length, 2);
    const amd = row(all, `${host}/multi/app:1`, 'linux/amd64');
    assert.equal(amd.status, 'outdated');
    assert.equal(amd.digest, d.multiAmd);
    assert.deepEqual(amd.base, { name: `${host}/base/multi:1`, digest: d.m1a, foundBy: 'annotation' });
    assert.deepEqual(amd.current, { digest: d.m2a, created: '2024-07-07T00:00:00Z' });
    // The new index kept the arm64 image: that platform is current although the index moved.
    const arm = row(all, `${host}/multi/app:1`, 'linux/arm64/v8');
    assert.equal(arm.status, 'up-to-date');
    assert.equal(arm.base?.digest, d.m1r);
    assert.equal(arm.current?.digest, d.m1r);
  });

  test('Windows images with foreign layers, as images: the newest revision of the build is current', async () => {
    const r = await cli('scan', `${host}/win/app:1`, `${host}/win/app:2`, '--base', `${host}/base/nano:ltsc`, '--json', '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    const all = rows(r);
    const w1 = row(all, `${host}/win/app:1`);
    assert.equal(w1.status, 'outdated');
    assert.equal(w1.platform, 'windows/amd64');
    assert.deepEqual(w1.base, { name: `${host}/base/nano:ltsc`, digest: d.w100, foundBy: 'search' });
    assert.deepEqual(w1.current, { digest: d.w200, created: '2024-08-08T00:00:00Z' });
    const w2 = row(all, `${host}/win/app:2`);
    assert.equal(w2.status, 'up-to-date');
    assert.deepEqual(w2.base, { name: `${host}/base/nano:ltsc`, digest: d.w200, foundBy: 'annotation' });
    // Foreign layers are references: never a blob request for a layer.
    const blobs = requests(r).filter((l) => /\/blobs\//.test(l));
    assert.ok(blobs.length <= 2, blobs.join('\n'));
  });

  test('a registry: every repository but the named bases; an unrelated base is unknown', async () => {
    const r = await cli('scan', host, '--base', `${host}/base/deb`, '--base', `${host}/base/alp:3.19`, '--base', `${host}/base/nano:ltsc`, '--json');
    const all = rows(r);
    assert.match(r.err.join('\n'), /3 base repositories were left out/);
    assert.ok(!all.some((x) => /\/base\/(deb|alp|nano):/.test(x.image)));
    const tool = row(all, `${host}/other/tool:1`);
    assert.equal(tool.status, 'unknown-base');
    assert.equal(tool.base, null);
    assert.match(tool.note ?? '', /no tag of the --base repositories/);
    // Not named, so scanned: the bases of base/multi record no base of their own.
    assert.deepEqual(all.filter((x) => x.image === `${host}/base/multi:1`).map((x) => x.status), ['unknown-base', 'unknown-base']);
    assert.equal(row(all, `${host}/team/api:1`).status, 'outdated');
    assert.equal(row(all, `${host}/win/app:1`).status, 'outdated');
    assert.equal(row(all, `${host}/multi/app:1`, 'linux/arm64/v8').status, 'up-to-date');
    // Provenance: the attestation's materials name deb:1 at deb10; the attestation is no image.
    const prov = row(all, `${host}/prov/app:1`);
    assert.equal(prov.status, 'outdated');
    assert.equal(prov.platform, 'linux/amd64');
    assert.deepEqual(prov.base, { name: `${host}/base/deb:1`, digest: d.deb10, foundBy: 'provenance' });
    assert.equal(prov.current?.digest, d.deb11);
    assert.equal(all.length, 14 + matrix.length, all.map((x) => `${x.image} ${x.platform}`).join('\n'));
    for (const m of matrix) assert.equal(row(all, `${host}/${m.image}`).status, m.status, m.image);
  });

  test('the gen/ matrix: every base × version × format × annotation judged as it was built', async () => {
    const r = await cli('scan', `${host}/gen/`, '--base', `${host}/base/deb`, '--base', `${host}/base/alp:3.19`, '--base', `${host}/base/nano:ltsc`, '--json');
    const all = rows(r);
    assert.equal(matrix.length, 24);
    assert.equal(all.length, matrix.length, all.map((x) => `${x.image} ${x.status}`).join('\n'));
    // Every kind is there: both formats, annotated or not, Windows, each verdict.
    for (const kind of ['deb-docker-ann:old', 'alp-oci-plain:old', 'nano-oci-ann:new', 'nano-docker-plain:old']) assert.ok(matrix.some((m) => m.image.endsWith(kind)), kind);
    const counts: Record<string, number> = {};
    for (const m of matrix) {
      const x = row(all, `${host}/${m.image}`);
      const what = `${m.image}: ${JSON.stringify(x)}`;
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      assert.equal(x.status, m.status, what);
      assert.equal(x.error, null, what);
      assert.equal(x.base?.foundBy ?? null, m.foundBy, what);
      assert.equal(x.base?.digest ?? null, m.baseDigest, what);
      assert.equal(x.current?.digest ?? null, m.currentDigest, what);
      // The platform is read from a config only when a base was found to judge against.
      if (m.foundBy) assert.equal(x.platform, m.image.startsWith('gen/nano') ? 'windows/amd64' : 'linux/amd64', what);
    }
    assert.match(r.err.join('\n'), new RegExp(`24 images: ${counts.outdated} outdated, 0 error, ${counts['unknown-base'] ?? 0} unknown-base, ${counts['up-to-date']} up-to-date`));
  });

  test('an unreadable image is an error row (exit 1); usage errors exit 2', async () => {
    const missing = await cli('scan', `${host}/team/api:nope`, '--json');
    assert.equal(missing.code, 1);
    const [bad] = rows(missing);
    assert.equal(bad.status, 'error');
    assert.match(bad.error ?? '', /has no tag "nope"/);
    assert.equal((await cli('scan')).code, 2);
    assert.equal((await cli('scan', `${host}/team/`, '--max-tags', '0')).code, 2);
    assert.equal((await cli('scan', `${host}/team/`, '--base', `${host}/base/deb@sha256:${'a'.repeat(64)}`)).code, 2);
    const noBase = await cli('scan', `${host}/team/`, '--base', `${host}/base/deb:9`);
    assert.equal(noBase.code, 1);
    assert.match(noBase.err.join('\n'), /base\/deb:9 does not exist/);
  });

  test('TARGET forms', () => {
    assert.deepEqual(parseTarget('localhost:5000'), { kind: 'registry', registry: 'localhost:5000' });
    assert.deepEqual(parseTarget('registry.example.com/'), { kind: 'registry', registry: 'registry.example.com' });
    assert.deepEqual(parseTarget('127.0.0.1:5000/team/'), { kind: 'namespace', registry: '127.0.0.1:5000', prefix: 'team/' });
    assert.deepEqual(parseTarget('127.0.0.1:5000/team/app'), { kind: 'repository', repo: { registry: '127.0.0.1:5000', repository: 'team/app' } });
    assert.equal(parseTarget('ubuntu:22.04').kind, 'image');
    assert.deepEqual(parseTarget('ubuntu'), { kind: 'repository', repo: { registry: 'docker.io', repository: 'library/ubuntu' } });
    assert.throws(() => parseTarget('team/'), /not a scan target/);
  });

  test('the engine: progress, cancellation, results as data', async () => {
    const client = new RegistryClient();
    const events: string[] = [];
    const summary = await scanImages(client, { targets: [`${host}/team/`], bases: [`${host}/base/deb`] }, { onProgress: (e) => events.push(e.message) });
    assert.equal(summary.results.length, 6);
    assert.equal(summary.skipped, 1);
    assert.ok(events.some((e) => /Scanned \d+ of \d+ tags/.test(e)), events.join('\n'));
    assert.deepEqual(summary.results.find((x) => x.image.endsWith('team/api:1'))?.source, { repo: { registry: host, repository: 'team/api' }, tag: '1', indexDigest: undefined });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(scanImages(client, { targets: [`${host}/team/`] }, { signal: controller.signal }), (e: Error & { code?: string }) => e.code === 'cancelled');
  });
});
