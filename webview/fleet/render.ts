/** The fleet preview's DOM, built with el() (textContent only) from the view model. */
import type { FleetModel, FleetState } from '../../src/shared/fleetProtocol';
import { clear, el } from '../dom';
import { createButton } from '../toolkit';
import { RowView, actionsView, rowViews } from './viewModel';

export interface FleetHandlers {
  setIncluded(id: string, included: boolean): void;
  pushAll(): void;
  undo(): void;
  cancel(): void;
}

function list(items: string[], className: string, testId: string): HTMLElement | undefined {
  if (!items.length) return undefined;
  return el('ul', { className, testId }, ...items.map((t) => el('li', { text: t })));
}

function row(r: RowView, handlers: FleetHandlers): HTMLTableRowElement {
  let box: HTMLElement | undefined;
  if (r.checkbox) {
    const input = el('input', { testId: 'include', attrs: { type: 'checkbox', 'aria-label': `Include ${r.image}` } });
    input.checked = r.checkbox.checked;
    input.disabled = r.checkbox.disabled;
    input.addEventListener('change', () => handlers.setIncluded(r.id, input.checked));
    box = input;
  }
  return el(
    'tr',
    { testId: 'fleet-row', className: `phase-${r.phase}`, data: { id: r.id, phase: r.phase } },
    el('td', { className: 'check' }, box),
    el('td', { attrs: { title: r.image } }, el('div', { className: 'image', text: r.name }), r.target !== r.image ? el('div', { className: 'muted', text: `→ ${r.target.slice(r.target.indexOf('/') + 1)}` }) : undefined, el('div', { className: 'muted', text: r.platform })),
    el('td', { className: 'mono bases', testId: 'bases', attrs: { title: r.basesTitle } }, r.oldBase ? el('div', { text: r.oldBase }) : undefined, r.newBase ? el('div', { text: `→ ${r.newBase}` }) : undefined),
    el('td', { testId: 'layers', className: 'layers', text: r.layers }),
    el('td', {}, list(r.conflicts.map((c) => `Conflict: ${c}`), 'conflicts', 'conflicts'), list(r.warnings, 'warnings', 'warnings'), !r.conflicts.length && !r.warnings.length && r.layers ? el('span', { className: 'muted', text: 'none' }) : undefined),
    el('td', { testId: 'row-status', className: 'status' }, el('div', { text: r.status }), r.digest ? el('div', { className: 'mono muted', testId: 'row-digest', text: r.digest }) : undefined),
  );
}

export function renderFleet(app: HTMLElement, model: FleetModel, state: FleetState, handlers: FleetHandlers): void {
  clear(app);
  const a = actionsView(model, state);
  const buttons: HTMLElement[] = [];
  if (a.push.shown) {
    const b = createButton({ label: a.push.label, appearance: 'primary', testId: 'push-all', onClick: handlers.pushAll });
    b.setDisabled(a.push.disabled);
    buttons.push(b.element);
  }
  if (a.undo.shown) {
    const b = createButton({ label: a.undo.label, appearance: 'primary', testId: 'undo', onClick: handlers.undo });
    b.setDisabled(a.undo.disabled);
    buttons.push(b.element);
  }
  if (a.cancel.shown) buttons.push(createButton({ label: a.cancel.label, appearance: 'secondary', testId: 'cancel', onClick: handlers.cancel }).element);
  const rows = rowViews(model, state);
  app.appendChild(
    el(
      'main',
      { className: 'preview fleet', testId: 'fleet', data: { phase: state.phase } },
      el('h1', { text: 'Rebase Outdated Images' }),
      el('p', { className: 'muted', testId: 'heading', text: a.heading }),
      el('div', { className: 'actions' }, ...buttons),
      state.summary ? el('p', { testId: 'summary', attrs: { role: 'status' }, text: state.summary }) : undefined,
      el(
        'table',
        { className: 'fleet-table', testId: 'fleet-table' },
        el('thead', {}, el('tr', {}, ...['Push', 'Image', 'Base (old → new)', 'Layers', 'Merge conflicts · warnings', 'Status'].map((h) => el('th', { text: h })))),
        el('tbody', {}, ...rows.map((r) => row(r, handlers))),
      ),
    ),
  );
}
