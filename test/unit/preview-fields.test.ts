import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageDocuments, planRebase } from '../../src/core/rebase/plan';
import { previewModel } from '../../src/core/rebase/preview';
import { imageFieldChanges } from '../../src/core/rebase/previewFields';
import { sha256Digest } from '../../src/core/digest';
import { HistoryEntry, ImageConfig, ImageManifest } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { isPreviewModel } from '../../webview/viewModel';
import { fieldsHeading, groupFieldChanges, isDigest } from '../../webview/fieldsView';
import { formatBytes } from '../../src/shared/format';

// The field list of the Rebase Preview for a plain base swap shaped like the test bed's images
// (test/harness/fixtures.ts seedStandardImages): base:1 has one layer, base:2 two, and app:1's
// history interleaves empty entries (WORKDIR, ENV, LABEL, CMD) with its two layers.

const d = (name: string) => sha256Digest(`layer:${name}`);
const diff = (name: string) => sha256Digest(`diff:${name}`);
let clock = 0;
/** Every history entry gets its own time, as a build writes them. */
const h = (created_by: string, empty = false): HistoryEntry => ({ created: new Date(Date.UTC(2025, 0, 1, 0, 0, clock++)).toISOString(), created_by, ...(empty ? { empty_layer: true } : {}) });

interface Spec {
  ref: string;
  layers: string[];
  history: HistoryEntry[];
  config?: ImageConfig['config'];
  mediaType?: string;
  annotations?: Record<string, string>;
  osVersion?: string;
}

