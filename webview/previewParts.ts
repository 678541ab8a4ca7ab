/**
 * Small building blocks the Rebase Preview's sections share: inline code, header facts (a dt/dd
 * pair; the old and new base; what the target replaces), heading ids, table headings and value cells.
 */
import type { PreviewModel } from '../src/shared/previewProtocol';
import { digestRef } from './digestRef';
import { Child, el } from './dom';

export const code = (text: string, title?: string) => el('code', { text, attrs: { title } });

export function fact(label: string, testId: string, ...value: (Node | string | undefined | false)[]): HTMLElement[] {
  return [el('dt', { text: label }), el('dd', { testId }, ...value)];
}

/** The old base (with how it was found) and the new base, as header facts. */
export function baseFacts(m: PreviewModel) {
  return [
    ...fact(
      'Old base',
      'old-base',
      code(m.oldBase.reference),
      ' ',
      digestRef(m.oldBase.digest),
      el('div', { className: 'note', testId: 'old-base-note', data: { foundBy: m.oldBase.foundBy } }, m.oldBase.note),
    ),
    ...fact('New base', 'new-base', code(m.newBase.reference), ' ', digestRef(m.newBase.digest)),
  ];
}

/** After the target: which digest the push replaces, or that the tag is new. */
export function targetNote(m: PreviewModel): HTMLElement {
  return m.target.existingDigest
    ? el('span', { className: 'muted' }, ' (replaces ', digestRef(m.target.existingDigest), ')')
    : el('span', { className: 'muted', text: ' (new tag)' });
}

/** Headings get ids for aria-labelledby; `scope` keeps them unique when one page shows several images. */
export const hid = (name: string, scope: string) => (scope ? `${name}-${scope}` : name);

/** A table's column headings: [class name, text] per column. */
export function tableHead(columns: Array<[string, string]>): HTMLElement {
  return el('thead', {}, el('tr', {}, ...columns.map(([className, text]) => el('th', { ...(className ? { className } : {}), text, attrs: { scope: 'col' } }))));
}

/** A value in a table cell: its text (or `shown`, such as a digestRef), or "(absent)" when there is none. */
export function valueOrAbsent(v: string | undefined, shown?: Child): HTMLElement {
  if (v === undefined) return el('span', { className: 'absent', text: '(absent)' });
  return shown ? el('span', { className: 'value' }, shown) : el('span', { className: 'value', text: v });
}
