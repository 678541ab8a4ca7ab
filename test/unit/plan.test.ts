import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRebase, ImageDocuments } from '../../src/core/rebase/plan';
import { sha256Digest } from '../../src/core/digest';
import { HistoryEntry, ImageConfig, ImageManifest } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { UserError } from '../../src/core/errors';

const d = (name: string) => sha256Digest(`layer:${name}`);
const diff = (name: string) => sha256Digest(`diff:${name}`);

interface Spec {
  ref: string;
  layers: string[];
  history?: HistoryEntry[];
  os?: string;
  arch?: string;
  variant?: string;
  osVersion?: string;
  mediaType?: string;
  layerType?: string;
  foreign?: string[];
  config?: ImageConfig['config'];
  created?: string;
  annotations?: Record<string, string>;
}

function image(s: Spec): ImageDocuments {
  const mediaType = s.mediaType ?? MediaTypes.ociManifest;
  const oci = mediaType === MediaTypes.ociManifest;
  const config: ImageConfig = {
    architecture: s.arch ?? 'amd64',
    os: s.os ?? 'linux',
    ...(s.variant ? { variant: s.variant } : {}),
    ...(s.osVersion ? { 'os.version': s.osVersion } : {}),
    created: s.created ?? '2024-01-01T00:00:00Z',
    config: s.config ?? {},
    rootfs: { type: 'layers', diff_ids: s.layers.map(diff) },
    history: s.history ?? s.layers.map((l) => ({ created_by: `ADD ${l}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: s.layers.map((l) => {
      const foreign = s.foreign?.includes(l);
      return {
        mediaType: foreign ? (oci ? MediaTypes.ociNondistributableGzip : MediaTypes.dockerForeignLayer) : (s.layerType ?? (oci ? MediaTypes.ociLayerGzip : MediaTypes.dockerLayer)),
        digest: d(l),
        size: 1000 + l.length,
        ...(foreign ? { urls: [`https://example.invalid/${l}`] } : {}),
      };
    }),
    ...(s.annotations ? { annotations: s.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = s.ref.split('/');
  const repository = rest.join('/').split(':')[0];
  return { reference: s.ref, repo: { registry, repository }, manifest: { mediaType, digest: sha256Digest(bytes), bytes, manifest }, config };
}

const target = { reference: 'r.example/app:new', repo: { registry: 'r.example', repository: 'app' }, tag: 'new' };

test('replaces the base layers, diff_ids and history and keeps the app', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1', 'b2'] });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1', 'n2', 'n3'] });
  const source = image({
    ref: 'r.example/app:1',
    layers: ['b1', 'b2', 'a1'],
    config: { Env: ['A=1'], Cmd: ['run'], Labels: { x: 'y' }, WorkingDir: '/app', User: 'app', ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} }, Entrypoint: ['/e'] },
    created: '2023-05-05T00:00:00Z',
  });
  const plan = planRebase({ source, oldBase, newBase, target });
  assert.deepEqual(plan.newManifest.layers.map((l) => l.digest), [d('n1'), d('n2'), d('n3'), d('a1')]);
  assert.deepEqual(plan.newConfig.rootfs.diff_ids, [diff('n1'), diff('n2'), diff('n3'), diff('a1')]);
  assert.deepEqual(plan.newConfig.history!.map((h) => h.created_by), ['ADD n1', 'ADD n2', 'ADD n3', 'ADD a1']);
  assert.deepEqual(plan.newConfig.config, source.config.config);
  assert.equal(plan.newConfig.created, '2023-05-05T00:00:00Z');
  assert.deepEqual(plan.layers.map((l) => l.change), ['removed', 'removed', 'added', 'added', 'added', 'kept']);
  // Config digest and size describe the exact bytes that will be uploaded.
  assert.equal(plan.newManifest.config.digest, sha256Digest(plan.newConfigBytes));
  assert.equal(plan.newManifest.config.size, plan.newConfigBytes.length);
  assert.equal(plan.newManifestDigest, sha256Digest(plan.newManifestBytes));
  assert.deepEqual(JSON.parse(plan.newConfigBytes.toString()), plan.newConfig);
  assert.deepEqual(plan.requiredBlobs.map((b) => [b.descriptor.digest, b.from.repository]), [
    [d('n1'), 'base'], [d('n2'), 'base'], [d('n3'), 'base'], [d('a1'), 'app'],
  ]);
  // The source's documents are not mutated.
  assert.deepEqual(source.config.rootfs.diff_ids, [diff('b1'), diff('b2'), diff('a1')]);
});