function image(s: Spec): ImageDocuments {
  const mediaType = s.mediaType ?? MediaTypes.ociManifest;
  const oci = mediaType === MediaTypes.ociManifest;
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    ...(s.osVersion ? { 'os.version': s.osVersion } : {}),
    created: '2025-01-01T00:00:00Z',
    config: s.config ?? {},
    rootfs: { type: 'layers', diff_ids: s.layers.map(diff) },
    history: s.history,
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: s.layers.map((l) => ({ mediaType: oci ? MediaTypes.ociLayerGzip : MediaTypes.dockerLayer, digest: d(l), size: 1000 + l.length })),
    ...(s.annotations ? { annotations: s.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = s.ref.split('/');
  return { reference: s.ref, repo: { registry, repository: rest.join('/').split(':')[0] }, manifest: { mediaType, digest: sha256Digest(bytes), bytes, manifest }, config };
}

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const target = { reference: 'r.example/app:1-rebased', repo: { registry: 'r.example', repository: 'app' }, tag: '1-rebased' };

function standard(mediaType?: string) {
  const base1History = [h('ADD base1 /'), h(`ENV ${PATH}`, true), h('CMD ["/bin/sh"]', true)];
  const base1 = image({ ref: 'r.example/base:1', layers: ['b1'], history: base1History, config: { Env: [PATH], Cmd: ['/bin/sh'] }, mediaType });
  const base2 = image({
    ref: 'r.example/base:2',
    layers: ['n1', 'n2'],
    history: [h('ADD base2 /'), h('RUN configure base2'), h(`ENV ${PATH} BASE=2`, true), h('CMD ["/bin/sh"]', true)],
    config: { Env: [PATH, 'BASE=2'], Cmd: ['/bin/sh'] },
    mediaType,
  });
  const app = image({
    ref: 'r.example/app:1',
    layers: ['b1', 'a1', 'a2'],
    history: [...base1History, h('WORKDIR /app', true), h('COPY hello.txt /app/'), h('ENV APP_MODE=test', true), h('COPY config.json /app/'), h('LABEL org.example.app=app1', true), h('CMD ["cat","/app/hello.txt"]', true)],
    config: { Env: [PATH, 'APP_MODE=test'], Cmd: ['cat', '/app/hello.txt'], WorkingDir: '/app', Labels: { 'org.example.app': 'app1' } },
    mediaType,
  });
  return { base1, base2, app };
}

const plan = (opts: { keepConfig?: boolean; mediaType?: string } = {}) => {
  const { base1, base2, app } = standard(opts.mediaType);
  return { base1, base2, app, plan: planRebase({ source: app, oldBase: base1, newBase: base2, target, keepConfig: opts.keepConfig }) };
};
const model = (p: ReturnType<typeof planRebase>) => previewModel({ plan: p, oldBase: { foundBy: 'search', note: 'found' } });
const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;

test('plain base swap: only the real changes, base layers aligned, the app part kept and not listed', () => {
  const { base1, base2, app, plan: p } = plan();
  const m = model(p);
  assert.ok(isPreviewModel(m), 'the webview accepts it');
  const size = (cfg: number, layers: { size: number }[]) => layers.reduce((n, l) => n + l.size, cfg);
  const oldSize = size(app.manifest.manifest.config.size, app.manifest.manifest.layers);
  const newSize = size(p.newConfigBytes.length, p.newManifest.layers);
  assert.deepEqual(
    m.fieldChanges.map((c) => [c.group, c.path, c.label, c.old, c.new]),
    [
      ['base-layers', 'manifest.layers[0]', 'Old base layer 1', d('b1'), undefined],
      ['base-layers', 'manifest.layers[0]', 'New base layer 1', undefined, d('n1')],
      ['base-layers', 'manifest.layers[1]', 'New base layer 2', undefined, d('n2')],
      // The bases' CMD lines say the same: only their differing ENV lines are listed.
      ['base-layers', 'config.history[1]', 'Old base history (no layer)', `ENV ${PATH}`, undefined],
      ['base-layers', 'config.history[2]', 'New base history (no layer)', undefined, `ENV ${PATH} BASE=2`],
      ['settings', 'config.config.Env[BASE]', 'Env BASE', undefined, '2'],
      ['manifest-annotations', 'manifest.annotations[org.opencontainers.image.base.name]', 'org.opencontainers.image.base.name', undefined, 'r.example/base:2'],
      ['manifest-annotations', 'manifest.annotations[org.opencontainers.image.base.digest]', 'org.opencontainers.image.base.digest', undefined, base2.manifest.digest],
      ['sizes', 'manifest.config.digest', 'Config digest', app.manifest.manifest.config.digest, p.newConfigDigest],
      ['sizes', 'manifest.config.size', 'Config size', bytes(app.manifest.manifest.config.size), bytes(p.newConfigBytes.length)],
      ['sizes', 'image.size', 'Image size (config and layers)', `${formatBytes(oldSize)} (${bytes(oldSize)})`, `${formatBytes(newSize)} (${bytes(newSize)})`],
    ],
  );
  // Each layer says its size and the history line that made it.
  assert.equal(m.fieldChanges[0].note, `${formatBytes(1002)} · ADD base1 /`);
  assert.equal(m.fieldChanges[2].note, `${formatBytes(1002)} · RUN configure base2`);
  assert.deepEqual(m.fieldNotes, [
    { group: 'base-layers', text: 'Base part replaced in manifest.layers and config.rootfs.diff_ids: 1 old base layer → 2 new base layers; config.history: 3 old base entries → 4 new base entries.' },
    { group: 'base-layers', text: 'Kept unchanged: 2 app layers and the last 6 history entries.' },
  ]);
  // Nothing of the app part, and no positional entries of the three lists.
  assert.ok(m.fieldChanges.every((c) => !c.path.startsWith('config.rootfs.diff_ids')));
  assert.ok(!m.fieldChanges.some((c) => c.old === d('a1') || c.new === d('a1') || c.old === d('a2') || c.new === d('a2')));
  assert.equal(base1.config.history!.length, 3);
});

test('the webview groups the real changes in a fixed order, with what each group kept', () => {
  const m = model(plan().plan);
  const groups = groupFieldChanges(m.fieldChanges, m.fieldNotes);
  assert.deepEqual(
    groups.map((g) => [g.key, g.changes.length, g.notes.length]),
    [
      ['base-layers', 5, 2],
      ['settings', 1, 0],
      ['manifest-annotations', 2, 0],
      ['sizes', 3, 0],
    ],
  );
  assert.equal(groups[0].title, 'Base layers (manifest.layers, config.rootfs.diff_ids, config.history)');
  assert.deepEqual(groups[0].changes.map((c) => c.kind), ['removed', 'added', 'added', 'removed', 'added']);
  assert.equal(groups[1].changes[0].label, 'Env BASE');
  assert.equal(fieldsHeading('Config and manifest changes', m.fieldChanges), 'Config and manifest changes (11)');
  assert.ok(isDigest(m.fieldChanges[0].old) && !isDigest('r.example/base:2') && !isDigest('sha256:short'));
});

test('base layers both bases share are not listed, only counted', () => {
  const shared = [h('ADD shared /')];
  const oldBase = image({ ref: 'r.example/base:1', layers: ['s', 'b1'], history: [...shared, h('RUN patch 1')] });
  const newBase = image({ ref: 'r.example/base:2', layers: ['s', 'n1'], history: [...shared, h('RUN patch 2')] });
  const app = image({ ref: 'r.example/app:1', layers: ['s', 'b1', 'a1'], history: [...oldBase.config.history!, h('COPY app /')] });
  const m = model(planRebase({ source: app, oldBase, newBase, target }));
  const layers = m.fieldChanges.filter((c) => c.group === 'base-layers');
  assert.deepEqual(layers.map((c) => [c.path, c.label, c.old, c.new]), [
    ['manifest.layers[1]', 'Old base layer 2', d('b1'), undefined],
    ['manifest.layers[1]', 'New base layer 2', undefined, d('n1')],
  ]);
  assert.ok(m.fieldNotes!.some((n) => n.text === 'Unchanged: the 1 bottom base layer both bases share.'));
  assert.ok(m.fieldNotes!.some((n) => n.text === 'Kept unchanged: 1 app layer and the last 1 history entry.'));
});

test('platform fields that differ are listed on their own', () => {
  const oldBase = image({ ref: 'r.example/base:1', layers: ['b1'], history: [h('ADD b1 /')], osVersion: '1.0' });
  const newBase = image({ ref: 'r.example/base:2', layers: ['n1'], history: [h('ADD n1 /')], osVersion: '2.0' });
  const app = image({ ref: 'r.example/app:1', layers: ['b1', 'a1'], history: [...oldBase.config.history!, h('COPY app /')], osVersion: '1.0' });
  const m = model(planRebase({ source: app, oldBase, newBase, target }));
  assert.deepEqual(m.fieldChanges.filter((c) => c.group === 'platform').map((c) => [c.path, c.label, c.old, c.new]), [['config.os.version', 'os.version', '1.0', '2.0']]);
  assert.ok(!m.fieldChanges.some((c) => c.group === 'config-fields'), 'created and the rest of the config are the app\'s');
});

test('keeping the app config: no container setting is listed; Docker format: no base annotations appear', () => {
  const kept = model(plan({ keepConfig: true }).plan);
  assert.ok(!kept.fieldChanges.some((c) => c.group === 'settings'));
  const docker = model(plan({ mediaType: MediaTypes.dockerManifest }).plan);
  assert.deepEqual([...new Set(docker.fieldChanges.map((c) => c.group))], ['base-layers', 'settings', 'sizes']);
});

test('imageFieldChanges of an image rebased onto its own base: nothing but the notes', () => {
  const { base1, app } = standard();
  const f = imageFieldChanges(planRebase({ source: app, oldBase: base1, newBase: base1, target }));
  // Same base: only our base annotations are new (the source had none).
  assert.deepEqual(f.changes.map((c) => c.group), ['manifest-annotations', 'manifest-annotations']);
  assert.deepEqual(f.notes.map((n) => n.text), ['Unchanged: the 1 bottom base layer both bases share.', 'Kept unchanged: 2 app layers and the last 9 history entries.']);
});

test('isPreviewModel: checks the new fields, and still takes a model saved before they existed', () => {
  const m = model(plan().plan);
  assert.ok(isPreviewModel({ ...m, fieldNotes: undefined, fieldChanges: [{ path: 'config.created', old: 'a', new: 'b' }] }), 'an older model');
  assert.ok(!isPreviewModel({ ...m, fieldNotes: [{ group: 'nope', text: 'x' }] }));
  assert.ok(!isPreviewModel({ ...m, fieldChanges: [{ path: 'x', note: 1 }] }));
  // An older model's changes are grouped by path, as before.
  assert.deepEqual(groupFieldChanges([{ path: 'config.rootfs.diff_ids[0]', old: d('a'), new: d('b') }]).map((g) => [g.key, g.changes[0].label, g.notes]), [['config.rootfs.diff_ids', '[0]', []]]);
});
