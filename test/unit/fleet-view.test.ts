import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FleetItem, FleetModel, FleetState } from '../../src/shared/fleetProtocol';
import { actionsView, layerSummary, parseFleetHostMessage, rowViews, shortRef } from '../../webview/fleet/viewModel';

const dg = (c: string) => `sha256:${c.repeat(64)}`;
const item = (id: string, extra: Partial<FleetItem> = {}): FleetItem => ({
  id: `r:5000/${id}`,
  image: `r:5000/${id}`,
  target: `r:5000/${id}`,
  platform: 'linux/amd64',
  oldBase: `r:5000/base/deb@${dg('a')}`,
  newBase: `r:5000/base/deb:1@${dg('b')}`,
  layers: { removed: 2, added: 2, kept: 3 },
  conflicts: [],
  warnings: [],
  ...extra,
});
const model: FleetModel = {
  targetMode: 'in place',
  items: [item('api:1', { conflicts: ['User'] }), item('web:1', { warnings: ['1 app layer(s) were made by RUN steps'] }), item('legacy:1', { error: 'its base tag is gone' })],
};
const preview: FleetState = { phase: 'preview', excluded: [], rows: [{ id: 'r:5000/legacy:1', phase: 'failed', message: 'its base tag is gone' }] };

test('rows: short bases, layer summary, a check box only for plannable rows', () => {
  const rows = rowViews(model, preview);
  assert.equal(rows[0].name, 'api:1');
  assert.deepEqual([rows[0].oldBase, rows[0].newBase], [`deb@${'a'.repeat(12)}`, `deb:1@${'b'.repeat(12)}`]);
  assert.equal(rows[0].basesTitle, `r:5000/base/deb@${dg('a')} → r:5000/base/deb:1@${dg('b')}`);
  assert.equal(rows[0].layers, '−2 base · +2 base · 3 app kept');
  assert.deepEqual(rows[0].conflicts, ['User']);
  assert.deepEqual(rows[0].checkbox, { checked: true, disabled: false });
  assert.equal(rows[0].status, 'Planned');
  assert.equal(rows[2].checkbox, undefined);
  assert.equal(rows[2].status, 'Cannot rebase: its base tag is gone');
  assert.equal(rows[2].layers, '');
});

test('leaving one out unticks it and counts it out of Push all', () => {
  const state: FleetState = { ...preview, excluded: ['r:5000/web:1'], rows: [...preview.rows, { id: 'r:5000/web:1', phase: 'excluded' }] };
  const rows = rowViews(model, state);
  assert.equal(rows[1].checkbox?.checked, false);
  assert.equal(rows[1].status, 'Left out');
  const a = actionsView(model, state);
  assert.deepEqual(a.push, { label: 'Push all (1 image)', disabled: false, shown: true });
  assert.equal(a.undo.shown, false);
  assert.equal(a.heading, '3 images on an outdated base · target: in place');
  assert.equal(actionsView(model, { ...state, excluded: ['r:5000/web:1', 'r:5000/api:1'] }).push.disabled, true);
});

test('after the push: check boxes locked, digests shown, Undo offered while something was rebased', () => {
  const state: FleetState = {
    phase: 'pushed',
    excluded: [],
    rows: [
      { id: 'r:5000/api:1', phase: 'rebased', digest: dg('c') },
      { id: 'r:5000/web:1', phase: 'failed', message: 'blob unknown' },
      preview.rows[0],
    ],
    summary: '1 rebased, 2 failed',
  };
  const rows = rowViews(model, state);
  assert.deepEqual(rows[0].checkbox, { checked: true, disabled: true });
  assert.equal(rows[0].digest, 'c'.repeat(12));
  assert.equal(rows[1].status, 'Failed: blob unknown');
  // An unplannable row is not a failed push: the same "Cannot rebase" as in the preview.
  assert.equal(rows[2].status, 'Cannot rebase: its base tag is gone');
  assert.ok(!rows.slice(2).some((r) => r.status.startsWith('Failed')));
  const a = actionsView(model, state);
  assert.equal(a.push.shown, false);
  assert.deepEqual(a.undo, { label: 'Undo Rebase', disabled: false, shown: true });
  assert.equal(actionsView(model, { ...state, rows: state.rows.slice(1) }).undo.disabled, true);
  assert.equal(actionsView(model, { ...state, phase: 'undone' }).undo.disabled, true);
});

test('helpers and message parsing', () => {
  assert.equal(shortRef('h:1/a/b/deb:1'), 'deb:1');
  assert.equal(layerSummary({ removed: 0, added: 1, kept: 0 }), '−0 base · +1 base · 0 app kept');
  assert.equal(parseFleetHostMessage({ type: 'model', model, state: preview })?.type, 'model');
  assert.equal(parseFleetHostMessage({ type: 'state', state: { phase: 'bogus', excluded: [], rows: [] } }), undefined);
  assert.equal(parseFleetHostMessage({ type: 'model', model: { targetMode: 'x', items: [{ id: 1 }] }, state: preview }), undefined);
  assert.equal(parseFleetHostMessage('<img src=x>'), undefined);
});
