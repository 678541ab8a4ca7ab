/**
 * DOM for the Rebase Preview. Everything from the model is set as textContent (see dom.ts); the
 * structure comes from the pure functions in viewModel.ts. Stable data-testid hooks are for UI tests.
 * This file puts the page together; the sections live in their own modules.
 */
import type { PackagesState, PreviewModel, PushStatus } from '../src/shared/previewProtocol';
import { ActionHandlers, renderActions } from './actionBar';
import { digestRef } from './digestRef';
import { renderConfigMerge } from './configMergeSection';
import { renderFieldChanges } from './fieldsSection';
import { renderIndexEntries, renderIndexHeader, renderPlatforms } from './indexSections';
import { renderLayers, renderTotals } from './layersSection';
import { PackagesHandlers, createPackagesSection } from './packagesSection';
import { append, clear, el } from './dom';
import { baseFacts, code, fact, targetNote } from './previewParts';

export interface PreviewHandlers extends PackagesHandlers, ActionHandlers {}

export interface PreviewView {
  updateStatus(status: PushStatus | undefined): void;
  updatePackages(state: PackagesState | undefined): void;
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
  actions.updateStatus(status);
  packageSection.update(packages);
  return { updateStatus: actions.updateStatus, updatePackages: packageSection.update };
}

/** Before the first model arrives (and nothing was saved): a short note and the Cancel button. */
export function renderLoading(root: HTMLElement, handlers: PreviewHandlers): PreviewView {
  clear(root);
  const actions = renderActions(handlers, false);
  append(root, actions.node, el('main', { className: 'preview loading', testId: 'loading' }, el('h1', { text: 'Rebase preview' }), el('p', { className: 'muted', text: 'Loading the preview…' })));
  return { updateStatus: actions.updateStatus, updatePackages: () => undefined };
}
