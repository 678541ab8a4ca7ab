/**
 * The layer sections of the Rebase Preview: the totals (layers, changes, bytes to move) and the
 * old and new manifests' layers side by side, aligned row by row (alignRows in viewModel.ts).
 */
import type { PreviewModel } from '../src/shared/previewProtocol';
import { digestRef } from './digestRef';
import { el } from './dom';
import { fact, hid, tableHead } from './previewParts';
import { createTag } from './toolkit';
import { AlignedRow, LayerCell, alignRows, totalsView } from './viewModel';

const MARK: Record<AlignedRow['change'], { glyph: string; word: string }> = {
  removed: { glyph: '−', word: 'removed' },
  added: { glyph: '+', word: 'added' },
  kept: { glyph: '=', word: 'kept' },
};

export function renderTotals(m: PreviewModel, scope = '', title = 'Summary', level: 'h2' | 'h3' = 'h2'): HTMLElement {
  const t = totalsView(m.totals);
  return el(
    'section',
    { className: 'totals', testId: 'totals', attrs: { 'aria-labelledby': hid('totals-heading', scope) } },
    el(level, { text: title, attrs: { id: hid('totals-heading', scope) } }),
    el(
      'dl',
      { className: 'facts' },
      ...fact('Layers', 'totals-layers', t.layers),
      ...fact('Changes', 'totals-counts', t.counts),
      ...fact('Bytes to move', 'bytes-to-move', t.bytes),
    ),
  );
}

function renderCell(c: LayerCell | undefined, row: AlignedRow, side: 'old' | 'new'): HTMLTableCellElement {
  if (!c) {
    return el(
      'td',
      { className: 'layer-cell empty', testId: 'layer-cell', data: { side, empty: 'true' } },
      el('span', { className: 'visually-hidden', text: side === 'old' ? 'not in the old manifest' : 'not in the new manifest' }),
    );
  }
  const mark = MARK[row.change];
  const line = el(
    'div',
    { className: 'layer-line' },
    el('span', { className: 'mark', text: mark.glyph, attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'change-word', text: mark.word }),
    el('span', { className: 'index', text: c.index !== undefined ? `#${c.index}` : '', attrs: { title: c.index !== undefined ? `Layer ${c.index}` : undefined } }),
    el('span', { className: 'digest' }, digestRef(c.digest)),
    el('span', { className: 'size', text: c.sizeText, attrs: { title: `${c.size} bytes` } }),
    c.foreign && createTag('foreign (not copied)', 'foreign'),
  );
  const history = el('div', {
    className: c.createdBy ? 'created-by' : 'created-by none',
    text: c.createdBy || '(no history entry)',
    attrs: { title: c.createdBy || undefined },
  });
  return el('td', { className: 'layer-cell', testId: 'layer-cell', data: { side, digest: c.digest, foreign: String(c.foreign) } }, line, history);
}

export function renderLayers(m: PreviewModel, scope = '', level: 'h2' | 'h3' = 'h2'): HTMLElement {
  const rows = alignRows(m.rows);
  const body = el(
    'tbody',
    {},
    ...rows.map((r) =>
      el(
        'tr',
        {
          className: `layer-row ${r.change}`,
          testId: 'layer-row',
          data: { change: r.change, oldIndex: r.left?.index?.toString(), newIndex: r.right?.index?.toString() },
        },
        renderCell(r.left, r, 'old'),
        renderCell(r.right, r, 'new'),
      ),
    ),
  );
  return el(
    'section',
    { className: 'layers', attrs: { 'aria-labelledby': hid('layers-heading', scope) } },
    el(level, { text: 'Layers', attrs: { id: hid('layers-heading', scope) } }),
    el(
      'table',
      { className: 'layer-table', testId: 'layer-table' },
      el('caption', { className: 'visually-hidden', text: 'Layers of the old manifest and the new manifest, aligned row by row' }),
      tableHead([
        ['', 'Old manifest'],
        ['', 'New manifest'],
      ]),
      body,
    ),
  );
}