test('counts empty_layer history entries so history and layers stay aligned', () => {
  const oldBase = image({
    ref: 'r.example/base:1',
    layers: ['b1', 'b2'],
    history: [{ created_by: 'ADD b1' }, { created_by: 'ENV B=1', empty_layer: true }, { created_by: 'RUN b2' }, { created_by: 'CMD ["sh"]', empty_layer: true }],
  });
  const newBase = image({
    ref: 'r.example/base:2',
    layers: ['n1'],
    history: [{ created_by: 'ADD n1' }, { created_by: 'CMD ["bash"]', empty_layer: true }, { created_by: 'LABEL v=2', empty_layer: true }],
  });
  const source = image({
    ref: 'r.example/app:1',
    layers: ['b1', 'b2', 'a1', 'a2'],
    history: [
      { created_by: 'ADD b1' }, { created_by: 'ENV B=1', empty_layer: true }, { created_by: 'RUN b2' }, { created_by: 'CMD ["sh"]', empty_layer: true },
      { created_by: 'WORKDIR /app', empty_layer: true }, { created_by: 'COPY a1' }, { created_by: 'ENV X=1', empty_layer: true }, { created_by: 'COPY a2' }, { created_by: 'CMD ["app"]', empty_layer: true },
    ],
  });
  const plan = planRebase({ source, oldBase, newBase, target });
  const h = plan.newConfig.history!;
  assert.deepEqual(h.map((e) => e.created_by), [
    'ADD n1', 'CMD ["bash"]', 'LABEL v=2', 'WORKDIR /app', 'COPY a1', 'ENV X=1', 'COPY a2', 'CMD ["app"]',
  ]);
  assert.equal(h.filter((e) => !e.empty_layer).length, plan.newManifest.layers.length);
  assert.equal(plan.newConfig.rootfs.diff_ids.length, plan.newManifest.layers.length);
  assert.deepEqual(plan.layers.filter((l) => l.change === 'kept').map((l) => l.createdBy), ['COPY a1', 'COPY a2']);
  assert.deepEqual(plan.warnings, []);
});

test('refuses an image not built on the stated base, naming the differing layer', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1', 'b2'] });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1'] });
  const source = image({ ref: 'r.example/app:1', layers: ['b1', 'x2', 'a1'] });
  assert.throws(
    () => planRebase({ source, oldBase, newBase, target }),
    (e: unknown) => e instanceof UserError && e.code === 'not-based-on' && /is not built on r\.example\/base:1: layer 2 differs/.test(e.message),
  );
});

test('refuses a base with as many layers as the image', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1', 'b2'] });
  const source = image({ ref: 'r.example/app:1', layers: ['b1', 'b2'] });
  assert.throws(() => planRebase({ source, oldBase, newBase: oldBase, target }), /no app layers would remain/);
});

test('refuses an OS or architecture change', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'] });
  const source = image({ ref: 'r.example/app:1', layers: ['b1', 'a1'] });
  for (const [os, arch] of [['linux', 'arm64'], ['windows', 'amd64']]) {
    const newBase = image({ ref: 'r.example/base:2', layers: ['n1'], os, arch });
    assert.throws(
      () => planRebase({ source, oldBase, newBase, target }),
      (e: unknown) => e instanceof UserError && e.code === 'platform' && e.message.includes(`is ${os}/${arch} but image r.example/app:1 is linux/amd64`),
    );
  }
});

