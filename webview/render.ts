/**
 * DOM for the Rebase Preview. Everything from the model is set as textContent (see dom.ts); the
 * structure comes from the pure functions in viewModel.ts. Stable data-testid hooks are for UI tests.
 */
import type { PackagesState, PreviewModel, PushStatus } from '../src/shared/previewProtocol';
import { renderConfigMerge } from './configMergeSection';
import { digestRef } from './digestRef';
import { renderFieldChanges } from './fieldsSection';
import { PackagesHandlers, createPackagesSection } from './packagesSection';
import { append, clear, el } from './dom';
import { ActionButton, createButton, createTag } from './toolkit';
import { AlignedRow, LayerCell, PlatformSection, alignRows, indexSummaryView, platformSections, statusView, totalsView } from './viewModel';

export interface PreviewHandlers extends PackagesHandlers {
  push(): void;
  openRawDiff(): void;
  cancel(): void;
}

export interface PreviewView {
  updateStatus(status: PushStatus | undefined): void;
  updatePackages(state: PackagesState | undefined): void;
}

const MARK: Record<AlignedRow['change'], { glyph: string; word: string }> = {
  removed: { glyph: '−', word: 'removed' },
  added: { glyph: '+', word: 'added' },
  kept: { glyph: '=', word: 'kept' },
};

const code = (text: string, title?: string) => el('code', { text, attrs: { title } });

function fact(label: string, testId: string, ...value: (Node | string | undefined | false)[]): HTMLElement[] {
  return [el('dt', { text: label }), el('dd', { testId }, ...value)];
}

