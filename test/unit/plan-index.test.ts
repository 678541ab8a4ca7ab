import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageDocuments, planRebase } from '../../src/core/rebase/plan';
import { BaseImages, ChildOldBase, IndexSource, planIndexRebase } from '../../src/core/rebase/planIndex';
import { sha256Digest } from '../../src/core/digest';
import { Descriptor, FetchedManifest, ImageConfig, ImageIndex, ImageManifest, Platform } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { UserError } from '../../src/core/errors';

const d = (name: string) => sha256Digest(`layer:${name}`);
const diff = (name: string) => sha256Digest(`diff:${name}`);

interface Spec {
  ref: string;
  layers: string[];
  os?: string;
  arch?: string;
  variant?: string;
  osVersion?: string;
  docker?: boolean;
  foreign?: string[];
}

function image(s: Spec): ImageDocuments {
  const mediaType = s.docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest;
  const config: ImageConfig = {
    architecture: s.arch ?? 'amd64',
    os: s.os ?? 'linux',
    ...(s.variant ? { variant: s.variant } : {}),
    ...(s.osVersion ? { 'os.version': s.osVersion } : {}),
    config: { Cmd: ['app'] },
    rootfs: { type: 'layers', diff_ids: s.layers.map(diff) },
    history: s.layers.map((l) => ({ created_by: `ADD ${l}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: s.docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: s.layers.map((l) => {
      const foreign = s.foreign?.includes(l);
      return {
        mediaType: foreign ? (s.docker ? MediaTypes.dockerForeignLayer : MediaTypes.ociNondistributableGzip) : s.docker ? MediaTypes.dockerLayer : MediaTypes.ociLayerGzip,
        digest: d(l),
        size: 1000 + l.length,
        ...(foreign ? { urls: [`https://example.invalid/${l}`] } : {}),
      };
    }),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = s.ref.split('/');
  const repository = rest.join('/').split(/[:@]/)[0];
  return { reference: s.ref, repo: { registry, repository }, manifest: { mediaType, digest: sha256Digest(bytes), bytes, manifest }, config };
}

function platformOf(i: ImageDocuments): Platform {
  const c = i.config;
  return { architecture: c.architecture, os: c.os, ...(c.variant ? { variant: c.variant } : {}), ...(c['os.version'] ? { 'os.version': c['os.version'] } : {}) };
}

function entry(i: ImageDocuments, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.bytes.length, platform: platformOf(i), ...extra };
}

function indexOf(entries: Descriptor[], docker = false, extra: Partial<ImageIndex> & Record<string, unknown> = {}): FetchedManifest<ImageIndex> {
  const mediaType = docker ? MediaTypes.dockerManifestList : MediaTypes.ociIndex;
  const manifest = { schemaVersion: 2 as const, mediaType, manifests: entries, ...extra };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { mediaType, digest: sha256Digest(bytes), bytes, manifest };
}

function source(ref: string, images: ImageDocuments[], others: Descriptor[] = [], opts: { docker?: boolean; otherManifests?: Map<string, FetchedManifest>; extra?: Record<string, unknown> } = {}): IndexSource {
  const [registry, ...rest] = ref.split('/');
  return {
    reference: ref,
    repo: { registry, repository: rest.join('/').split(':')[0] },
    index: indexOf([...images.map((i) => entry(i)), ...others], opts.docker, opts.extra),
    images: new Map(images.map((i) => [i.manifest.digest, i])),
    others: opts.otherManifests ?? new Map(),
  };
}

function baseIndex(ref: string, images: ImageDocuments[], entries?: Descriptor[]): BaseImages {
  const idx = indexOf(entries ?? images.map((i) => entry(i)));
  const [registry, ...rest] = ref.split('/');
  return { reference: ref, repo: { registry, repository: rest.join('/').split(':')[0] }, digest: idx.digest, isIndex: true, images: images.map((docs, i) => ({ descriptor: idx.manifest.manifests[i], docs })) };
}

const olds = (pairs: Array<[ImageDocuments, ImageDocuments]>): Map<string, ChildOldBase> =>
  new Map(pairs.map(([child, docs]) => [child.manifest.digest, { docs, foundBy: 'argument', note: 'given' }]));

const target = { reference: 'r.example/app:new', repo: { registry: 'r.example', repository: 'app' }, tag: 'new' };

