// How the merge decisions reach the user: the plan JSON, the CLI lines, the preview model and the
// webview's view model. The merge itself is tested in config-merge.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest';
import { ImageConfig, ImageManifest } from '../../src/core/manifest';
import { MediaTypes } from '../../src/core/mediaTypes';
import { ImageDocuments, planRebase } from '../../src/core/rebase/plan';
import { planToJson } from '../../src/core/rebase/planJson';
import { previewModel } from '../../src/core/rebase/preview';
import { PreparedRebase } from '../../src/core/rebase/rebase';
import { configLines, configSummary, printConfigNotes } from '../../src/cli/configOutput';
import { gate } from '../../src/cli/terminal';
import type { PreviewConfigMerge } from '../../src/shared/previewProtocol';
import { isPreviewConfigMerge, mergeSectionView } from '../../webview/configMergeView';
import { isPreviewModel } from '../../webview/viewModel';

function image(ref: string, layers: string[], settings: ImageConfig['config']): ImageDocuments {
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: settings,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Digest(`diff:${l}`)) },
    history: layers.map((l) => ({ created_by: `ADD ${l}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: MediaTypes.ociLayerGzip, digest: sha256Digest(`layer:${l}`), size: 1000 })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const [registry, ...rest] = ref.split('/');
  return { reference: ref, repo: { registry, repository: rest.join('/').split(':')[0] }, manifest: { mediaType: MediaTypes.ociManifest, digest: sha256Digest(bytes), bytes, manifest }, config };
}

function prepared(keepConfig = false): PreparedRebase {
  const oldBase = image('r.example/base:1', ['b1'], { Env: ['PATH=/usr/bin', 'V=1'], ExposedPorts: { '80/tcp': {} }, Cmd: ['sh'], User: 'root' });
  const newBase = image('r.example/base:2', ['n1'], { Env: ['PATH=/opt/bin:/usr/bin', 'V=2'], Cmd: ['bash'], User: 'root' });
  const source = image('r.example/app:1', ['b1', 'a1'], { Env: ['PATH=/app/bin:/usr/bin', 'V=mine'], ExposedPorts: { '80/tcp': {} }, Cmd: ['sh'], User: 'root' });
  const target = { reference: 'r.example/app:2', repo: { registry: 'r.example', repository: 'app' }, tag: '2' };
  return { kind: 'image', plan: planRebase({ source, oldBase, newBase, target, keepConfig }), oldBase: { foundBy: 'argument', note: 'as given' } };
}

test('--json lists every merged key with its four values, absent as null', () => {
  const json = planToJson(prepared()) as { configMerge: { mode: string; conflicts: number; decisions: Array<Record<string, unknown>> } };
  assert.equal(json.configMerge.mode, 'merge');
  assert.equal(json.configMerge.conflicts, 1);
  assert.deepEqual(
    json.configMerge.decisions.map((d) => [d.field, d.key, d.decision, d.oldBase, d.app, d.newBase, d.result]),
    [
      ['Env', 'PATH', 'path-segment-replaced', '/usr/bin', '/app/bin:/usr/bin', '/opt/bin:/usr/bin', '/app/bin:/opt/bin:/usr/bin'],
      ['Env', 'V', 'conflict', '1', 'mine', '2', 'mine'],
      ['ExposedPorts', '80/tcp', 'removed', {}, {}, null, null],
      ['User', 'User', 'unchanged', 'root', 'root', 'root', 'root'],
      ['Cmd', 'Cmd', 'new-base', ['sh'], ['sh'], ['bash'], ['bash']],
    ],
  );
  assert.ok(json.configMerge.decisions.every((d) => typeof d.reason === 'string' && d.kind !== undefined));
  const kept = planToJson(prepared(true)) as { configMerge: unknown };
  assert.deepEqual(kept.configMerge, { mode: 'keep', conflicts: 0, decisions: [] });
});

test('the CLI summarises the merge, says what a segment replacement did, and lists every key in a dry run', () => {
  const merge = prepared().plan.configMerge;
  assert.equal(
    configSummary(merge),
    "Config merged (old base -> app, onto the new base): 1 from the new base, 1 removed with the old base, 1 with old base segments replaced, 1 conflicting (the app's kept), 1 the same in all three.",
  );
  const err: string[] = [];
  printConfigNotes(gate({ out: () => undefined, err: (s) => err.push(s) }), merge);
  assert.equal(err.length, 2);
  assert.equal(err[1], `Config Env PATH: the old base's "/usr/bin" inside the app's "/app/bin:/usr/bin" was replaced by the new base's "/opt/bin:/usr/bin", giving "/app/bin:/opt/bin:/usr/bin".`);
  const lines = configLines(merge);
  assert.equal(lines[0], 'Config (5 keys; old base | app | new base -> result):');
  assert.equal(lines[2], '  conflict              Env V: "1" | "mine" | "2" -> "mine"');
  assert.equal(lines[3], '  removed               ExposedPorts 80/tcp: {} | {} | (absent) -> (absent)');
  assert.deepEqual(configLines(prepared(true).plan.configMerge), ["Config kept as the app's (--keep-config)."]);
  assert.match(configSummary(prepared(true).plan.configMerge), /--keep-config/);
});

test('the preview model carries the decisions as text, and the webview lists the changed ones', () => {
  const model = previewModel(prepared());
  assert.ok(isPreviewModel(model));
  const merge = model.configMerge!;
  assert.deepEqual(merge.decisions[2], {
    label: 'ExposedPorts 80/tcp',
    kind: 'port',
    decision: 'removed',
    oldBase: 'present',
    app: 'present',
    reason: merge.decisions[2].reason,
  });
  assert.deepEqual(merge.decisions[4].newBase, '["bash"]');
  const v = mergeSectionView(merge);
  assert.deepEqual(
    v.rows.map((r) => [r.label, r.decisionText, r.conflict, r.changesApp]),
    [
      ['Env PATH', 'Old base segments replaced', false, true],
      ['Env V', "Conflict: app's kept", true, false],
      ['ExposedPorts 80/tcp', 'Removed with the old base', false, true],
      ['Cmd', 'From the new base', false, true],
    ],
  );
  assert.equal(v.counts, "3 changes to the app's config · 1 conflict · 1 unchanged");
  assert.equal(v.conflicts, 1);
  assert.equal(v.empty, undefined);
  const kept = mergeSectionView(previewModel(prepared(true)).configMerge!);
  assert.equal(kept.mode, 'keep');
  assert.deepEqual(kept.rows, []);
  assert.match(kept.empty!, /kept exactly as they are/);
  assert.match(mergeSectionView({ mode: 'merge', decisions: [] }).empty!, /Neither the app nor its bases/);
  assert.match(mergeSectionView({ mode: 'merge', decisions: [merge.decisions[3]] }).empty!, /the same in the old base, the app and the new base/);
});

test('a malformed merge section makes the model invalid; an absent one is fine', () => {
  const model = previewModel(prepared());
  const bad = (configMerge: unknown) => isPreviewModel({ ...model, configMerge });
  assert.equal(bad({ mode: 'rewrite', decisions: [] }), false);
  assert.equal(bad({ mode: 'merge', decisions: [{ ...model.configMerge!.decisions[0], decision: 'explode' }] }), false);
  assert.equal(bad({ mode: 'merge', decisions: [{ ...model.configMerge!.decisions[0], app: 5 }] }), false);
  assert.equal(bad({ mode: 'merge' }), false);
  assert.equal(bad(undefined), true);
  const ok: PreviewConfigMerge = { mode: 'keep', decisions: [] };
  assert.equal(isPreviewConfigMerge(ok), true);
});
