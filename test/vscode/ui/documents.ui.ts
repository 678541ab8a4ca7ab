// Manifest documents opened from the Registries view, in a real VS Code: each tab names its whole
// image (registry/repo:tag), so two images of the same name in two registries are told apart; the
// documents are read-only; Compare With… titles its diff with both images. Screenshots: documents-*.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import {
  editorTab,
  expandTreeItem,
  itWithScreenshot,
  openViewContainer,
  quickInputBox,
  quickInputRows,
  runCommand,
  runContextMenu,
  startUiSession,
  treeItem,
  type UiSession,
} from '../harness/ui';

describe('UI: manifest documents', () => {
  let s: UiSession;
  let host: string;
  let faulty: string;

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    faulty = s.env.IMAGE_REBASE_TEST_FAULTY_REGISTRY;
    await openViewContainer(s.page, 'Image Rebase');
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const view = () => s.page.locator('.sidebar');
  const registryRow = (h: string) => treeItem(view(), new RegExp(`^${escape(h)}`));

  /** Rows are flat in the DOM: only the registry and repository asked for are expanded. */
  async function collapseAll(): Promise<void> {
    // Deepest (last) first: collapsing a row hides the rows below it, never the ones above.
    for (const row of (await view().locator('.monaco-list-row[aria-expanded="true"]').all()).reverse()) {
      await row.locator('.monaco-tl-twistie').click();
      await s.page.waitForTimeout(200);
    }
  }

  async function openManifestOf(registry: string, repository: string): Promise<void> {
    await collapseAll();
    await expandTreeItem(registryRow(registry));
    await expandTreeItem(treeItem(view(), new RegExp(`^${repository}(\\s|$)`)));
    await runContextMenu(s.page, treeItem(view(), /^1\b/), 'Open Manifest');
  }

  /** Every tab's label, in order. */
  async function tabs(): Promise<string[]> {
    return s.page.locator('.tabs-container .tab .label-name').evaluateAll((all) => all.map((t) => t.textContent?.trim() ?? ''));
  }

  /** What a manifest tab reads: the reference with U+2215 for its slashes (a path segment has none). */
  const tabLabel = (registry: string, repository: string) => `${registry}\u2215${repository}:1 manifest.json`;

  it('names the whole image in each tab, registry included, and keeps the documents read-only', async () => {
    await runCommand(s.page, 'Image Rebase: Add Registry…');
    await quickInputBox(s.page).fill(faulty);
    await quickInputRows(s.page).filter({ hasText: faulty }).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await registryRow(faulty).waitFor({ state: 'visible', timeout: 15_000 });

    // app:1 and base:1 of one registry, then app:1 of another: three tabs, each naming its image.
    for (const [registry, repository] of [[host, 'app'], [host, 'base'], [faulty, 'app']] as const) {
      await openManifestOf(registry, repository);
      await editorTab(s.page, tabLabel(registry, repository)).waitFor({ state: 'visible', timeout: 15_000 });
      await s.page.locator('.monaco-editor .view-lines').filter({ hasText: '"layers"' }).first().waitFor({ timeout: 15_000 });
      // Open Manifest opens a preview tab, which the next document would take over.
      await runCommand(s.page, 'View: Keep Editor');
    }
    const shown = await tabs();
    assert.deepEqual(shown, [tabLabel(host, 'app'), tabLabel(host, 'base'), tabLabel(faulty, 'app')]);
    // As a reference reads, once the stand-in slash is read as one.
    assert.deepEqual(shown.map((t) => t.replace(/\u2215/g, '/')), [`${host}/app:1 manifest.json`, `${host}/base:1 manifest.json`, `${faulty}/app:1 manifest.json`]);

    // Read-only: typing changes nothing.
    await editorTab(s.page, tabLabel(host, 'base')).click();
    const lines = s.page.locator('.monaco-editor .view-lines').first();
    const before = await lines.textContent();
    await lines.click();
    await s.page.keyboard.type('xyz');
    await s.page.waitForTimeout(300);
    assert.equal(await lines.textContent(), before, 'the document is read-only');
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'documents-tabs');
  });

  it('titles Compare With… with both images', async () => {
    await runCommand(s.page, 'View: Close All Editors');
    await collapseAll();
    await expandTreeItem(registryRow(host));
    await expandTreeItem(treeItem(view(), /^app(\s|$)/));
    await runContextMenu(s.page, treeItem(view(), /^1\b/), 'Compare With…');
    await quickInputBox(s.page).fill(`${faulty}/base:1`);
    await quickInputRows(s.page).filter({ hasText: `${faulty}/base:1` }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await s.page.keyboard.press('Enter');
    // Another registry: each side names its own.
    await editorTab(s.page, `${host}/app:1 ↔ ${faulty}/base:1 (manifest)`).waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'documents-compare');
  });
});
