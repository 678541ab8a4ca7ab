import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreviewLayerRow, PreviewModel } from '../../src/shared/previewProtocol';
import {
  alignRows,
  formatBytes,
  groupFieldChanges,
  indexSummaryView,
  isPreviewModel,
  oneLine,
  parseHostMessage,
  platformSections,
  shortDigest,
  statusView,
  totalsView,
} from '../../webview/viewModel';

const dg = (c: string) => `sha256:${c.repeat(64)}`;
const row = (change: PreviewLayerRow['change'], c: string, oldIndex?: number, newIndex?: number, extra: Partial<PreviewLayerRow> = {}): PreviewLayerRow => ({
  change,
  oldIndex,
  newIndex,
  digest: dg(c),
  size: 1000,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  foreign: false,
  ...extra,
});

// old: [a b | x y]  (a, b = old base; x, y = app)   new: [c d e | x y]
const rows: PreviewLayerRow[] = [
  row('removed', 'a', 1),
  row('removed', 'b', 2),
  row('added', 'c', undefined, 1),
  row('added', 'd', undefined, 2),
  row('added', 'e', undefined, 3),
  row('kept', '1', 3, 4, { createdBy: 'RUN make\n  install' }),
  row('kept', '2', 4, 5),
];

test('alignRows: removed rows are left only, added rows right only, kept rows on both sides of one row', () => {
  const out = alignRows(rows);
  assert.deepEqual(
    out.map((r) => r.change),
    ['removed', 'removed', 'added', 'added', 'added', 'kept', 'kept'],
  );
  for (const r of out.filter((r) => r.change === 'removed')) {
    assert.ok(r.left);
    assert.equal(r.right, undefined);
  }
  for (const r of out.filter((r) => r.change === 'added')) {
    assert.equal(r.left, undefined);
    assert.ok(r.right);
  }
  const kept = out.filter((r) => r.change === 'kept');
  assert.deepEqual(
    kept.map((r) => [r.left?.index, r.right?.index, r.left?.digest === r.right?.digest]),
    [
      [3, 4, true],
      [4, 5, true],
    ],
  );
  assert.equal(kept[0].left?.createdBy, 'RUN make install');
  assert.deepEqual(
    out.filter((r) => r.change !== 'kept').map((r) => (r.left ?? r.right)?.index),
    [1, 2, 1, 2, 3],
  );
});

test('alignRows: follows the indexes, not the input order, and places every row once', () => {
  const shuffled = [rows[6], rows[2], rows[5], rows[0], rows[4], rows[1], rows[3]];
  assert.deepEqual(alignRows(shuffled), alignRows(rows));
  const interleaved = alignRows([row('removed', 'a', 1), row('kept', '1', 2, 2), row('added', 'c', undefined, 1), row('removed', 'b', 3), row('added', 'd', undefined, 3), row('kept', '2', 4, 4)]);
  assert.deepEqual(
    interleaved.map((r) => `${r.change}:${r.left?.index ?? '-'}/${r.right?.index ?? '-'}`),
    ['removed:1/-', 'added:-/1', 'kept:2/2', 'removed:3/-', 'added:-/3', 'kept:4/4'],
  );
  // Kept layers in another order on the new side (should not happen) still appear exactly once.
  const odd = alignRows([row('kept', '1', 1, 2), row('kept', '2', 2, 1)]);
  assert.equal(odd.length, 2);
  assert.ok(odd.every((r) => r.change === 'kept' && r.left && r.right));
  assert.deepEqual(alignRows([]), []);
});

test('alignRows: cells carry short digest, human size and the foreign mark', () => {
  const [r] = alignRows([row('added', 'f', undefined, 1, { size: 1_500_000, foreign: true })]);
  assert.equal(r.right?.shortDigest, 'ffffffffffff');
  assert.equal(r.right?.sizeText, '1.5 MB');
  assert.equal(r.right?.foreign, true);
  assert.equal(r.right?.createdBy, '');
});