test('takes os.version and variant from the new base and warns about the change', () => {
  const oldBase = image({ ref: 'r.example/nano:1607', layers: ['b1'], os: 'windows', osVersion: '10.0.14393.1884' });
  const newBase = image({ ref: 'r.example/nano:1709', layers: ['n1'], os: 'windows', osVersion: '10.0.16299.64' });
  const source = image({ ref: 'r.example/app:1', layers: ['b1', 'a1'], os: 'windows', osVersion: '10.0.14393.1884' });
  const plan = planRebase({ source, oldBase, newBase, target });
  assert.equal(plan.newConfig['os.version'], '10.0.16299.64');
  assert.equal(plan.newConfig.os, 'windows');
  assert.ok(plan.warnings.some((w) => w.includes('10.0.14393.1884 to 10.0.16299.64')));
});

test('keeps foreign layers as references and never asks for them to be copied', () => {
  const mt = MediaTypes.dockerManifest;
  const oldBase = image({ ref: 'r.example/nano:1', layers: ['f1', 'b2'], foreign: ['f1'], mediaType: mt, os: 'windows' });
  const newBase = image({ ref: 'r.example/nano:2', layers: ['g1', 'n2'], foreign: ['g1'], mediaType: mt, os: 'windows' });
  const source = image({ ref: 'r.example/app:1', layers: ['f1', 'b2', 'a1'], foreign: ['f1'], mediaType: mt, os: 'windows' });
  const plan = planRebase({ source, oldBase, newBase, target });
  const first = plan.newManifest.layers[0];
  assert.equal(first.mediaType, MediaTypes.dockerForeignLayer);
  assert.deepEqual(first.urls, ['https://example.invalid/g1']);
  assert.ok(!plan.requiredBlobs.some((b) => b.descriptor.digest === d('g1')));
  assert.deepEqual(plan.requiredBlobs.map((b) => b.descriptor.digest), [d('n2'), d('a1')]);
  assert.equal(plan.layers[2].foreign, true);
});

test('keeps the source manifest type and converts new base layer types across Docker and OCI', () => {
  // OCI app on a Docker-typed new base: layers become OCI types.
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'] });
  const dockerBase = image({ ref: 'r.example/dbase:2', layers: ['n1'], mediaType: MediaTypes.dockerManifest });
  const ociApp = image({ ref: 'r.example/app:1', layers: ['b1', 'a1'] });
  const p1 = planRebase({ source: ociApp, oldBase, newBase: dockerBase, target });
  assert.equal(p1.newManifestMediaType, MediaTypes.ociManifest);
  assert.equal(p1.newManifest.mediaType, MediaTypes.ociManifest);
  assert.equal(p1.newManifest.layers[0].mediaType, MediaTypes.ociLayerGzip);
  assert.equal(p1.newManifest.config.mediaType, MediaTypes.ociConfig);

  // Docker app on an OCI new base: layers become Docker types, no annotations appear.
  const dOld = image({ ref: 'r.example/dbase:1', layers: ['b1'], mediaType: MediaTypes.dockerManifest });
  const ociBase = image({ ref: 'r.example/base:2', layers: ['n1'] });
  const dockerApp = image({ ref: 'r.example/dapp:1', layers: ['b1', 'a1'], mediaType: MediaTypes.dockerManifest });
  const p2 = planRebase({ source: dockerApp, oldBase: dOld, newBase: ociBase, target });
  assert.equal(p2.newManifest.mediaType, MediaTypes.dockerManifest);
  assert.equal(p2.newManifest.layers[0].mediaType, MediaTypes.dockerLayer);
  assert.equal(p2.newManifest.config.mediaType, MediaTypes.dockerConfig);
  assert.equal(p2.newManifest.annotations, undefined);
});

