/**
 * The "Config and manifest changes" section of the Rebase Preview: the real changes only, grouped
 * (base layers swapped, platform, container settings, annotations, digests and sizes…), each group
 * with lines saying what it leaves out because it was kept. The heading counts the changes. Digest
 * values are shortened with the whole value reachable by keyboard and screen reader (digestRef).
 */
import type { PreviewModel } from '../src/shared/previewProtocol';
import { el } from './dom';
import { digestRef } from './digestRef';
import { FieldChangeView, FieldGroup, fieldsHeading, groupFieldChanges, isDigest } from './fieldsView';
import { hid, tableHead, valueOrAbsent } from './previewParts';

function value(v: string | undefined, note: string | undefined): HTMLElement[] {
  const shown = valueOrAbsent(v, v !== undefined && isDigest(v) && digestRef(v));
  return v !== undefined && note ? [shown, el('div', { className: 'field-note-line', testId: 'field-change-note', text: note })] : [shown];
}

function renderChange(c: FieldChangeView): HTMLTableRowElement {
  // The note describes the value that is there: the old one of a removed entry, else the new one.
  const noteOld = c.kind === 'removed' ? c.note : undefined;
  const noteNew = c.kind === 'removed' ? undefined : c.note;
  return el(
    'tr',
    { className: `field-change ${c.kind}`, testId: 'field-change', data: { path: c.path, kind: c.kind } },
    el('th', { className: 'field-path', attrs: { scope: 'row', title: c.path } }, el('code', { text: c.label })),
    el('td', { className: 'old' }, ...value(c.old, noteOld)),
    el('td', { className: 'new' }, ...value(c.new, noteNew)),
  );
}

function renderGroup(g: FieldGroup): HTMLElement {
  const count = g.changes.length === 0 ? ' (unchanged)' : ` (${g.changes.length})`;
  return el(
    'tbody',
    { className: 'field-group', testId: 'field-group', data: { group: g.key, count: String(g.changes.length) } },
    el('tr', { className: 'group-row' }, el('th', { attrs: { colspan: '3', scope: 'rowgroup' } }, g.title, el('span', { className: 'count', text: count }))),
    ...g.notes.map((n) => el('tr', { className: 'field-note', testId: 'field-note' }, el('td', { attrs: { colspan: '3' }, text: n }))),
    ...g.changes.map(renderChange),
  );
}

/** `scope` keeps heading ids unique when an index preview shows several images. */
export function renderFieldChanges(m: PreviewModel, scope = '', title = 'Config and manifest changes', level: 'h2' | 'h3' = 'h2'): HTMLElement {
  const groups = groupFieldChanges(m.fieldChanges, m.fieldNotes);
  const id = hid('fields-heading', scope);
  return el(
    'section',
    { className: 'field-changes', testId: 'field-changes', data: { count: String(m.fieldChanges.length) }, attrs: { 'aria-labelledby': id } },
    el(level, { testId: 'field-changes-heading', text: fieldsHeading(title, m.fieldChanges), attrs: { id } }),
    groups.length === 0
      ? el('p', { className: 'muted', text: 'No field changes.' })
      : el(
          'table',
          { className: 'field-table', testId: 'field-table' },
          el('caption', { className: 'visually-hidden', text: 'What changes in the config and the manifest, grouped; what is kept is said in one line per group' }),
          tableHead([
            ['field-path', 'Field'],
            ['old', 'Old value'],
            ['new', 'New value'],
          ]),
          ...groups.map(renderGroup),
        ),
  );
}
