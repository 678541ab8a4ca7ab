/**
 * The "Package changes" section of the Rebase Preview. It is rendered once with the page and then
 * updated in place as the host reports the estimate, the download's progress and the result, so
 * progress ticks do not rebuild the rest of the page. Text only, through dom.ts.
 */
import type { PackagesState } from '../src/shared/previewProtocol';
import { append, clear, el } from './dom';
import { PackageResultView, PackageRowView, packagesSectionView } from './packagesView';
import { tableHead } from './previewParts';
import { createButton } from './toolkit';

export interface PackagesHandlers {
  comparePackages(): void;
  cancelPackages(): void;
}

export interface PackagesSection {
  element: HTMLElement;
  update(state: PackagesState | undefined): void;
}

function version(v: string | undefined, className: string): HTMLTableCellElement {
  return el('td', { className }, v === undefined ? el('span', { className: 'absent', text: '—', attrs: { 'aria-label': 'none' } }) : el('span', { className: 'version', text: v }));
}

function renderRow(r: PackageRowView): HTMLTableRowElement {
  return el(
    'tr',
    { className: `package-row ${r.kind}`, testId: 'package-row', data: { kind: r.kind, name: r.name } },
    el('th', { className: 'package-name', attrs: { scope: 'row' } }, el('span', { className: 'name', text: r.name })),
    el('td', { className: 'package-change' }, r.kind === 'downgraded' && el('span', { className: 'icon', text: '⚠ ', attrs: { 'aria-hidden': 'true' } }), el('span', { className: 'change-word', text: r.word })),
    version(r.from, 'package-from'),
    version(r.to, 'package-to'),
  );
}

function renderResult(r: PackageResultView, i: number): HTMLElement {
  const facts = el(
    'dl',
    { className: 'facts' },
    el('dt', { text: 'OS' }),
    el('dd', { testId: 'packages-os', text: r.os || 'unknown' }),
    r.counts && el('dt', { text: 'Packages' }),
    r.counts && el('dd', { testId: 'packages-counts', text: r.counts }),
  );
  const warnings =
    r.warnings.length > 0 &&
    el(
      'div',
      { className: 'callout warning packages-warnings', testId: 'packages-warnings' },
      el('ul', {}, ...r.warnings.map((w) => el('li', { testId: 'packages-warning' }, el('span', { className: 'icon', text: '⚠ ', attrs: { 'aria-hidden': 'true' } }), w))),
    );
  const table =
    r.rows.length > 0 &&
    el(
      'table',
      { className: 'package-table', testId: 'package-table' },
      el('caption', { className: 'visually-hidden', text: 'Packages the new base changes: downgraded, upgraded, added and removed' }),
      tableHead([
        ['package-name', 'Package'],
        ['package-change', 'Change'],
        ['package-from', 'Old base'],
        ['package-to', 'New base'],
      ]),
      el('tbody', {}, ...r.rows.map(renderRow)),
    );
  return el(
    'div',
    { className: 'package-result', testId: 'package-result', data: { platform: r.platform, index: String(i) } },
    r.platform && el('h3', { className: 'package-platform' }, el('code', { text: r.platform })),
    r.error ? el('p', { attrs: { role: 'alert' }, testId: 'packages-error', text: `The comparison failed: ${r.error}` }) : facts,
    warnings,
    table,
    r.empty && el('p', { className: 'muted', testId: 'packages-empty', text: r.empty }),
    r.omitted > 0 && el('p', { className: 'muted', text: `… and ${r.omitted} more not listed.` }),
    r.read && el('p', { className: 'muted packages-read', testId: 'packages-read', text: r.read }),
  );
}

export function createPackagesSection(handlers: PackagesHandlers): PackagesSection {
  const summary = el('span', { className: 'count', testId: 'packages-summary' });
  const heading = el('h2', { attrs: { id: 'packages-heading' } }, 'Package changes', summary);
  const line = el('p', { className: 'packages-text', testId: 'packages-text', attrs: { role: 'status', 'aria-live': 'polite' } });
  const progress = el('progress', { className: 'packages-progress', testId: 'packages-progress', attrs: { 'aria-labelledby': 'packages-heading' } });
  const progressText = el('span', { className: 'muted', testId: 'packages-progress-text' });
  const progressLine = el('div', { className: 'packages-progress-line' }, progress, progressText);
  let action: 'compare' | 'cancel' = 'compare';
  const button = createButton({
    label: 'Compare packages',
    appearance: 'secondary',
    testId: 'packages-button',
    onClick: () => (action === 'cancel' ? handlers.cancelPackages() : handlers.comparePackages()),
  });
  const results = el('div', { className: 'package-results' });
  const element = el('section', { className: 'packages', testId: 'packages', attrs: { 'aria-labelledby': 'packages-heading' } }, heading, line, progressLine, button.element, results);

  let shownResults: unknown;
  const update = (state: PackagesState | undefined): void => {
    const v = packagesSectionView(state);
    element.dataset.phase = v.phase;
    element.setAttribute('aria-busy', String(v.busy));
    summary.textContent = v.summary ? ` ${v.summary}` : '';
    if (line.textContent !== v.text) line.textContent = v.text;
    line.hidden = !v.text;
    line.classList.toggle('error', v.phase === 'failed');
    progressLine.hidden = !v.progress;
    if (v.progress) {
      progress.max = v.progress.max;
      progress.value = v.progress.value;
      progressText.textContent = v.progress.text;
    }
    button.element.hidden = !v.button;
    if (v.button) {
      action = v.button.action;
      button.setLabel(v.button.label);
      button.element.setAttribute('appearance', v.button.action === 'compare' && v.phase === 'ask' ? 'primary' : 'secondary');
    }
    // Results only change once; a progress tick must not rebuild (and re-announce) them.
    const key = v.phase === 'done' ? state : undefined;
    if (key !== shownResults) {
      shownResults = key;
      clear(results);
      append(results, ...v.results.map(renderResult));
    }
  };
  update(undefined);
  return { element, update };
}