test('formatBytes, shortDigest, oneLine', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.0 KB');
  assert.equal(formatBytes(12_345), '12 KB');
  assert.equal(formatBytes(3_400_000), '3.4 MB');
  assert.equal(formatBytes(2_000_000_000), '2.0 GB');
  assert.equal(formatBytes(undefined), '');
  assert.equal(formatBytes(Number.NaN), '');
  assert.equal(shortDigest('sha256:0123456789abcdef0123'), '0123456789ab');
  assert.equal(shortDigest('0123456789abcdef'), '0123456789ab');
  assert.equal(shortDigest(undefined), '');
  assert.equal(oneLine(' /bin/sh -c\t#(nop)\n CMD ["sh"] '), '/bin/sh -c #(nop) CMD ["sh"]');
});

test('groupFieldChanges: one group per collection and one for the plain fields, in first-seen order', () => {
  const groups = groupFieldChanges([
    { path: 'config.rootfs.diff_ids[0]', old: dg('a'), new: dg('c') },
    { path: 'config.history[0]', old: 'ADD old.tar /', new: 'ADD new.tar /' },
    { path: 'config.rootfs.diff_ids[1]', old: dg('b'), new: dg('d') },
    { path: 'config.rootfs.diff_ids[2]', new: dg('e') },
    { path: 'config.os.version', old: '10.0.17763', new: '10.0.20348' },
    { path: 'manifest.annotations[org.opencontainers.image.base.name]', old: 'old:1', new: 'new:2' },
    { path: 'manifest.annotations[org.opencontainers.image.base.digest]', old: dg('9') },
    { path: 'config.created', old: '2024-01-01T00:00:00Z', new: '2025-01-01T00:00:00Z' },
    { path: 'manifest.config.digest', old: dg('1'), new: dg('2') },
  ]);
  assert.deepEqual(
    groups.map((g) => [g.key, g.changes.map((c) => c.label)]),
    [
      ['config.rootfs.diff_ids', ['[0]', '[1]', '[2]']],
      ['config.history', ['[0]']],
      ['config', ['os.version', 'created']],
      ['manifest.annotations', ['[org.opencontainers.image.base.name]', '[org.opencontainers.image.base.digest]']],
      ['manifest', ['config.digest']],
    ],
  );
  assert.deepEqual(
    groups[0].changes.map((c) => c.kind),
    ['changed', 'changed', 'added'],
  );
  assert.equal(groups[3].changes[1].kind, 'removed');
  assert.equal(groups[0].changes[0].path, 'config.rootfs.diff_ids[0]');
  assert.equal(groups[2].title, 'Config fields');
  assert.deepEqual(groupFieldChanges([]), []);
});

test('totalsView: before → after, counts, and bytes to move', () => {
  const t = totalsView({ oldLayers: 4, newLayers: 5, removed: 2, added: 3, kept: 2, bytesToMove: 0 });
  assert.equal(t.layers, '4 layers → 5 layers');
  assert.equal(t.counts, '2 removed · 3 added · 2 kept');
  assert.equal(t.bytes, '0 bytes: every layer is mounted or already there');
  const one = totalsView({ oldLayers: 1, newLayers: 1, removed: 0, added: 0, kept: 1, bytesToMove: 2_500_000 });
  assert.equal(one.layers, '1 layer → 1 layer');
  assert.match(one.bytes, /^2\.5 MB \(2500000 bytes\)/);
});

