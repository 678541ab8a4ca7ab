// What a user does, in a real VS Code (code-server in headless Chromium) against real registries:
// browse the Registries view, use its context menu and the palette, and rebase an image through
// the QuickPicks and the Rebase Preview webview. Screenshots go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  answerInputBox,
  codeLens,
  contextMenuItem,
  editorTab,
  expandTreeItem,
  notification,
  openViewContainer,
  quickInputBox,
  quickInputRows,
  runCommand,
  runContextMenu,
  startUiSession,
  treeItem,
  webviewFrame,
  itWithScreenshot,
  type UiSession, answerRebaseStep } from '../harness/ui';

describe('UI: Registries view and Rebase Image', () => {
  let s: UiSession;
  let host: string;

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    await openViewContainer(s.page, 'Image Rebase');
  });
  after(async () => {
    await s?.close();
  });

  const view = () => s.page.locator('.sidebar');

  const it = itWithScreenshot(() => s?.page);

  it('expands registry > repository > tag down to a layer', async () => {
    await expandTreeItem(treeItem(view(), new RegExp(`^${host.replace(/\./g, '\\.')}`)));
    await expandTreeItem(treeItem(view(), /^app(\s|$)/));
    await expandTreeItem(treeItem(view(), /^1\b/));
    const layer = treeItem(view(), /COPY hello\.txt/);
    await layer.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await layer.getAttribute('aria-label')) ?? '', /^2\s+[0-9a-f]{12}\s+\d/);
    await treeItem(view(), /^config/).waitFor({ state: 'visible' });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'tree-expanded-to-layer');
  });

  it('opens a manifest from the tag context menu', async () => {
    await runContextMenu(s.page, treeItem(view(), /^1\b/), 'Open Manifest');
    await editorTab(s.page, /\u2215app:1 manifest\.json$/).waitFor({ state: 'visible', timeout: 10_000 });
    await s.page.locator('.monaco-editor .view-lines').filter({ hasText: '"layers"' }).first().waitFor({ timeout: 10_000 });
    await screenshot(s.page, 'context-open-manifest');
  });

  it('adds a registry from the palette and offers sign-in for it', async () => {
    const basic = s.env.IMAGE_REBASE_TEST_BASIC_REGISTRY;
    await runCommand(s.page, 'Image Rebase: Add Registry…');
    await quickInputBox(s.page).fill(basic);
    await quickInputRows(s.page).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await expandTreeItem(treeItem(view(), new RegExp(`^${basic.replace(/\./g, '\\.')}`)));
    await treeItem(view(), /Sign in to see repositories/).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(s.page, 'palette-add-registry-sign-in');
  });

  /**
   * Types into the Rebase Image step whose title ends with `title` and accepts it. Waiting for the
   * title matters: the next step opens only once the previous answer has been checked.
   */
  const answerStep = (step: string, value: string) => answerRebaseStep(s.page, step, value);

  /** Palette → the four steps → the preview webview. */
  async function rebaseThroughPalette(source: string, newBase: string, target: string) {
    // One webview at a time, so the frame found below is this preview's.
    await runCommand(s.page, 'View: Close All Editors');
    await s.page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', source);
    await answerStep('new base image', newBase);
    // Step 3 offers the detected old base: accept it.
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, target, 'Rebase Image: target tag to push');
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 20_000 });
    await frame.locator('[data-testid="layer-row"]').first().waitFor({ state: 'visible' });
    return frame;
  }

  it('rebases through the palette, QuickPicks, preview and Push', async () => {
    const frame = await rebaseThroughPalette(`${host}/app:1`, `${host}/base:2`, `${host}/app:ui-rebased`);
    const changes = await frame.locator('[data-testid="layer-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-change')));
    assert.deepEqual(changes, ['removed', 'added', 'added', 'kept', 'kept']);
    assert.match((await frame.locator('[data-testid="old-base-note"]').textContent()) ?? '', /Old base detected as .*base:1/);
    assert.match((await frame.locator('[data-testid="bytes-to-move"]').textContent()) ?? '', /^0\b|0 bytes/);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'rebase-preview');

    await frame.locator('[data-testid="push-button"]').click();
    await notification(s.page, /Pushed .*app:ui-rebased@sha256:/).waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('[data-testid="status"][data-phase="done"]').waitFor({ timeout: 10_000 });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'rebase-pushed');

    // "Reveal in Tree" selects the new tag in the Registries view.
    await notification(s.page, /Pushed .*app:ui-rebased/).getByRole('button', { name: 'Reveal in Tree' }).click();
    const revealed = treeItem(view(), /^ui-rebased\b/);
    await revealed.waitFor({ state: 'visible', timeout: 10_000 });
    await s.page.waitForFunction((el) => el?.getAttribute('aria-selected') === 'true', await revealed.elementHandle(), { timeout: 10_000 });
  });

  it('asks before replacing an existing tag, naming the digest it replaces', async () => {
    const existing = JSON.parse(s.env.IMAGE_REBASE_TEST_SEED).base1 as string;
    await runCommand(s.page, 'View: Close All Editors');
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', `${host}/app:1`);
    await answerStep('new base image', `${host}/base:2`);
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, `${host}/base:1`, 'Rebase Image: target tag to push');
    // After the dry run, in the same picker; Enter takes the first choice, which keeps the tag.
    await s.page.locator('.quick-input-widget .quick-input-title', { hasText: /Rebase Image: replace .*base:1\?/ }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await quickInputRows(s.page).filter({ hasText: 'already exists' }).first().textContent()) ?? '', new RegExp(`base:1 already exists.*holds sha256:${existing.slice(7, 19)}…`));
    await screenshot(s.page, 'rebase-confirm-overwrite');
    await s.page.keyboard.press('Enter');
    await quickInputRows(s.page).filter({ hasText: 'base:1 was kept as it is' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await s.page.keyboard.press('Escape');
    assert.equal(await s.page.locator('iframe.webview.ready').count(), 0, 'no preview after declining');
  });

  it('shows hostile labels, annotations and history as text and runs nothing', async () => {
    const hostile = s.env.IMAGE_REBASE_TEST_HOSTILE;
    const frame = await rebaseThroughPalette(`${host}/hostile:1`, `${host}/base:2`, `${host}/hostile:ui`);
    const dom = await frame.locator('body').evaluate((body) => ({
      text: body.textContent ?? '',
      images: body.ownerDocument.querySelectorAll('img').length,
      // VS Code injects its own inline script into the frame; none may carry the payload.
      scripts: [...body.ownerDocument.querySelectorAll('script')].filter((x) => (x.textContent ?? '').includes('pwned')).length,
      title: body.ownerDocument.title,
    }));
    assert.ok(dom.text.includes(hostile), 'the hostile string is shown as text');
    assert.equal(dom.images, 0, 'no <img> element was created');
    assert.equal(dom.scripts, 0, 'no script element carries the payload');
    assert.notEqual(dom.title, 'pwned');
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'rebase-preview-hostile');
  });

  it('restores the preview when it is hidden and shown again', async () => {
    // The hostile preview is open: hide it behind a new editor in the same group, then return.
    await runCommand(s.page, 'File: New Untitled Text File');
    await editorTab(s.page, /Untitled-1/).waitFor({ state: 'visible' });
    await editorTab(s.page, /Rebase Preview: hostile:ui/).click();
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: `${host}/hostile:ui` }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await frame.locator('[data-testid="layer-row"]').count(), 4);
    assert.equal(await frame.locator('[data-testid="status"]').getAttribute('data-phase'), 'idle');
  });

  it('renders the preview with the theme: dark and high contrast', async () => {
    const frame = webviewFrame(s.page);
    const backgrounds: string[] = [];
    for (const theme of ['Dark Modern', 'Dark High Contrast']) {
      await runCommand(s.page, 'Preferences: Color Theme');
      await quickInputBox(s.page).fill(theme);
      await quickInputRows(s.page).filter({ hasText: theme }).first().waitFor({ state: 'visible' });
      await s.page.keyboard.press('Enter');
      await s.page.waitForTimeout(800);
      backgrounds.push(await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor));
      await screenshot(s.page, `rebase-preview-${theme.toLowerCase().replace(/ /g, '-')}`);
    }
    assert.notEqual(backgrounds[0], 'rgb(255, 255, 255)', 'the preview follows the dark theme');
    assert.equal(backgrounds[1], 'rgb(0, 0, 0)', 'high contrast is black');
    await runCommand(s.page, 'Preferences: Color Theme');
    await quickInputBox(s.page).fill('Light Modern');
    await quickInputRows(s.page).filter({ hasText: 'Light Modern' }).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await quickInputBox(s.page).waitFor({ state: 'hidden', timeout: 5_000 });
  });

  it('clicks Dockerfile CodeLenses: update a pin, and rebase onto the FROM', async () => {
    const seed = JSON.parse(s.env.IMAGE_REBASE_TEST_SEED);
    const workspace = s.fixtures!.workspace!;
    // base:2 was built after base:1: the pin of base:1 under tag 2 is offered to move.
    await writeFile(join(workspace, 'Dockerfile'), `FROM ${host}/base:2@${seed.base1} AS old\nRUN true\nFROM ${host}/base:2\nCOPY hello.txt /app/\n`);
    await runCommand(s.page, 'View: Close All Editors');
    await s.page.keyboard.press('Control+P');
    await quickInputBox(s.page).fill('Dockerfile');
    await quickInputRows(s.page).filter({ hasText: 'Dockerfile' }).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await editorTab(s.page, /^Dockerfile$/).waitFor({ state: 'visible', timeout: 10_000 });

    const newer = codeLens(s.page, /Newer base available \(built/);
    await newer.waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'codelens-dockerfile');
    await newer.click();
    await s.page.locator('.monaco-editor .view-lines').filter({ hasText: `base:2@${seed.base2.slice(0, 30)}` }).first().waitFor({ timeout: 10_000 });

    await codeLens(s.page, 'Rebase image onto this base…').click();
    await answerInputBox(s.page, `${host}/app:1`, 'Which pushed image does Dockerfile build?');
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, `${host}/app:from-lens`, 'Rebase Image: target tag to push');
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: `${host}/app:from-lens` }).waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await frame.locator('[data-testid="new-base"]').textContent()) ?? '', new RegExp(`${host.replace(/\./g, '\\.')}/base:2`));
    await screenshot(s.page, 'codelens-rebase-preview');
  });

  it('offers Create Manifest List… for a multi-selection of tags', async () => {
    await treeItem(view(), /^1\b/).click();
    await treeItem(view(), /^ui-rebased\b/).click({ modifiers: ['Control'] });
    const item = await contextMenuItem(s.page, treeItem(view(), /^ui-rebased\b/), 'Create Manifest List…');
    assert.ok(await item.isVisible());
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'tree-multiselect-create-manifest-list');
    await s.page.keyboard.press('Escape');
  });
});
