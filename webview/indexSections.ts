/**
 * The Rebase Preview of a whole index: its header, the table of every entry and what happens to
 * it, then one collapsible section per rebased platform with that image's own sections.
 */
import type { PreviewModel } from '../src/shared/previewProtocol';
import { renderConfigMerge } from './configMergeSection';
import { digestRef } from './digestRef';
import { el } from './dom';
import { renderFieldChanges } from './fieldsSection';
import { renderLayers, renderTotals } from './layersSection';
import { baseFacts, code, fact, tableHead, targetNote } from './previewParts';
import { PlatformSection, indexSummaryView, platformSections, totalsView } from './viewModel';

export function renderIndexHeader(m: PreviewModel): HTMLElement {
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

export function renderIndexEntries(m: PreviewModel): HTMLElement {
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

export function renderPlatforms(m: PreviewModel): HTMLElement {
  const sections = platformSections(m);
  return el(
    'section',
    { className: 'platforms', testId: 'platforms', attrs: { 'aria-labelledby': 'platforms-heading' } },
    el('h2', { text: `Rebased images (${sections.length})`, attrs: { id: 'platforms-heading' } }),
    ...sections.map((s, i) => renderPlatformSection(s, i)),
  );
}