test('statusView: the buttons follow the push phase', () => {
  assert.deepEqual(
    (['idle', 'pushing', 'done', 'failed', 'cancelled'] as const).map((phase) => statusView({ phase }, true).pushDisabled),
    [false, true, true, false, false],
  );
  assert.equal(statusView(undefined, false).pushDisabled, true, 'no model, nothing to push');
  assert.equal(statusView({ phase: 'pushing', message: 'Copying 2 of 5 layers…' }, true).text, 'Copying 2 of 5 layers…');
  const done = statusView({ phase: 'done', message: 'Pushed app:rebased.', digest: dg('e') }, true);
  assert.equal(done.digest, dg('e'));
  assert.equal(done.cancelLabel, 'Close');
  assert.equal(statusView({ phase: 'done', message: `Pushed as ${dg('e')}.`, digest: dg('e') }, true).digest, undefined);
  assert.equal(statusView({ phase: 'failed', message: 'Sign in to ghcr.io.' }, true).text, 'Sign in to ghcr.io.');
  assert.equal(statusView({ phase: 'cancelled' }, true).text, 'The push was cancelled.');
  assert.equal(statusView({ phase: 'idle' }, true, true).pushDisabled, true, 'clicked: disabled until the host answers');
  assert.equal(statusView({ phase: 'failed' }, true, true).pushDisabled, true, 'retry clicked');
});

const model: PreviewModel = {
  source: { reference: 'r/app:1', digest: dg('1') },
  target: { reference: 'r/app:1-new' },
  oldBase: { reference: 'r/base:old', digest: dg('2'), foundBy: 'annotation', note: 'found' },
  newBase: { reference: 'r/base:new', digest: dg('3') },
  platform: 'linux/amd64',
  newManifestDigest: dg('4'),
  rows,
  fieldChanges: [{ path: 'config.created', old: 'a', new: 'b' }],
  totals: { oldLayers: 4, newLayers: 5, removed: 2, added: 3, kept: 2, bytesToMove: 0 },
  warnings: ['<img src=x onerror=alert(1)>'],
};

test('parseHostMessage: accepts the protocol, ignores anything else', () => {
  assert.deepEqual(parseHostMessage({ type: 'model', model, status: { phase: 'idle' } }), { type: 'model', model, status: { phase: 'idle' } });
  assert.deepEqual(parseHostMessage({ type: 'status', status: { phase: 'done', digest: dg('4') } }), { type: 'status', status: { phase: 'done', digest: dg('4') } });
  assert.equal(parseHostMessage({ type: 'status', status: { phase: 'exploded' } }), undefined);
  assert.equal(parseHostMessage({ type: 'model', model: { ...model, rows: 'nope' }, status: { phase: 'idle' } }), undefined);
  assert.equal(parseHostMessage('model'), undefined);
  assert.equal(parseHostMessage(null), undefined);
  assert.equal(isPreviewModel(model), true);
  assert.equal(isPreviewModel({ ...model, warnings: [1] }), false);
});

// An index of two images (both rebased), an attestation of the first (dropped) and an artifact (kept).
const child = (platform: string, c: string): PreviewModel => ({
  ...model,
  source: { reference: 'r/app:1', digest: dg(c) },
  target: { reference: `r/app@${dg('9')}` },
  oldBase: { reference: 'r/base:1', digest: dg('2'), foundBy: 'search', note: `Old base detected as r/base:1 (${platform}).` },
  platform,
  warnings: [],
});
const indexModel: PreviewModel = {
  ...model,
  platform: 'linux/amd64, linux/arm64/v8',
  rows: [],
  fieldChanges: [{ path: 'index.manifests[0].digest', old: dg('a'), new: dg('b') }],
  index: {
    digest: dg('1'),
    newDigest: dg('5'),
    mediaType: 'application/vnd.oci.image.index.v1+json',
    entries: [
      { platform: 'linux/amd64', kind: 'image', action: 'rebased', reason: 'rebased onto r/base:2', digest: dg('a'), newDigest: dg('b'), model: child('linux/amd64', 'a') },
      { platform: 'linux/arm64/v8', kind: 'image', action: 'rebased', reason: 'rebased onto r/base:2', digest: dg('c'), newDigest: dg('d'), model: child('linux/arm64/v8', 'c') },
      { kind: 'attestation', action: 'dropped', reason: 'dropped: it describes\nthe source image', digest: dg('e') },
      { kind: 'artifact', action: 'kept', reason: 'kept unchanged: it is not an image', digest: dg('f'), newDigest: dg('f') },
    ],
  },
};

