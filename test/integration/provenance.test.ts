import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cli, tagDigest, type CliRun } from '../harness/cli';
import { startRegistry, TestRegistry } from '../harness/registry';
import { pushImage, seedStandardImages, StandardImages } from '../harness/fixtures';
import { fetchManifest, putManifest, sha256 } from '../harness/rawRegistry';
import { entryFor, entryOf, pushIndexOf, pushProvenance } from '../harness/multiPlatform';
import { seedLinuxIndexes, type LinuxIndexes } from '../harness/indexFixtures';

// Old bases read from BuildKit-shaped provenance attestations (hand-made, as buildx pushes them),
// and the base annotations this tool writes and reads back: the index digest of a multi-platform
// base, with a child digest taken for the same base.

const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';
const hex = (d: string) => d.slice('sha256:'.length);

/** Request lines of `-v` (METHOD URL). */
function requests(r: CliRun): string[] {
  return r.err.filter((l) => /^ {2}(GET|HEAD|PUT|POST|PATCH|DELETE) /.test(l)).map((l) => l.trim());
}

function ok(r: CliRun): void {
  assert.equal(r.code, 0, r.err.join('\n'));
}

function statement(version: 'v0.2' | 'v1', subject: string, images: Array<{ uri: string; digest: string }>) {
  const deps = [
    ...images.map((i) => ({ uri: i.uri, digest: { sha256: hex(i.digest) } })),
    { uri: 'https://github.com/example/app.git#refs/heads/main', digest: { sha1: 'e9e0b6bb0f8d8c8a4b6c5d4e3f2a1b0c9d8e7f6a' } },
  ];
  const common = { _type: 'https://in-toto.io/Statement/v0.1', subject: [{ name: 'pkg:docker/example/app@1', digest: { sha256: hex(subject) } }] };
  return version === 'v0.2'
    ? { ...common, predicateType: 'https://slsa.dev/provenance/v0.2', predicate: { builder: { id: '' }, buildType: 'https://mobyproject.org/buildkit@v1', materials: deps, invocation: {} } }
    : {
        ...common,
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { buildDefinition: { buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md', externalParameters: {}, resolvedDependencies: deps }, runDetails: { builder: { id: '' } } },
      };
}

/** The Dockerfile frontend, pulled by every `# syntax=` build: never the base, never fetched. */
const FRONTEND = { uri: 'pkg:docker/docker/dockerfile@1.7?platform=linux%2Famd64', digest: sha256('frontend') };

describe('old base from build provenance, and base annotations', () => {
  let reg: TestRegistry;
  let host: string;
  let seed: StandardImages;
  let fx: LinuxIndexes;
  let mbase1: string;
  let mbase2: string;

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    [seed, fx] = await Promise.all([seedStandardImages(host), seedLinuxIndexes(host)]);
    [mbase1, mbase2] = [(await tagDigest(host, 'mbase', '1'))!, (await tagDigest(host, 'mbase', '2'))!];
  });
  after(async () => {
    await Promise.all([seed?.cleanup(), fx?.cleanup()]);
    await reg?.stop();
  });

  test('SLSA v0.2 materials name the old base, where no tag of the new base repository could', async () => {
    // base:2 under a repository of its own: the layer search of that repository finds nothing.
    await pushImage(seed.built.base2, `${host}/elsewhere/base:2`);
    const app = seed.oci.app1;
    const att = await pushProvenance(host, 'app', app.digest, statement('v0.2', app.digest, [FRONTEND, { uri: `pkg:docker/${host}/base@1?platform=linux%2Famd64`, digest: seed.oci.base1.digest }]));
    await pushIndexOf(host, 'app', 'bk', [await entryOf(host, 'app', app.digest, { os: 'linux', architecture: 'amd64' }), att]);

    const r = await cli(`${host}/app:bk`, '-t', `${host}/app:bk-rebased`, '-b', `${host}/elsewhere/base:2`, '--json', '-v');
    ok(r);
    assert.ok(r.err.includes(`linux/amd64: Old base ${host}/base:1 (from the image's SLSA v0.2 provenance attestation).`), r.err.join('\n'));
    assert.ok(!requests(r).some((l) => /docker\.io|dockerfile/.test(l)), 'the frontend image is not fetched');
    const json = JSON.parse(r.out.join('\n'));
    const child = json.platforms.find((p: { kind: string }) => p.kind === 'image');
    assert.equal(child.plan.oldBase.foundBy, 'provenance');
    assert.equal(child.plan.oldBase.digest, seed.oci.base1.digest);
    assert.equal(json.platforms.find((p: { kind: string }) => p.kind === 'attestation').action, 'dropped');

    const index = await fetchManifest(host, 'app', 'bk-rebased');
    const m = await fetchManifest(host, 'app', index.json.manifests![0].digest);
    assert.deepEqual(m.json.layers.map((l) => l.digest), [...seed.oci.base2.layers.map((l) => l.digest), ...app.layers.slice(1).map((l) => l.digest)]);
    assert.equal(m.json.annotations?.[BASE_NAME], `${host}/elsewhere/base:2`);
    assert.equal(m.json.annotations?.[BASE_DIGEST], seed.oci.base2.digest);
  });

  test('SLSA v1 resolvedDependencies: index or child digest, tag current or moved, one platform or all', async () => {
    // mbase:building is what the amd64 build resolved (the index of mbase:1); the tag moves on afterwards.
    const b1 = await fetchManifest(host, 'mbase', '1');
    await putManifest(host, 'mbase', 'building', b1.body, b1.mediaType.split(';')[0]);
    const amd = await pushProvenance(host, 'mapp', fx.app1.amd64.digest, statement('v1', fx.app1.amd64.digest, [FRONTEND, { uri: `pkg:docker/${host}/mbase@building?platform=linux%2Famd64`, digest: mbase1 }]), 'https://slsa.dev/provenance/v1');
    // The arm64 build pinned its platform's image of mbase:1: the same base as the tag's index.
    const arm = await pushProvenance(host, 'mapp', fx.app1.arm64.digest, statement('v1', fx.app1.arm64.digest, [{ uri: `pkg:docker/${host}/mbase@1?platform=linux%2Farm64%2Fv8`, digest: fx.base1.arm64.digest }]), 'https://slsa.dev/provenance/v1');
    await pushIndexOf(host, 'mapp', 'bk', [entryFor(fx.app1.amd64), entryFor(fx.app1.arm64), amd, arm]);
    const b2 = await fetchManifest(host, 'mbase', '2');
    await putManifest(host, 'mbase', 'building', b2.body, b2.mediaType.split(';')[0]);

    const one = await cli(`${host}/mapp:bk`, '--platform', 'linux/amd64', '-t', `${host}/mapp:bk-amd64`, '-b', `${host}/mbase:2`, '--json');
    ok(one);
    const note = `Old base ${host}/mbase:building@${mbase1} (from the image's SLSA v1 provenance attestation; the tag has moved since and now points to ${mbase2}).`;
    assert.ok(one.err.includes(note), one.err.join('\n'));
    const plan = JSON.parse(one.out.join('\n'));
    assert.equal(plan.oldBase.foundBy, 'provenance');
    assert.equal(plan.oldBase.digest, fx.base1.amd64.digest);
    // One platform of a multi-platform base: the annotation names the index, as the tag resolves.
    const single = await fetchManifest(host, 'mapp', 'bk-amd64');
    assert.equal(single.json.annotations?.[BASE_NAME], `${host}/mbase:2`);
    assert.equal(single.json.annotations?.[BASE_DIGEST], mbase2);

    const all = await cli(`${host}/mapp:bk`, '-t', `${host}/mapp:bk-all`, '-b', `${host}/mbase:2`, '--json');
    ok(all);
    assert.ok(all.err.includes(`linux/amd64: ${note}`), all.err.join('\n'));
    assert.ok(all.err.includes(`linux/arm64/v8: Old base ${host}/mbase:1 (from the image's SLSA v1 provenance attestation).`), all.err.join('\n'));
    const json = JSON.parse(all.out.join('\n'));
    const images = json.platforms.filter((p: { kind: string }) => p.kind === 'image');
    assert.deepEqual(images.map((p: { plan: { oldBase: { foundBy: string } } }) => p.plan.oldBase.foundBy), ['provenance', 'provenance']);
    const index = await fetchManifest(host, 'mapp', 'bk-all');
    assert.equal(index.json.manifests!.length, 2, 'both attestations dropped');
    for (const d of index.json.manifests!) {
      const m = await fetchManifest(host, 'mapp', d.digest);
      assert.equal(m.json.annotations?.[BASE_DIGEST], mbase2, 'every child records the index digest');
    }
  });

  test('unusable statements fall through to the layer search, fetching nothing they name', async () => {
    const app = seed.oci.app1;
    const entries = [
      await entryOf(host, 'app', app.digest, { os: 'linux', architecture: 'amd64' }),
      await pushProvenance(host, 'app', app.digest, `{"_type": "https://in-toto.io/Statement/v0.1", ${randomBytes(4).toString('hex')}`),
      await pushProvenance(host, 'app', app.digest, statement('v0.2', app.digest, [FRONTEND])),
      // About another image: its materials are not this image's.
      await pushProvenance(host, 'app', app.digest, statement('v0.2', sha256('another image'), [{ uri: `pkg:docker/${host}/unrelated@1`, digest: sha256('x') }])),
      // Materials on a registry nobody runs, and one that is no base of this image.
      await pushProvenance(host, 'app', app.digest, statement('v0.2', app.digest, [{ uri: `pkg:docker/${host}/base@2`, digest: seed.oci.base2.digest }, { uri: `pkg:docker/${host}/missing@1`, digest: sha256('gone') }])),
    ];
    await pushIndexOf(host, 'app', 'bk-junk', entries);
    const r = await cli(`${host}/app:bk-junk`, '-t', `${host}/app:bk-junk-rebased`, '-b', `${host}/base:2`, '--json', '-v');
    ok(r);
    const child = JSON.parse(r.out.join('\n')).platforms.find((p: { kind: string }) => p.kind === 'image');
    assert.equal(child.plan.oldBase.foundBy, 'search');
    assert.equal(child.plan.oldBase.reference, `${host}/base:1`);
    assert.ok(!requests(r).some((l) => /unrelated|docker\.io/.test(l)), requests(r).join('\n'));
  });

  test('annotations written for a multi-platform base are read back: tag form while the tag matches, and a note once it moved', async () => {
    // A single-platform image onto a multi-platform base: the index digest is recorded.
    const b2 = await fetchManifest(host, 'mbase', '2');
    await putManifest(host, 'mbase', 'rolling', b2.body, b2.mediaType.split(';')[0]);
    ok(await cli(`${host}/mapp:1-amd64`, '-t', `${host}/mapp:on-rolling`, '-b', `${host}/mbase:rolling`, '-s', `${host}/mbase:1`));
    const rebased = await fetchManifest(host, 'mapp', 'on-rolling');
    assert.deepEqual([rebased.json.annotations?.[BASE_NAME], rebased.json.annotations?.[BASE_DIGEST]], [`${host}/mbase:rolling`, mbase2]);

    // Read back while the tag still points there: shown by tag.
    const back = await cli(`${host}/mapp:on-rolling`, '-t', `${host}/mapp:back`, '-b', `${host}/mbase:1`, '--json');
    ok(back);
    assert.ok(back.err.includes(`Old base ${host}/mbase:rolling (from the image's ${BASE_NAME} annotation).`), back.err.join('\n'));
    assert.equal(JSON.parse(back.out.join('\n')).oldBase.foundBy, 'annotation');

    // The same image recording the child digest (as older tools did) is the same base.
    const withChild = JSON.parse(rebased.body);
    withChild.annotations[BASE_DIGEST] = fx.base2.amd64.digest;
    await putManifest(host, 'mapp', 'on-rolling-child', JSON.stringify(withChild), rebased.mediaType.split(';')[0]);
    const child = await cli(`${host}/mapp:on-rolling-child`, '-t', `${host}/mapp:back-child`, '-b', `${host}/mbase:1`, '--dry-run');
    ok(child);
    assert.ok(child.err.includes(`Old base ${host}/mbase:rolling (from the image's ${BASE_NAME} annotation).`), child.err.join('\n'));

    // The tag moves on: the recorded digest still decides, and the note says the tag moved.
    const b1 = await fetchManifest(host, 'mbase', '1');
    await putManifest(host, 'mbase', 'rolling', b1.body, b1.mediaType.split(';')[0]);
    const moved = await cli(`${host}/mapp:on-rolling`, '-t', `${host}/mapp:back-moved`, '-b', `${host}/mbase:1`, '--json');
    ok(moved);
    assert.ok(moved.err.includes(`Old base ${host}/mbase:rolling@${mbase2} (from the image's ${BASE_NAME} annotation; the tag has moved since and now points to ${mbase1}).`), moved.err.join('\n'));
    const plan = JSON.parse(moved.out.join('\n'));
    assert.equal(plan.oldBase.digest, fx.base2.amd64.digest);
    const m = await fetchManifest(host, 'mapp', 'back-moved');
    assert.deepEqual(m.json.layers.map((l) => l.digest), fx.app1.amd64.layers.map((l) => l.digest), 'back on mbase:1');
    assert.equal(m.json.annotations?.[BASE_DIGEST], mbase1);
  });

  test('a single-platform base is recorded by its own digest', async () => {
    ok(await cli(`${host}/app:1`, '-t', `${host}/app:single`, '-b', `${host}/base:2`, '-s', `${host}/base:1`));
    const m = await fetchManifest(host, 'app', 'single');
    assert.deepEqual([m.json.annotations?.[BASE_NAME], m.json.annotations?.[BASE_DIGEST]], [`${host}/base:2`, seed.oci.base2.digest]);
  });
});
