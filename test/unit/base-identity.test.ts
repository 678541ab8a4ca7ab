import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest';
import { isUserError } from '../../src/core/errors';
import { ImageConfig, ImageIndex, ImageManifest } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { basePrefixLength, identityOf, sameBase } from '../../src/core/rebase/baseIdentity';
import { ImageDocuments, planRebase } from '../../src/core/rebase/plan';
import { alreadyOnBase, isAlreadyOnBase, refuseAppLayersInNewBase, refuseSourceAsNewBase } from '../../src/core/rebase/refusals';

const d = (name: string) => sha256Digest(`layer:${name}`);

function image(ref: string, layers: string[], extra: Partial<ImageDocuments> = {}): ImageDocuments {
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Digest(`diff:${l}`)) }, history: layers.map((l) => ({ created_by: l })) };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256Digest(JSON.stringify(config)), size: 10 },
    layers: layers.map((l) => ({ mediaType: MediaTypes.ociLayerGzip, digest: d(l), size: 100 })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = ref.split('/');
  return { reference: ref, repo: { registry, repository: rest.join('/').split(':')[0] }, manifest: { mediaType: MediaTypes.ociManifest, digest: sha256Digest(bytes), bytes, manifest }, config, ...extra };
}

function index(children: string[]) {
  const manifest: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: children.map((c) => ({ mediaType: MediaTypes.ociManifest, digest: c, size: 1, platform: { os: 'linux', architecture: 'amd64' } })) };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { mediaType: MediaTypes.ociIndex, digest: sha256Digest(bytes), bytes, manifest };
}

const target = { reference: 'r.example/app:new', repo: { registry: 'r.example', repository: 'app' }, tag: 'new' };

test('an index and its platform images name the same base; other digests do not', () => {
  const amd = sha256Digest('amd64 image');
  const arm = sha256Digest('arm64 image');
  const idx = index([amd, arm]);
  const base = identityOf(idx);
  assert.deepEqual(base, { digest: idx.digest, children: [amd, arm] });
  assert.ok(sameBase(base, { digest: idx.digest }));
  assert.ok(sameBase(base, { digest: amd }), 'a child digest is the same base');
  assert.ok(sameBase({ digest: arm }, base), 'in either order');
  assert.ok(!sameBase(base, { digest: sha256Digest('other') }));
  assert.ok(!sameBase({ digest: amd }, { digest: arm }), 'two platform images of one index are not told to be the same');
  const single = identityOf({ mediaType: MediaTypes.ociManifest, digest: amd, manifest: {} as ImageManifest });
  assert.deepEqual(single, { digest: amd });
  assert.ok(sameBase(single, base), "an index digest matching the image's parent");
});

test('the base digest annotation is the digest the new base resolved to: the index of a multi-platform base', () => {
  const oldBase = image('r.example/base:1', ['b1']);
  const source = image('r.example/app:1', ['b1', 'a1']);
  const single = image('r.example/base:2', ['n1']);
  assert.equal(planRebase({ source, oldBase, newBase: single, target }).newManifest.annotations?.['org.opencontainers.image.base.digest'], single.manifest.digest);
  const indexDigest = sha256Digest('base:2 index');
  const child = image('r.example/base:2', ['n1'], { resolvedDigest: indexDigest });
  const annotations = planRebase({ source, oldBase, newBase: child, target }).newManifest.annotations;
  assert.equal(annotations?.['org.opencontainers.image.base.name'], 'r.example/base:2', 'the base as the user named it');
  assert.equal(annotations?.['org.opencontainers.image.base.digest'], indexDigest);
});

test('basePrefixLength counts only proper prefixes', () => {
  const app = image('r/app:1', ['b1', 'b2', 'a1']).manifest.manifest;
  assert.equal(basePrefixLength(app, image('r/base:1', ['b1', 'b2']).manifest.manifest), 2);
  assert.equal(basePrefixLength(app, image('r/base:x', ['b1', 'x']).manifest.manifest), 0);
  assert.equal(basePrefixLength(app, app), 0, 'the image itself is not its base');
  assert.equal(basePrefixLength(app, image('r/empty:1', []).manifest.manifest), 0);
});

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isUserError(e), String(e));
    return `${e.code}: ${e.message}`;
  }
  return 'accepted';
}

test('a new base that is the source, or holds its app layers, is refused in one sentence', () => {
  const source = image('r.example/app:1', ['b1', 'a1', 'a2']);
  const oldBase = image('r.example/base:1', ['b1']);
  assert.equal(
    refusal(() => refuseSourceAsNewBase(source, { ...source, reference: 'r.example/app@x' })),
    'unsupported: The new base r.example/app@x is the image r.example/app:1 itself, so its app layers would be stacked twice; name the base image to move it onto with -b.',
  );
  assert.match(refusal(() => refuseSourceAsNewBase(source, image('r.example/app:1-plus', ['b1', 'a1', 'a2', 'x']))), /^unsupported: The new base r\.example\/app:1-plus is built on r\.example\/app:1 and already holds all of its layers/);
  assert.equal(refusal(() => refuseSourceAsNewBase(source, image('r.example/base:2', ['n1']))), 'accepted');
  // A rebased copy of the app: other base layers, the same app layers.
  const rebasedCopy = image('r.example/app:1-rebased', ['n1', 'a1', 'a2']);
  assert.equal(refusal(() => refuseSourceAsNewBase(source, rebasedCopy)), 'accepted', 'not told before the old base is known');
  assert.equal(
    refusal(() => refuseAppLayersInNewBase(source, oldBase, rebasedCopy)),
    'unsupported: The new base r.example/app:1-rebased already contains the app layers of r.example/app:1 (it is that image or one made from it), so they would be stacked twice; name the base image itself with -b.',
  );
  // One shared layer (an empty layer many images have) is no reason to refuse; all app layers, in order, are.
  assert.equal(refusal(() => refuseAppLayersInNewBase(source, oldBase, image('r.example/base:3', ['n1', 'a1']))), 'accepted');
  assert.equal(refusal(() => refuseAppLayersInNewBase(source, oldBase, image('r.example/base:4', ['n1', 'a2', 'a1']))), 'accepted');
  // A wrong old base is the planner's to refuse, with its own sentence.
  assert.equal(refusal(() => refuseAppLayersInNewBase(source, image('r.example/other:1', ['o1']), rebasedCopy)), 'accepted');
});

test('the same image as old and new base is "already on that base"', () => {
  const base = image('r.example/base:1', ['b1']);
  assert.ok(isAlreadyOnBase(base, { ...base, reference: 'r.example/base:latest' }));
  assert.ok(!isAlreadyOnBase(base, image('r.example/base:2', ['n1'])));
  const e = alreadyOnBase('r.example/app:1', { reference: 'r.example/base:1', digest: base.manifest.digest });
  assert.equal(e.code, 'already-on-base');
  assert.match(e.message, /^r\.example\/app:1 is already on that base: r\.example\/base:1 \([0-9a-f]{12}\) is the image it was built on, so there is nothing to rebase and nothing was written\.$/);
  assert.match(alreadyOnBase('r.example/app:1', { reference: 'r.example/base:1', digest: base.manifest.digest }, true).message, /is what each of its platforms was built on/);
});
