/**
 * The "Config merge" section of the Rebase Preview: every key whose value is not the same in old
 * base, app and new base, with the four values and the decision; conflicts are marked by word,
 * icon and row style. Text only, through dom.ts, like the rest of the page.
 */
import type { PreviewConfigMerge } from '../src/shared/previewProtocol';
import { el } from './dom';
import { MergeRowView, mergeSectionView } from './configMergeView';
import { hid, tableHead, valueOrAbsent } from './previewParts';

function value(v: string | undefined, className: string): HTMLTableCellElement {
  return el('td', { className }, valueOrAbsent(v));
}

function renderRow(r: MergeRowView): HTMLTableRowElement {
  return el(
    'tr',
    { className: `merge-row ${r.decision}${r.conflict ? ' conflict' : ''}`, testId: 'merge-row', data: { key: r.label, decision: r.decision } },
    el('th', { className: 'merge-key', attrs: { scope: 'row', title: r.label } }, el('code', { text: r.label })),
    value(r.oldBase, 'merge-old-base'),
    value(r.app, 'merge-app'),
    value(r.newBase, 'merge-new-base'),
    value(r.result, `merge-result${r.changesApp ? ' changed' : ''}`),
    el(
      'td',
      { className: 'merge-decision' },
      el('span', { className: 'decision-word', testId: 'merge-decision' }, r.conflict && el('span', { className: 'icon', text: '⚠ ', attrs: { 'aria-hidden': 'true' } }), r.decisionText),
      el('div', { className: 'note', testId: 'merge-reason', text: r.reason }),
    ),
  );
}

/** `scope` keeps heading ids unique when an index preview shows several images. */
export function renderConfigMerge(merge: PreviewConfigMerge | undefined, scope = '', level: 'h2' | 'h3' = 'h2'): HTMLElement | undefined {
  if (!merge) return undefined;
  const v = mergeSectionView(merge);
  const id = hid('merge-heading', scope);
  const heading = el(
    level,
    { attrs: { id } },
    v.mode === 'keep' ? 'Config kept' : 'Config merge',
    el('span', { className: 'count', testId: 'merge-counts', text: ` (${v.counts})` }),
  );
  const intro =
    v.mode === 'merge' &&
    el('p', { className: 'muted', text: 'What the app inherited from the old base now comes from the new base; what the app set is kept. Keys that are the same in all three are not listed.' });
  const body = v.empty
    ? el('p', { className: 'muted', testId: 'merge-empty', text: v.empty })
    : el(
        'table',
        { className: 'merge-table', testId: 'merge-table' },
        el('caption', { className: 'visually-hidden', text: 'Container settings: old base, app, new base, and the result of the merge' }),
        tableHead([
          ['merge-key', 'Key'],
          ['merge-old-base', 'Old base'],
          ['merge-app', 'App'],
          ['merge-new-base', 'New base'],
          ['merge-result', 'Result'],
          ['merge-decision', 'Decision'],
        ]),
        el('tbody', {}, ...v.rows.map(renderRow)),
      );
  return el(
    'section',
    { className: `config-merge${v.conflicts ? ' has-conflicts' : ''}`, testId: 'config-merge', data: { mode: v.mode, conflicts: String(v.conflicts) }, attrs: { 'aria-labelledby': id } },
    heading,
    intro,
    body,
  );
}