test('sets the OCI base annotations to the new base and keeps other annotations', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'] });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1'] });
  const source = image({
    ref: 'r.example/app:1',
    layers: ['b1', 'a1'],
    annotations: { 'org.opencontainers.image.base.name': 'r.example/base:1', 'org.opencontainers.image.base.digest': oldBase.manifest.digest, 'com.example/keep': 'me' },
  });
  const plan = planRebase({ source, oldBase, newBase, target });
  assert.deepEqual(plan.newManifest.annotations, {
    'org.opencontainers.image.base.name': 'r.example/base:2',
    'org.opencontainers.image.base.digest': newBase.manifest.digest,
    'com.example/keep': 'me',
  });
});

test('warns about app layers made by RUN steps', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'] });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1'] });
  const source = image({
    ref: 'r.example/app:1',
    layers: ['b1', 'a1', 'a2'],
    history: [{ created_by: 'ADD b1' }, { created_by: '/bin/sh -c apt-get install -y curl' }, { created_by: 'COPY a2 /app' }],
  });
  const plan = planRebase({ source, oldBase, newBase, target });
  assert.ok(plan.warnings.some((w) => w.startsWith('1 app layer(s) were made by RUN steps')));
});

test('merges the container settings three-way and records every decision in the plan', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'], config: { Env: ['PATH=/usr/bin:/bin', 'V=1'], Labels: { base: '1' }, Cmd: ['sh'] } });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1'], config: { Env: ['PATH=/opt/bin:/usr/bin:/bin', 'V=2'], Labels: { base: '2' }, Cmd: ['bash'] } });
  const source = image({
    ref: 'r.example/app:1',
    layers: ['b1', 'a1'],
    config: { Env: ['PATH=/app/bin:/usr/bin:/bin', 'V=mine'], Labels: { base: '1', app: 'x' }, Cmd: ['sh'] },
  });
  const plan = planRebase({ source, oldBase, newBase, target });
  assert.deepEqual(plan.newConfig.config, { Env: ['PATH=/app/bin:/opt/bin:/usr/bin:/bin', 'V=mine'], Labels: { base: '2', app: 'x' }, Cmd: ['bash'] });
  assert.equal(plan.configMerge.mode, 'merge');
  assert.deepEqual(
    plan.configMerge.decisions.map((d) => [d.field, d.key, d.decision]),
    [
      ['Env', 'PATH', 'path-segment-replaced'],
      ['Env', 'V', 'conflict'],
      ['Labels', 'base', 'new-base'],
      ['Labels', 'app', 'app-kept'],
      ['Cmd', 'Cmd', 'new-base'],
    ],
  );
  assert.ok(plan.warnings.some((w) => w.startsWith('Config conflict on Env V: the app set "mine" and the new base r.example/base:2 changed it from "1" to "2"')));
  assert.deepEqual(JSON.parse(plan.newConfigBytes.toString()).config, plan.newConfig.config);
  assert.deepEqual(source.config.config!.Labels, { base: '1', app: 'x' }, 'the source is not mutated');
});

test('keepConfig keeps the app container settings untouched and records no decisions', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'], config: { Env: ['V=1'], Labels: { base: '1' } } });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1'], config: { Env: ['V=2'], Labels: { base: '2' } } });
  const source = image({ ref: 'r.example/app:1', layers: ['b1', 'a1'], config: { Env: ['V=1'], Labels: { base: '1' } } });
  const kept = planRebase({ source, oldBase, newBase, target, keepConfig: true });
  assert.deepEqual(kept.newConfig.config, source.config.config);
  assert.deepEqual(kept.configMerge, { mode: 'keep', decisions: [] });
  assert.deepEqual(kept.warnings, []);
  const merged = planRebase({ source, oldBase, newBase, target });
  assert.deepEqual(merged.newConfig.config, { Env: ['V=2'], Labels: { base: '2' } });
  assert.notEqual(merged.newConfigDigest, kept.newConfigDigest);
});
