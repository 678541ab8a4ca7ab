import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestListSpec } from '../../src/core/manifestList/spec';
import { ListChildInput, planManifestList } from '../../src/core/manifestList/build';
import { sha256Digest } from '../../src/core/digest';
import { ImageConfig, ImageManifest } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { UserError } from '../../src/core/errors';

test('reads a manifest-tool style spec, keeping versions and tags as written', () => {
  const spec = parseManifestListSpec(
    [
      'image: r.example/app:1.0',
      'tags: [1.0, latest]',
      'manifests:',
      '  - image: r.example/app:1.0-amd64',
      '  - image: r.example/app:1.0-1607',
      '    platform:',
      '      os: windows',
      '      architecture: amd64',
      '      os.version: 10.0.14393.1884',
      '      os.features: [win32k]',
      '  - image: r.example/app:1.0-armv7',
      '    platform: { os: linux, architecture: arm, variant: v7 }',
    ].join('\n'),
  );
  assert.deepEqual(spec, {
    target: 'r.example/app:1.0',
    tags: ['1.0', 'latest'],
    manifests: [
      { image: 'r.example/app:1.0-amd64' },
      { image: 'r.example/app:1.0-1607', platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.14393.1884', 'os.features': ['win32k'] } },
      { image: 'r.example/app:1.0-armv7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    ],
  });
});

test('spec mistakes are usage errors that say where', () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(() => parseManifestListSpec(text, 'list.yml'), (e: unknown) => e instanceof UserError && e.code === 'usage' && re.test(e.message));
  bad('image: [', /^list\.yml is not valid YAML \(line \d+\)/);
  bad('- a\n- b', /must be a YAML mapping/);
  bad('manifests: [{image: a}]', /needs "image": the reference the manifest list is pushed to/);
  bad('image: a\nmanifests: []', /needs "manifests"/);
  bad('image: a\nmanifest: [{image: b}]', /unknown key "manifest"/);
  bad('image: a\nmanifests: [{image: b, platfrom: {os: linux}}]', /manifests\[0\] of list\.yml has an unknown key "platfrom"/);
  bad('image: a\nmanifests: [{image: b, platform: {os: linux, cpu: x}}]', /unknown field "cpu"/);
  bad('image: a\nmanifests: [{platform: {os: linux}}]', /manifests\[0\] of list\.yml needs "image"/);
  bad('image: a\ntags: latest\nmanifests: [{image: b}]', /"tags" in list\.yml must be a list/);
});

function child(ref: string, o: { os?: string; arch?: string; variant?: string; osVersion?: string; docker?: boolean; foreign?: boolean; platform?: ListChildInput['platform'] } = {}): ListChildInput {
  const config = { architecture: o.arch ?? 'amd64', os: o.os ?? 'linux', ...(o.variant ? { variant: o.variant } : {}), ...(o.osVersion ? { 'os.version': o.osVersion } : {}), rootfs: { type: 'layers', diff_ids: [] } } as ImageConfig;
  const mediaType = o.docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest;
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: o.docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig, digest: sha256Digest(JSON.stringify(config)), size: 10 },
    layers: [
      ...(o.foreign ? [{ mediaType: MediaTypes.dockerForeignLayer, digest: sha256Digest(`f${ref}`), size: 5, urls: ['https://example.invalid/f'] }] : []),
      { mediaType: o.docker ? MediaTypes.dockerLayer : MediaTypes.ociLayerGzip, digest: sha256Digest(`l${ref}`), size: 5 },
    ],
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = ref.split('/');
  return { reference: ref, repo: { registry, repository: rest.join('/').split(':')[0] }, manifest: { mediaType, digest: sha256Digest(bytes), bytes, manifest }, config, platform: o.platform };
}

const target = { reference: 'r.example/app:1.0', repo: { registry: 'r.example', repository: 'app' }, tag: '1.0' };

test('a Docker manifest list when every image is schema 2; platforms from configs unless given; other repositories copied', () => {
  const a = child('r.example/app:1.0-amd64', { docker: true });
  const w = child('r.example/winbuilds/app:1607', { docker: true, os: 'windows', osVersion: '10.0.14393.1884', foreign: true, platform: { 'os.features': ['win32k'] } });
  const plan = planManifestList(target, ['1.0', 'latest', 'latest'], [a, w]);
  assert.equal(plan.mediaType, MediaTypes.dockerManifestList);
  assert.deepEqual(plan.tags, ['latest']);
  assert.deepEqual(plan.index.manifests, [
    { mediaType: MediaTypes.dockerManifest, digest: a.manifest.digest, size: a.manifest.bytes.length, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: MediaTypes.dockerManifest, digest: w.manifest.digest, size: w.manifest.bytes.length, platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.14393.1884', 'os.features': ['win32k'] } },
  ]);
  assert.deepEqual(plan.children[1].platformFrom, { architecture: 'config', os: 'config', 'os.version': 'config', 'os.features': 'spec' });
  assert.equal(plan.children[0].copy, undefined, 'same repository: nothing to copy');
  assert.deepEqual(plan.children[1].copy!.blobs.map((b) => b.descriptor.digest), [w.manifest.manifest.config.digest, sha256Digest('lr.example/winbuilds/app:1607')], 'foreign layers are never copied');
  assert.equal(plan.digest, sha256Digest(plan.bytes));
});

test('an OCI index as soon as one image is OCI; contradictions and duplicate platforms refused', () => {
  const plan = planManifestList(target, [], [child('r.example/app:a', { docker: true }), child('r.example/app:b', { arch: 'arm64', variant: 'v8' })]);
  assert.equal(plan.mediaType, MediaTypes.ociIndex);
  assert.deepEqual(plan.index.manifests[1].platform, { architecture: 'arm64', os: 'linux', variant: 'v8' });
  assert.throws(() => planManifestList(target, [], [child('r.example/app:a', { platform: { architecture: 'arm64' } })]), (e: unknown) => e instanceof UserError && e.code === 'platform' && /The spec says r\.example\/app:a is linux\/arm64, but its config says linux\/amd64/.test(e.message));
  assert.throws(() => planManifestList(target, [], [child('r.example/app:a', { arch: 'arm64' }), child('r.example/app:b', { arch: 'arm64', variant: 'v8' })]), /r\.example\/app:a and r\.example\/app:b are both linux\/arm64\/v8; a manifest list has one image per platform/);
  // Two Windows releases of one platform are two entries.
  const two = planManifestList(target, [], [child('r.example/app:w1', { os: 'windows', osVersion: '10.0.14393.1884' }), child('r.example/app:w2', { os: 'windows', osVersion: '10.0.17763.1' })]);
  assert.equal(two.index.manifests.length, 2);
  const warned = planManifestList(target, [], [child('r.example/app:w1', { os: 'windows', osVersion: '10.0.14393.1884', platform: { 'os.version': '10.0.14393.2068' } })]);
  assert.equal(warned.index.manifests[0].platform?.['os.version'], '10.0.14393.2068');
  assert.match(warned.warnings[0], /gives r\.example\/app:w1 os\.version 10\.0\.14393\.2068, but its config says 10\.0\.14393\.1884; the spec's is used/);
});