test('indexSummaryView: one row per entry in index order, labelled by platform or kind, with counts', () => {
  const v = indexSummaryView(indexModel.index!);
  assert.equal(v.counts, '2 rebased · 1 kept · 1 dropped');
  assert.deepEqual(
    v.entries.map((e) => [e.label, e.action, e.actionText]),
    [
      ['linux/amd64', 'rebased', 'Rebased'],
      ['linux/arm64/v8', 'rebased', 'Rebased'],
      ['attestation', 'dropped', 'Dropped'],
      ['artifact', 'kept', 'Kept'],
    ],
  );
  assert.equal(v.entries[0].shortDigest, 'aaaaaaaaaaaa');
  assert.equal(v.entries[0].newShortDigest, 'bbbbbbbbbbbb');
  assert.equal(v.entries[0].oldBaseNote, 'Old base detected as r/base:1 (linux/amd64).');
  assert.equal(v.entries[2].reason, 'dropped: it describes the source image', 'one line');
  assert.equal(v.entries[2].newDigest, undefined);
  assert.equal(v.entries[2].oldBaseNote, undefined);
  assert.equal(indexSummaryView({ ...indexModel.index!, entries: [] }).counts, 'no entries');
});

test('platformSections: one per rebased image, the first open; none for one image', () => {
  const sections = platformSections(indexModel);
  assert.deepEqual(
    sections.map((x) => [x.platform, x.open, x.model.source.digest]),
    [
      ['linux/amd64', true, dg('a')],
      ['linux/arm64/v8', false, dg('c')],
    ],
  );
  assert.equal(sections[1].summary, 'linux/arm64/v8: 2 removed · 3 added · 2 kept');
  assert.deepEqual(platformSections(model), []);
});

test('isPreviewModel: an index model is checked down to its entries; single-image models need no index', () => {
  assert.equal(isPreviewModel(indexModel), true);
  assert.deepEqual(parseHostMessage({ type: 'model', model: indexModel, status: { phase: 'idle' } }), { type: 'model', model: indexModel, status: { phase: 'idle' } });
  const entries = indexModel.index!.entries;
  const withEntries = (e: unknown[]) => ({ ...indexModel, index: { ...indexModel.index, entries: e } });
  assert.equal(isPreviewModel(withEntries([...entries, { kind: 'image', action: 'exploded', reason: '', digest: dg('0') }])), false);
  assert.equal(isPreviewModel(withEntries([{ ...entries[0], model: { ...entries[0].model, rows: 'nope' } }])), false);
  assert.equal(isPreviewModel(withEntries([{ ...entries[0], model: indexModel }])), false, 'no index inside an index');
  assert.equal(isPreviewModel({ ...indexModel, index: { ...indexModel.index, newDigest: 5 } }), false);
  assert.equal(isPreviewModel({ ...indexModel, index: null }), false);
});

test('webview sources never hand strings to an HTML parser or set inline handlers/styles', () => {
  const dir = join(import.meta.dirname, '../../webview');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|js|mjs)$/.test(f));
  assert.ok(files.includes('main.ts') && files.includes('render.ts'), 'the webview sources are where this test expects them');
  const forbidden: [RegExp, string][] = [
    [/innerHTML/, 'innerHTML'],
    [/outerHTML/, 'outerHTML'],
    [/insertAdjacentHTML/, 'insertAdjacentHTML'],
    [/document\s*\.\s*write/, 'document.write'],
    [/createContextualFragment|DOMParser|parseFromString|setHTMLUnsafe/, 'HTML parsing'],
    [/\beval\s*\(|new\s+Function\s*\(/, 'eval'],
    [/\.on[a-z]+\s*=(?!=)/, 'inline event handler property'],
    [/setAttribute\(\s*['"`]on/i, 'event handler attribute'],
    [/setAttribute\(\s*['"`]style/i, 'style attribute'],
    [/\.style\s*\.\s*cssText|\.style\s*=(?!=)/, 'inline style'],
  ];
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const [re, what] of forbidden) assert.doesNotMatch(src, re, `${f} uses ${what}`);
  }
});
