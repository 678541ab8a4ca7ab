import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageDocuments } from '../../src/core/rebase/plan';
import { BaseImages, ChildOldBase, IndexSource, planIndexRebase } from '../../src/core/rebase/planIndex';
import { anyPreviewModel, indexPreviewModel, previewModel } from '../../src/core/rebase/preview';
import { PreparedIndexRebase, preparedChild } from '../../src/core/rebase/rebase';
import { sha256Digest } from '../../src/core/digest';
import { Descriptor, FetchedManifest, ImageConfig, ImageIndex, ImageManifest } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { isPreviewModel } from '../../webview/viewModel';

// The preview of a whole index, from an in-memory plan: app:1 (amd64, arm64, an attestation of
// the amd64 image) onto base:2 of the same two platforms.

const d = (name: string) => sha256Digest(`layer:${name}`);

function image(ref: string, layers: string[], arch = 'amd64'): ImageDocuments {
  const config: ImageConfig = {
    architecture: arch,
    os: 'linux',
    config: { Cmd: ['app'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Digest(`diff:${l}`)) },
    history: layers.map((l) => ({ created_by: `ADD ${l}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: MediaTypes.ociLayerGzip, digest: d(l), size: 1000 + l.length })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = ref.split('/');
  return { reference: ref, repo: { registry, repository: rest.join('/').split(/[:@]/)[0] }, manifest: { mediaType: MediaTypes.ociManifest, digest: sha256Digest(bytes), bytes, manifest }, config };
}

const entry = (i: ImageDocuments): Descriptor => ({ mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.bytes.length, platform: { os: 'linux', architecture: i.config.architecture } });

function indexOf(entries: Descriptor[]): FetchedManifest<ImageIndex> {
  const manifest = { schemaVersion: 2 as const, mediaType: MediaTypes.ociIndex, manifests: entries };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { mediaType: MediaTypes.ociIndex, digest: sha256Digest(bytes), bytes, manifest };
}

const old = { amd64: image('r.example/base:1', ['o-amd']), arm64: image('r.example/base:1', ['o-arm'], 'arm64') };
const nb = { amd64: image('r.example/base:2', ['n-amd', 'n-amd2']), arm64: image('r.example/base:2', ['n-arm', 'n-arm2'], 'arm64') };
const app = { amd64: image('r.example/app:1', ['o-amd', 'a-amd', 'shared']), arm64: image('r.example/app:1', ['o-arm', 'a-arm', 'shared'], 'arm64') };
const attestation: Descriptor = {
  mediaType: MediaTypes.ociManifest,
  digest: sha256Digest('attestation'),
  size: 100,
  platform: { os: 'unknown', architecture: 'unknown' },
  annotations: { 'vnd.docker.reference.digest': app.amd64.manifest.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
};

function prepare(targetRegistry = 'r.example', order: Descriptor[] = [entry(app.amd64), entry(app.arm64), attestation]): PreparedIndexRebase {
  const idx = indexOf(order);
  const source: IndexSource = { reference: 'r.example/app:1', repo: { registry: 'r.example', repository: 'app' }, index: idx, images: new Map([app.amd64, app.arm64].map((i) => [i.manifest.digest, i])), others: new Map() };
  const baseIdx = indexOf([entry(nb.amd64), entry(nb.arm64)]);
  const newBase: BaseImages = { reference: 'r.example/base:2', repo: { registry: 'r.example', repository: 'base' }, digest: baseIdx.digest, isIndex: true, images: [nb.amd64, nb.arm64].map((docs, i) => ({ descriptor: baseIdx.manifest.manifests[i], docs })) };
  const oldBases = new Map<string, ChildOldBase>([
    [app.amd64.manifest.digest, { docs: old.amd64, foundBy: 'search', note: 'Old base detected as r.example/base:1 (amd64).' }],
    [app.arm64.manifest.digest, { docs: old.arm64, foundBy: 'annotation', note: 'Old base from the annotation (arm64).' }],
  ]);
  const target = { reference: `${targetRegistry}/app:new`, repo: { registry: targetRegistry, repository: 'app' }, tag: 'new' };
  return { kind: 'index', plan: planIndexRebase({ source, newBase, oldBases, target }) };
}

test('indexPreviewModel: the indexes at the top, every entry with its action, each rebased image with its own preview', () => {
  const prepared = prepare();
  const m = indexPreviewModel(prepared, { existingTargetDigest: sha256Digest('existing'), warnings: ['extra warning'] });
  assert.ok(isPreviewModel(m), 'the webview accepts it');
  assert.equal(m.source.reference, 'r.example/app:1');
  assert.equal(m.source.digest, prepared.plan.source.digest);
  assert.equal(m.target.reference, 'r.example/app:new');
  assert.equal(m.target.existingDigest, sha256Digest('existing'));
  assert.equal(m.newManifestDigest, prepared.plan.newIndexDigest);
  assert.equal(m.platform, 'linux/amd64, linux/arm64');
  assert.deepEqual(m.rows, []);
  assert.ok(m.fieldChanges.some((f) => f.path === 'index.manifests[0].digest' && f.old === app.amd64.manifest.digest && f.new === prepared.plan.children[0].plan.newManifestDigest));
  assert.deepEqual(m.index && { digest: m.index.digest, newDigest: m.index.newDigest, mediaType: m.index.mediaType }, { digest: prepared.plan.source.digest, newDigest: prepared.plan.newIndexDigest, mediaType: MediaTypes.ociIndex });
  assert.deepEqual(
    m.index!.entries.map((e) => [e.platform, e.kind, e.action, e.digest]),
    [
      ['linux/amd64', 'image', 'rebased', app.amd64.manifest.digest],
      ['linux/arm64', 'image', 'rebased', app.arm64.manifest.digest],
      [undefined, 'attestation', 'dropped', attestation.digest],
    ],
  );
  assert.match(m.index!.entries[2].reason, /^dropped: it describes the source image/);
  assert.equal(m.index!.entries[2].newDigest, undefined);
  assert.equal(m.index!.entries[2].model, undefined);
  for (const [i, c] of prepared.plan.children.entries()) {
    const e = m.index!.entries[i];
    assert.equal(e.newDigest, c.plan.newManifestDigest);
    // Exactly the single-image preview of that child, without warnings the top level already has.
    assert.deepEqual(e.model, { ...previewModel(preparedChild(c)), warnings: [] });
  }
  assert.equal(m.index!.entries[0].model!.oldBase.foundBy, 'search');
  assert.equal(m.index!.entries[1].model!.oldBase.note, 'Old base from the annotation (arm64).');
  assert.deepEqual(m.index!.entries[0].model!.rows.map((r) => r.change), ['removed', 'added', 'added', 'kept', 'kept']);
  assert.deepEqual(m.totals, { oldLayers: 6, newLayers: 8, removed: 2, added: 4, kept: 4, bytesToMove: 0 });
  assert.equal(m.oldBase.note, 'Old base detected as r.example/base:1 (amd64).');
  assert.ok(m.warnings.some((w) => w.includes('attestation')));
  assert.equal(m.warnings.at(-1), 'extra warning');
  assert.deepEqual(anyPreviewModel(prepared), indexPreviewModel(prepared));
});

test('indexPreviewModel: bytes to move count each blob once across platforms, only across registries', () => {
  const m = indexPreviewModel(prepare('other.example'));
  const blobs = new Map<string, number>();
  for (const i of [nb.amd64, nb.arm64, app.amd64, app.arm64]) for (const l of i.manifest.manifest.layers) blobs.set(l.digest, l.size);
  for (const l of [...old.amd64.manifest.manifest.layers, ...old.arm64.manifest.manifest.layers]) blobs.delete(l.digest);
  // The layer "shared" is in both images: once.
  assert.equal(m.totals.bytesToMove, [...blobs.values()].reduce((n, s) => n + s, 0));
});

test('indexPreviewModel: the index changes align each entry with its outcome, so a dropped entry shifts nothing', () => {
  // The attestation sits between the two images: dropping it must not make arm64 look changed
  // against the attestation's old place, as a position-by-position comparison would.
  const prepared = prepare('r.example', [entry(app.amd64), attestation, entry(app.arm64)]);
  const m = indexPreviewModel(prepared);
  const [amd, arm] = prepared.plan.children;
  assert.deepEqual(
    m.fieldChanges.map((f) => [f.group, f.path, f.label, f.old, f.new]),
    [
      ['index-entries', 'index.manifests[0].digest', 'linux/amd64 digest', app.amd64.manifest.digest, amd.plan.newManifestDigest],
      ['index-entries', 'index.manifests[0].size', 'linux/amd64 size', `${app.amd64.manifest.bytes.length} bytes`, `${amd.plan.newManifestBytes.length.toLocaleString('en-US')} bytes`],
      ['index-entries', 'index.manifests[1]', 'attestation (dropped)', attestation.digest, undefined],
      ['index-entries', 'index.manifests[2].digest', 'linux/arm64 digest', app.arm64.manifest.digest, arm.plan.newManifestDigest],
      ['index-entries', 'index.manifests[2].size', 'linux/arm64 size', `${app.arm64.manifest.bytes.length} bytes`, `${arm.plan.newManifestBytes.length.toLocaleString('en-US')} bytes`],
    ],
  );
  assert.match(m.fieldChanges[2].note ?? '', /^dropped: it describes the source image/);
  assert.deepEqual(m.fieldNotes, [], 'no entry is kept as it was');
  assert.ok(isPreviewModel(m));
  // Each platform's own list is aligned too: its base layers, not every shifted entry.
  for (const e of m.index!.entries.filter((x) => x.model)) {
    assert.ok(e.model!.fieldChanges.every((f) => !/^config\.rootfs\.diff_ids|^config\.history\[/.test(f.path) || f.group === 'base-layers'));
    assert.equal(e.model!.fieldChanges.filter((f) => f.group === 'base-layers' && f.path.startsWith('manifest.layers')).length, 3, '1 old base layer removed, 2 new added');
  }
});