// Two platforms: amd64 and arm64 (variant only in the new base's index entry).
const old = { amd64: image({ ref: 'r.example/base:1', layers: ['o-amd'] }), arm64: image({ ref: 'r.example/base:1', layers: ['o-arm'], arch: 'arm64' }) };
const nb = { amd64: image({ ref: 'r.example/base:2', layers: ['n-amd', 'n-amd2'] }), arm64: image({ ref: 'r.example/base:2', layers: ['n-arm', 'n-arm2'], arch: 'arm64' }) };
const app = { amd64: image({ ref: 'r.example/app:1', layers: ['o-amd', 'a-amd'] }), arm64: image({ ref: 'r.example/app:1', layers: ['o-arm', 'a-arm'], arch: 'arm64' }) };
const newBase2 = baseIndex('r.example/base:2', [nb.amd64, nb.arm64], [entry(nb.amd64), entry(nb.arm64, { platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } })]);

test('rebases every platform onto the new base image of its platform and writes the index', () => {
  const plan = planIndexRebase({ source: source('r.example/app:1', [app.amd64, app.arm64]), newBase: newBase2, oldBases: olds([[app.amd64, old.amd64], [app.arm64, old.arm64]]), target });
  assert.equal(plan.children.length, 2);
  for (const [i, arch] of (['amd64', 'arm64'] as const).entries()) {
    const child = plan.children[i];
    // Exactly what planRebase makes of the pair.
    const single = planRebase({ source: app[arch], oldBase: old[arch], newBase: nb[arch], target });
    assert.equal(child.plan.newManifestDigest, single.newManifestDigest);
    assert.deepEqual(child.plan.newManifest.layers.map((l) => l.digest), [...nb[arch].manifest.manifest.layers.map((l) => l.digest), d(`a-${arch.slice(0, 3)}`)]);
    assert.equal(child.plan.target.reference, `r.example/app@${child.plan.newManifestDigest}`);
    assert.deepEqual(plan.newIndex.manifests[i], child.descriptor);
    assert.equal(child.descriptor.size, child.plan.newManifestBytes.length);
  }
  assert.deepEqual(plan.newIndex.manifests.map((m) => m.platform), [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux', variant: 'v8' }]);
  assert.equal(plan.newIndexMediaType, MediaTypes.ociIndex);
  assert.equal(plan.newIndexDigest, sha256Digest(plan.newIndexBytes));
  assert.deepEqual(JSON.parse(plan.newIndexBytes.toString()), plan.newIndex);
  assert.deepEqual(plan.copies, [], 'same repository: nothing to copy');
  assert.deepEqual(plan.entries.map((e) => e.action), ['rebased', 'rebased']);
});

test('refuses platforms without a new base, or keeps them unchanged when asked', () => {
  const onlyAmd = baseIndex('r.example/base:2', [nb.amd64]);
  const input = { source: source('r.example/app:1', [app.amd64, app.arm64]), newBase: onlyAmd, oldBases: olds([[app.amd64, old.amd64]]), target };
  assert.throws(
    () => planIndexRebase(input),
    (e: unknown) =>
      e instanceof UserError &&
      e.code === 'platform' &&
      e.message === 'No new base for linux/arm64 of r.example/app:1 (the new base r.example/base:2 has no image for linux/arm64 (it has: linux/amd64)); add --keep-unmatched to keep it unchanged in the new index, or rebase one platform with --platform.',
  );
  const plan = planIndexRebase({ ...input, keepUnmatched: true });
  assert.deepEqual(plan.entries.map((e) => e.action), ['rebased', 'kept']);
  assert.deepEqual(plan.newIndex.manifests[1], plan.oldIndex.manifests[1], 'the kept entry is unchanged');
  assert.ok(plan.warnings.some((w) => w.startsWith('linux/arm64 is kept unchanged (--keep-unmatched): the new base r.example/base:2 has no image for linux/arm64')));
  // Nothing matched at all: refused even with --keep-unmatched.
  assert.throws(
    () => planIndexRebase({ ...input, newBase: baseIndex('r.example/base:2', [image({ ref: 'r.example/base:2', layers: ['s'], arch: 's390x' })]), keepUnmatched: true }),
    /nothing would be rebased/,
  );
});

test('non-image entries are never rebased: what describes a rebased image is dropped, other artifacts kept', () => {
  const attestation: Descriptor = {
    mediaType: MediaTypes.ociManifest,
    digest: sha256Digest('att'),
    size: 10,
    platform: { architecture: 'unknown', os: 'unknown' },
    annotations: { 'vnd.docker.reference.digest': app.amd64.manifest.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
  };
  const unknown: Descriptor = { mediaType: MediaTypes.ociManifest, digest: sha256Digest('thing'), size: 11, artifactType: 'application/vnd.example.thing' };
  const signature: Descriptor = { mediaType: MediaTypes.ociManifest, digest: sha256Digest('sig'), size: 12, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' };
  // An artifact whose manifest names the arm64 image as its subject (kept unchanged below).
  const sbomManifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, artifactType: 'application/spdx+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 }, layers: [], subject: { mediaType: MediaTypes.ociManifest, digest: app.arm64.manifest.digest, size: 1 } };
  const sbomBytes = Buffer.from(JSON.stringify(sbomManifest));
  const sbom: Descriptor = { mediaType: MediaTypes.ociManifest, digest: sha256Digest(sbomBytes), size: sbomBytes.length };
  const others = new Map<string, FetchedManifest>([[sbom.digest, { mediaType: MediaTypes.ociManifest, digest: sbom.digest, bytes: sbomBytes, manifest: sbomManifest as unknown as ImageManifest }]]);
  const onlyAmd = baseIndex('r.example/base:2', [nb.amd64]);
  const plan = planIndexRebase({
    source: source('r.example/app:1', [app.amd64, app.arm64], [attestation, unknown, signature, sbom], { otherManifests: others }),
    newBase: onlyAmd,
    oldBases: olds([[app.amd64, old.amd64]]),
    target,
    keepUnmatched: true,
  });
  assert.deepEqual(plan.entries.map((e) => [e.kind, e.action]), [
    ['image', 'rebased'],
    ['image', 'kept'],
    ['attestation', 'dropped'],
    ['artifact', 'kept'],
    ['signature', 'dropped'],
    ['attestation', 'kept'],
  ]);
  assert.match(plan.entries[2].reason, /^dropped: it describes the source image [0-9a-f]{12} \(linux\/amd64\), not the rebased one/);
  assert.match(plan.entries[5].reason, /^kept: it describes [0-9a-f]{12}, which is kept unchanged$/);
  assert.deepEqual(plan.newIndex.manifests.map((m) => m.digest), [plan.children[0].descriptor.digest, app.arm64.manifest.digest, unknown.digest, sbom.digest]);
  assert.ok(plan.warnings.some((w) => /^Index entry [0-9a-f]{12} \(signature \(application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json\)\) is dropped: a signature made for the source's content/.test(w)), plan.warnings.join('\n'));
});

test('Windows: each image onto the same build, newest revision; os.version refreshed in the entries; family moves refused', () => {
  const win = (ref: string, layers: string[], v: string) => image({ ref, layers, os: 'windows', osVersion: v, docker: true, foreign: layers.filter((l) => l.startsWith('f')) });
  const A1 = win('r.example/windows/nanoserver:1', ['f14393', 'fu1884'], '10.0.14393.1884');
  const A2 = win('r.example/windows/nanoserver:2', ['f14393', 'fu2068'], '10.0.14393.2068');
  const B1 = win('r.example/windows/nanoserver:1', ['f16299.125'], '10.0.16299.125');
  const B2 = win('r.example/windows/nanoserver:2', ['f16299.192', 'patch'], '10.0.16299.192');
  const app1607 = win('r.example/winapp:1', ['f14393', 'fu1884', 'app1'], '10.0.14393.1884');
  const app1709 = win('r.example/winapp:1', ['f16299.125', 'app2'], '10.0.16299.125');
  const src = source('r.example/winapp:1', [app1607, app1709], [], { docker: true });
  const plan = planIndexRebase({ source: src, newBase: baseIndex('r.example/windows/nanoserver:2', [A1, A2, B2]), oldBases: olds([[app1607, A1], [app1709, B1]]), target });
  assert.equal(plan.newIndexMediaType, MediaTypes.dockerManifestList);
  assert.deepEqual(plan.newIndex.manifests.map((m) => m.platform?.['os.version']), ['10.0.14393.2068', '10.0.16299.192']);
  assert.deepEqual(plan.children.map((c) => c.plan.newConfig['os.version']), ['10.0.14393.2068', '10.0.16299.192']);
  // Foreign layers stay references and are never required.
  for (const c of plan.children) {
    assert.ok(c.plan.requiredBlobs.every((b) => !b.descriptor.mediaType.includes('foreign')));
    assert.ok(c.plan.newManifest.layers.filter((l) => l.mediaType.includes('foreign')).every((l) => l.urls?.[0]?.startsWith('https://example.invalid/')));
  }
  assert.deepEqual(plan.children[1].plan.requiredBlobs.map((b) => b.descriptor.digest), [d('patch'), d('app2')]);

  // Only 1709 on offer: the 1607 image would collide with the 1709 one, so it is not moved.
  const only1709 = baseIndex('r.example/windows/nanoserver:2', [B2]);
  assert.throws(() => planIndexRebase({ source: src, newBase: only1709, oldBases: olds([[app1709, B1]]), target }), /offers only Windows 10\.0\.16299\.192 for windows\/amd64, which another image of the source already uses/);
  // The 1607 image alone moves to 1709 as named, with a warning.
  const alone = planIndexRebase({ source: source('r.example/winapp:1', [app1607], [], { docker: true }), newBase: only1709, oldBases: olds([[app1607, A1]]), target });
  assert.equal(alone.children[0].match, 'release-change');
  assert.ok(alone.warnings.some((w) => w.includes('so Windows 10.0.16299.192, the only release it offers, was taken as you named it')));
  assert.ok(alone.warnings.some((w) => w.includes('The Windows release changes from 10.0.14393.1884 to 10.0.16299.192')));

  // nanoserver → servercore: refused, naming the platform.
  const core = win('r.example/windows/servercore:2', ['fcore', 'fcu'], '10.0.14393.2068');
  assert.throws(
    () => planIndexRebase({ source: source('r.example/winapp:1', [app1607], [], { docker: true }), newBase: baseIndex('r.example/windows/servercore:2', [core]), oldBases: olds([[app1607, A1]]), target }),
    (e: unknown) => e instanceof UserError && e.code === 'platform' && /^windows\/amd64 \(10\.0\.14393\.1884\): Image .* is built on Windows nanoserver .* is Windows servercore/.test(e.message),
  );
});

test('into another repository, kept entries become copies of their manifest and non-foreign blobs', () => {
  const foreignApp = image({ ref: 'r.example/app:1', layers: ['fbase', 'a-arm'], arch: 'arm64', foreign: ['fbase'] });
  const nested: Descriptor = { mediaType: MediaTypes.ociIndex, digest: sha256Digest('nested'), size: 5 };
  const plan = planIndexRebase({
    source: source('r.example/app:1', [app.amd64, foreignApp], [nested]),
    newBase: baseIndex('r.example/base:2', [nb.amd64]),
    oldBases: olds([[app.amd64, old.amd64]]),
    target: { reference: 'r.example/team/app:new', repo: { registry: 'r.example', repository: 'team/app' }, tag: 'new' },
    keepUnmatched: true,
  });
  assert.equal(plan.copies.length, 1);
  const copy = plan.copies[0];
  assert.equal(copy.digest, foreignApp.manifest.digest);
  assert.deepEqual(copy.bytes, foreignApp.manifest.bytes);
  assert.deepEqual(copy.blobs.map((b) => b.descriptor.digest), [foreignApp.manifest.manifest.config.digest, d('a-arm')], 'foreign layers are never copied');
  assert.equal(plan.entries[2].action, 'dropped');
  assert.match(plan.entries[2].reason, /nested index cannot be copied into team\/app/);
});

test('index annotations naming a base follow the new base; subject is not carried over', () => {
  const subject = { mediaType: MediaTypes.ociManifest, digest: sha256Digest('s'), size: 1 };
  const plan = planIndexRebase({
    source: source('r.example/app:1', [app.amd64, app.arm64], [], { extra: { annotations: { 'org.opencontainers.image.base.name': 'r.example/base:1', keep: 'me' }, subject } }),
    newBase: newBase2,
    oldBases: olds([[app.amd64, old.amd64], [app.arm64, old.arm64]]),
    target,
  });
  assert.deepEqual(plan.newIndex.annotations, { 'org.opencontainers.image.base.name': 'r.example/base:2', 'org.opencontainers.image.base.digest': newBase2.digest, keep: 'me' });
  assert.equal((plan.newIndex as unknown as Record<string, unknown>).subject, undefined);
});

test('one Windows image: a family move is refused even when only the source annotation names the family', () => {
  const win = (ref: string, layers: string[], v: string, annotations?: Record<string, string>) => {
    const i = image({ ref, layers, os: 'windows', osVersion: v, foreign: layers });
    if (annotations) i.manifest.manifest.annotations = annotations;
    return i;
  };
  const oldBase = win('r.example/base@sha256:' + 'a'.repeat(64), ['c1'], '10.0.17763.1');
  const source = win('r.example/app:1', ['c1', 'x'], '10.0.17763.1', { 'org.opencontainers.image.base.name': 'mcr.microsoft.com/windows/servercore:ltsc2019' });
  source.manifest.manifest.layers[1] = { mediaType: MediaTypes.ociLayerGzip, digest: d('x'), size: 1 };
  const nano = win('mcr.microsoft.com/windows/nanoserver:ltsc2019', ['n1'], '10.0.17763.2');
  assert.throws(() => planRebase({ source, oldBase, newBase: nano, target }), /is built on Windows servercore .* is Windows nanoserver/);
  const core = win('mcr.microsoft.com/windows/servercore:ltsc2019-patched', ['n1'], '10.0.17763.2');
  const plan = planRebase({ source, oldBase, newBase: core, target });
  assert.ok(plan.warnings.some((w) => w.startsWith('Windows app layers carry file and registry changes recorded against the old base')));
  assert.ok(plan.warnings.some((w) => w === 'The OS version changes from 10.0.17763.1 to 10.0.17763.2; app layers are not rebuilt for it.'));
});