/** The old base (with how it was found) and the new base, as header facts. */
function baseFacts(m: PreviewModel) {
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
function targetNote(m: PreviewModel): HTMLElement {
  return m.target.existingDigest
    ? el('span', { className: 'muted' }, ' (replaces ', digestRef(m.target.existingDigest), ')')
    : el('span', { className: 'muted', text: ' (new tag)' });
}

function renderHeader(m: PreviewModel): HTMLElement {
  const title = el('h1', { testId: 'preview-title' }, 'Rebase ', code(m.source.reference), ' onto ', code(m.newBase.reference));
  const existing = targetNote(m);
  const facts = el(
    'dl',
    { className: 'facts' },
    ...fact('Target', 'target', code(m.target.reference), existing),
    ...fact('Platform', 'platform', m.platform),
    ...fact('New manifest digest', 'new-manifest-digest', code(m.newManifestDigest)),
    ...fact('Source', 'source', code(m.source.reference), ' ', digestRef(m.source.digest)),
    ...baseFacts(m),
  );
  return el('header', { className: 'header' }, title, facts);
}

function renderWarnings(warnings: readonly string[]): HTMLElement | undefined {
  if (warnings.length === 0) return undefined;
  return el(
    'section',
    { className: 'callout warning', testId: 'warnings', attrs: { 'aria-labelledby': 'warnings-heading' } },
    el('h2', { attrs: { id: 'warnings-heading' } }, el('span', { className: 'icon', text: '⚠', attrs: { 'aria-hidden': 'true' } }), ` Warnings (${warnings.length})`),
    el('ul', {}, ...warnings.map((w) => el('li', { testId: 'warning', text: w }))),
  );
}

/** Headings get ids for aria-labelledby; `scope` keeps them unique when one page shows several images. */
const hid = (name: string, scope: string) => (scope ? `${name}-${scope}` : name);

function renderTotals(m: PreviewModel, scope = '', title = 'Summary', level: 'h2' | 'h3' = 'h2'): HTMLElement {
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

function renderLayers(m: PreviewModel, scope = '', level: 'h2' | 'h3' = 'h2'): HTMLElement {
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

// ---- a whole index: summary of its entries, then one section per rebased platform ----------------

function renderIndexHeader(m: PreviewModel): HTMLElement {
  const index = m.index!;
  const rebased = platformSections(m).length;
  const images = index.entries.filter((e) => e.kind === 'image').length;
  const plural = images === 1 ? '' : 's';
  const count = rebased === images ? `${images} platform${plural}` : `${rebased} of ${images} platform${plural}`;
  const title = el('h1', { testId: 'preview-title' }, 'Rebase ', code(m.source.reference), ' onto ', code(m.newBase.reference), el('span', { className: 'muted', text: ` (${count})` }));
  const existing = targetNote(m);
  const facts = el(
    'dl',
    { className: 'facts' },
    ...fact('Target', 'target', code(m.target.reference), existing),
    ...fact('Platforms', 'platform', m.platform),
    ...fact('New index digest', 'new-manifest-digest', code(index.newDigest)),
    ...fact('Source', 'source', code(m.source.reference), ' ', digestRef(index.digest), el('span', { className: 'muted', text: ` ${index.mediaType}` })),
    ...fact('Old bases', 'old-base', el('span', { className: 'muted', text: 'found for each platform, see below' })),
    ...fact('New base', 'new-base', code(m.newBase.reference), ' ', digestRef(m.newBase.digest)),
  );
  return el('header', { className: 'header' }, title, facts);
}

function renderIndexEntries(m: PreviewModel): HTMLElement {
  const v = indexSummaryView(m.index!);
  const rows = v.entries.map((e) =>
    el(
      'tr',
      { className: `index-entry ${e.action}`, testId: 'index-entry', data: { platform: e.platform, kind: e.kind, action: e.action, digest: e.digest } },
      el('th', { className: 'entry-label', attrs: { scope: 'row' } }, e.platform ? code(e.platform) : el('span', { text: e.kind })),
      el('td', { className: 'entry-action' }, el('span', { className: `action ${e.action}`, text: e.actionText })),
      el(
        'td',
        { className: 'entry-reason' },
        el('div', { testId: 'index-entry-reason', text: e.reason }),
        e.oldBaseNote && el('div', { className: 'note', testId: 'index-entry-old-base', text: e.oldBaseNote }),
      ),
      el(
        'td',
        { className: 'entry-digest' },
        digestRef(e.digest),
        e.newDigest && e.newDigest !== e.digest && el('span', {}, ' → ', digestRef(e.newDigest)),
      ),
    ),
  );
  return el(
    'section',
    { className: 'index-summary', testId: 'index-summary', attrs: { 'aria-labelledby': 'index-heading' } },
    el('h2', { attrs: { id: 'index-heading' } }, 'Index entries', el('span', { className: 'count', testId: 'index-counts', text: ` (${v.counts})` })),
    el(
      'table',
      { className: 'index-table', testId: 'index-table' },
      el('caption', { className: 'visually-hidden', text: 'Every entry of the source index and what happens to it' }),
      tableHead([
        ['col-entry', 'Entry'],
        ['col-action', 'Action'],
        ['col-reason', 'Why'],
        ['col-digest', 'Digest (source → new)'],
      ]),
      el('tbody', {}, ...rows),
    ),
  );
}

function renderPlatformSection(s: PlatformSection, i: number): HTMLElement {
  const m = s.model;
  const scope = `p${i}`;
  const facts = el(
    'dl',
    { className: 'facts' },
    ...fact('Platform', 'platform', m.platform),
    ...fact('New manifest digest', 'new-manifest-digest', code(m.newManifestDigest)),
    ...fact('Source image', 'source', digestRef(m.source.digest)),
    ...baseFacts(m),
  );
  return el(
    'details',
    { className: 'platform-section', testId: 'platform-section', data: { platform: s.platform }, attrs: { open: s.open ? '' : undefined } },
    el('summary', { className: 'platform-summary' }, el('span', { className: 'platform-name' }, code(s.platform)), el('span', { className: 'muted', text: ` ${totalsView(m.totals).counts}` })),
    el(
      'div',
      { className: 'platform-body' },
      facts,
      renderTotals(m, scope, 'Summary', 'h3'),
      renderLayers(m, scope, 'h3'),
      renderConfigMerge(m.configMerge, scope, 'h3'),
      renderFieldChanges(m, scope, 'Config and manifest changes', 'h3'),
    ),
  );
}

function renderPlatforms(m: PreviewModel): HTMLElement {
  const sections = platformSections(m);
  return el(
    'section',
    { className: 'platforms', testId: 'platforms', attrs: { 'aria-labelledby': 'platforms-heading' } },
    el('h2', { text: `Rebased images (${sections.length})`, attrs: { id: 'platforms-heading' } }),
    ...sections.map((s, i) => renderPlatformSection(s, i)),
  );
}

function renderActions(handlers: PreviewHandlers, hasModel: boolean): { node: HTMLElement; view: PreviewView } {
  let pushRequested = false;
  let last: PushStatus | undefined;
  const status = el('div', { className: 'status', testId: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const push = createButton({
    label: 'Push',
    appearance: 'primary',
    testId: 'push-button',
    onClick: () => {
      pushRequested = true;
      apply(last);
      handlers.push();
    },
  });
  const rawDiff = createButton({ label: 'Open Raw Diff', appearance: 'secondary', testId: 'raw-diff-button', onClick: () => handlers.openRawDiff() });
  const cancel = createButton({ label: 'Cancel', appearance: 'secondary', testId: 'cancel-button', onClick: () => handlers.cancel() });
  rawDiff.setDisabled(!hasModel);

  let shown = '';
  function apply(s: PushStatus | undefined): void {
    const v = statusView(s, hasModel, pushRequested);
    const hadFocus = document.activeElement === push.element;
    push.setLabel(v.pushLabel);
    push.setDisabled(v.pushDisabled);
    cancel.setLabel(v.cancelLabel);
    // A disabled button drops focus to the page; keep keyboard users on the actions.
    if (hadFocus && v.pushDisabled) cancel.focus();
    status.dataset.phase = v.phase;
    status.setAttribute('aria-busy', String(v.busy));
    const key = `${v.phase}\n${v.text}\n${v.digest ?? ''}`;
    if (key !== shown) {
      // Only touch the live region when its text changes, so nothing is announced twice.
      shown = key;
      clear(status);
      append(status, v.text && el('span', { className: 'status-text', text: v.text }), v.digest && ' ', v.digest && el('code', { className: 'status-digest', testId: 'status-digest', text: v.digest }));
    }
  }

  const node = el('div', { className: 'actions', attrs: { role: 'group', 'aria-label': 'Actions' } }, el('div', { className: 'buttons' }, push.element, rawDiff.element, cancel.element), status);
  const view: PreviewView = {
    updateStatus: (s) => {
      pushRequested = false;
      last = s;
      apply(s);
    },
    updatePackages: () => undefined,
  };
  apply(undefined);
  return { node, view };
}

/** Replaces the contents of `root` with the preview of `model` and returns a handle for status updates. */
export function renderPreview(root: HTMLElement, model: PreviewModel, status: PushStatus | undefined, handlers: PreviewHandlers, packages?: PackagesState): PreviewView {
  clear(root);
  const actions = renderActions(handlers, true);
  const packageSection = createPackagesSection(handlers);
  const main = model.index
    ? el(
        'main',
        { className: 'preview index', testId: 'preview', data: { kind: 'index' } },
        renderIndexHeader(model),
        renderWarnings(model.warnings),
        renderTotals(model, '', 'Summary (all rebased images)'),
        packageSection.element,
        renderIndexEntries(model),
        renderPlatforms(model),
        renderFieldChanges(model, '', 'Index changes'),
      )
    : el(
        'main',
        { className: 'preview', testId: 'preview' },
        renderHeader(model),
        renderWarnings(model.warnings),
        renderTotals(model),
        packageSection.element,
        renderLayers(model),
        renderConfigMerge(model.configMerge),
        renderFieldChanges(model),
      );
  // The actions and status come first and stay at the top (sticky): a toast cannot cover them there.
  append(root, actions.node, main);
  actions.view.updateStatus(status);
  packageSection.update(packages);
  return { ...actions.view, updatePackages: packageSection.update };
}

/** Before the first model arrives (and nothing was saved): a short note and the Cancel button. */
export function renderLoading(root: HTMLElement, handlers: PreviewHandlers): PreviewView {
  clear(root);
  const actions = renderActions(handlers, false);
  append(root, actions.node, el('main', { className: 'preview loading', testId: 'loading' }, el('h1', { text: 'Rebase preview' }), el('p', { className: 'muted', text: 'Loading the preview…' })));
  return actions.view;
}

/** A table's column headings: [class name, text] per column. */
function tableHead(columns: Array<[string, string]>): HTMLElement {
  return el('thead', {}, el('tr', {}, ...columns.map(([className, text]) => el('th', { ...(className ? { className } : {}), text, attrs: { scope: 'col' } }))));
}
