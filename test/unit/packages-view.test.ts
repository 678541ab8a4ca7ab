import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PackagesState, PreviewPackageResult } from '../../src/shared/previewProtocol';
import { isPackagesState, packagesSectionView } from '../../webview/packagesView';
import { parseHostMessage } from '../../webview/viewModel';
import { LIST_MAX, toResult } from '../../src/extension/rebase/packageResult';
import type { PackageDiff } from '../../src/core/packages';

const MiB = 1024 * 1024;

const result: PreviewPackageResult = {
  os: 'Debian GNU/Linux 12.5 → 12.8',
  windows: false,
  counts: '1 upgraded, 1 downgraded, 1 added, 1 removed, 3 unchanged (dpkg)',
  upgraded: [{ name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.15-1~deb12u1' }],
  downgraded: [{ name: 'zlib1g', from: '1:1.2.13.dfsg-1', to: '1:1.2.11.dfsg-4' }],
  added: [{ name: 'libzstd1', version: '1.5.4+dfsg2-5' }],
  removed: [{ name: 'libdb5.3', version: '5.3.28+dfsg2-1' }],
  omitted: 0,
  warnings: ['The new base downgrades 1 package(s): zlib1g'],
  read: 'Read 2 layers (3.1 MiB).',
};

test('packagesSectionView: estimating, then a question with the size on the button, then progress with Cancel', () => {
  assert.deepEqual(packagesSectionView(undefined), { phase: 'estimating', summary: '', text: 'Checking what the comparison has to download…', busy: true, results: [] });
  const ask = packagesSectionView({ phase: 'ask', estimate: '240 MiB of layers to read (3 layers); cached: 1', bytes: 240 * MiB });
  assert.deepEqual(ask.button, { label: 'Compare packages (240 MiB)', action: 'compare' });
  assert.match(ask.text, /^240 MiB of layers to read \(3 layers\); cached: 1\. That is more than/);
  assert.equal(ask.busy, false);
  assert.equal(packagesSectionView({ phase: 'ask', estimate: 'e', bytes: 3000 }).button?.label, 'Compare packages (3 KiB)');
  const running = packagesSectionView({ phase: 'running', estimate: 'x', message: 'Reading layer 0123456789ab (40 MiB)', done: 10 * MiB, total: 40 * MiB });
  assert.deepEqual([running.busy, running.text, running.button, running.progress], [true, 'Reading layer 0123456789ab (40 MiB)', { label: 'Cancel', action: 'cancel' }, { value: 10 * MiB, max: 40 * MiB, text: '10 MiB of 40 MiB (25%)' }]);
  assert.equal(packagesSectionView({ phase: 'running', estimate: 'x', message: 'm', done: 0, total: 0 }).progress, undefined, 'no bar before the size is known');
});

test('packagesSectionView: a result is one table, downgrades first, each change said in words; failures offer a retry', () => {
  const v = packagesSectionView({ phase: 'done', results: [result] });
  assert.equal(v.summary, '(1 upgraded · 1 downgraded · 1 added · 1 removed)');
  assert.equal(v.button, undefined);
  assert.deepEqual(
    v.results[0].rows.map((r) => [r.kind, r.word, r.name, r.from, r.to]),
    [
      ['downgraded', 'downgraded', 'zlib1g', '1:1.2.13.dfsg-1', '1:1.2.11.dfsg-4'],
      ['upgraded', 'upgraded', 'openssl', '3.0.11-1~deb12u2', '3.0.15-1~deb12u1'],
      ['added', 'added', 'libzstd1', undefined, '1.5.4+dfsg2-5'],
      ['removed', 'removed', 'libdb5.3', '5.3.28+dfsg2-1', undefined],
    ],
  );
  assert.equal(v.results[0].empty, undefined);
  const none = packagesSectionView({ phase: 'done', results: [{ ...result, upgraded: [], downgraded: [], added: [], removed: [] }] });
  assert.equal(none.results[0].empty, 'No package changes.');
  const win = packagesSectionView({ phase: 'done', results: [{ ...result, windows: true, os: 'Windows 10.0.14393.1715 → 10.0.14393.1884', upgraded: [], downgraded: [], added: [], removed: [] }] });
  assert.equal(win.summary, '(update level only)');
  assert.match(win.results[0].empty ?? '', /^Windows base layers are not read/);
  // An index: per platform, one failed.
  const index = packagesSectionView({ phase: 'done', results: [{ ...result, platform: 'linux/amd64' }, { ...result, platform: 'linux/arm64/v8', upgraded: [], downgraded: [], added: [], removed: [], error: 'HTTP 500' }] });
  assert.deepEqual(index.results.map((r) => [r.platform, r.error]), [['linux/amd64', undefined], ['linux/arm64/v8', 'HTTP 500']]);
  assert.equal(index.summary, '(1 upgraded · 1 downgraded · 1 added · 1 removed · 1 failed)');
  assert.deepEqual(packagesSectionView({ phase: 'failed', message: 'HTTP 500' }).button, { label: 'Try again', action: 'compare' });
  assert.deepEqual(packagesSectionView({ phase: 'cancelled', message: 'Cancelled.' }).button, { label: 'Compare packages', action: 'compare' });
});

test('isPackagesState and parseHostMessage: malformed package messages are ignored', () => {
  const good: PackagesState[] = [{ phase: 'estimating' }, { phase: 'ask', estimate: 'e', bytes: 1 }, { phase: 'running', estimate: 'e', message: 'm', done: 0, total: 1 }, { phase: 'done', results: [result] }, { phase: 'failed', message: 'x' }, { phase: 'cancelled', message: 'x' }];
  for (const g of good) assert.equal(isPackagesState(g), true, JSON.stringify(g));
  assert.deepEqual(parseHostMessage({ type: 'packages', packages: good[3] }), { type: 'packages', packages: good[3] });
  for (const bad of [null, { phase: 'exploded' }, { phase: 'ask', bytes: '1' }, { phase: 'done', results: [{ ...result, upgraded: [{ name: 'x', from: 1, to: '2' }] }] }, { phase: 'done', results: [{ ...result, warnings: [{}] }] }]) {
    assert.equal(isPackagesState(bad), false, JSON.stringify(bad));
    assert.equal(parseHostMessage({ type: 'packages', packages: bad }), undefined);
  }
});

test('toResult: registry strings become one escaped line, lists are bounded, the counts are of everything', () => {
  const many = Array.from({ length: LIST_MAX + 5 }, (_, i) => ({ name: `pkg${i}`, version: '1' }));
  const diff: PackageDiff = {
    os: { old: { id: 'debian', name: 'Debian GNU/Linux', release: '12.5' }, new: { id: 'debian', name: 'Debian GNU/Linux', release: '12.8' } },
    upgraded: [{ name: 'evil\u001b[31m', from: '1\n2', to: '\u202e3' }],
    downgraded: [],
    added: many,
    removed: [],
    unchanged: 0,
    formats: ['dpkg'],
    warnings: ['line one\nline two'],
    download: { layers: 1, bytes: 2 * MiB, cachedLayers: 1 },
  };
  const r = toResult(diff, 'linux/amd64');
  assert.equal(r.platform, 'linux/amd64');
  assert.equal(r.os, 'Debian GNU/Linux 12.5 → 12.8');
  assert.deepEqual(r.upgraded, [{ name: 'evil\\x1b[31m', from: '1 2', to: '\\u202e3' }]);
  assert.equal(r.added.length, LIST_MAX);
  assert.equal(r.omitted, 5);
  assert.equal(r.counts, `1 upgraded, ${LIST_MAX + 5} added, 0 removed, 0 unchanged (dpkg)`);
  assert.deepEqual(r.warnings, ['line one line two']);
  assert.equal(r.read, 'Read 1 layer (2.0 MiB); 1 from the cache.');
});
