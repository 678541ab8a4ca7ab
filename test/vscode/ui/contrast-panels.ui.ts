// Text contrast of the other faces of the webviews in real VS Code themes (code-server in headless
// Chromium): the package comparison, a multi-platform preview (index entries rebased, kept,
// dropped) and the "Rebase Outdated Images" panel after a push (rebased, failed, left-out rows,
// warnings). contrast.ui.ts covers the single-image preview in all six default themes; here
// the four that were lowest before (Light+, Dark+ and both high contrast themes).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { DEFAULT_THEMES, describeContrast, measureContrast, screenshotName, useColorTheme } from '../harness/contrast';
import {
  answerInputBox,
  answerRebaseStep,
  expandTreeItem,
  itWithScreenshot,
  notification,
  openViewContainer,
  pickQuickItem,
  quickInputBox,
  quickInputRows,
  runCommand,
  runContextMenu,
  startUiSession,
  treeItem,
  viewTitleAction,
  webviewFrame,
  type UiSession,
} from '../harness/ui';

const THEMES = DEFAULT_THEMES.filter((t) => ['Default Light+', 'Default Dark+', 'Default High Contrast', 'Default High Contrast Light'].includes(t.id));

describe('UI: contrast of the package comparison, the multi-platform preview and the fleet panel', () => {
  let s: UiSession;
  let host: string;
  const minima: string[] = [];

  before(async () => {
    s = await startUiSession({ fixtures: true, settings: { 'workbench.colorTheme': 'Default Light+' }, viewport: { width: 1600, height: 1000 } });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
  });
  after(async () => {
    if (minima.length) console.log(`# lowest contrast per view and theme:\n${minima.map((m) => `#   ${m}`).join('\n')}`);
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);
  const frame = () => webviewFrame(s.page);
  let reverse = false;

  /** Every theme in turn (alternating the order, so the next view starts in the theme left on). */
  async function measureInThemes(view: string, mustInclude: string[], scrollTo: (f: FrameLocator) => Promise<void>) {
    const failures: string[] = [];
    const themes = reverse ? [...THEMES].reverse() : THEMES;
    reverse = !reverse;
    for (const theme of themes) {
      await useColorTheme(s.page, frame(), theme);
      const { all, failing, min } = await measureContrast(frame());
      for (const want of mustInclude) assert.ok(all.some((c) => c.text.startsWith(want)), `${view}: "${want}…" was measured in ${theme.id}`);
      minima.push(`${view}, ${theme.id}: ${min ? describeContrast(min) : 'none'}; ${failing.length} of ${all.length} below AA`);
      failures.push(...failing.map((f) => `${theme.id}: ${describeContrast(f)}`));
      await scrollTo(frame());
      await s.page.waitForTimeout(300);
      await screenshot(s.page, screenshotName(`contrast-${view}`, theme.id));
    }
    assert.deepEqual(failures, [], `${view}: texts under WCAG AA`);
  }

  async function startRebase(source: string) {
    await runCommand(s.page, 'View: Close All Editors');
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    await s.page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerRebaseStep(s.page, 'image to rebase', source);
  }

  it('package comparison: upgraded, downgraded, added, removed', async () => {
    await startRebase(`${host}/pkgs/app:1`);
    await answerRebaseStep(s.page, 'new base image', `${host}/pkgs/debian:12.8`);
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, `${host}/pkgs/app:1-contrast`, 'Rebase Image: target tag to push');
    // Small layers are compared at once; large ones wait for "Compare packages".
    const section = frame().locator('[data-testid="packages"][data-phase="ask"], [data-testid="packages"][data-phase="done"]');
    await section.first().waitFor({ state: 'visible', timeout: 30_000 });
    if ((await section.first().getAttribute('data-phase')) === 'ask') await frame().locator('[data-testid="packages-button"]').click();
    await frame().locator('[data-testid="packages"][data-phase="done"]').waitFor({ state: 'visible', timeout: 30_000 });
    await measureInThemes('packages', ['downgraded', 'upgraded', 'added', 'removed', 'zlib1g'], (f) =>
      f.locator('[data-testid="packages"]').evaluate((e) => e.scrollIntoView({ block: 'start' })),
    );
  });

  it('multi-platform preview: index entries rebased, dropped and kept, platform sections', async () => {
    await startRebase(`${host}/mapp:1`);
    await pickQuickItem(s.page, 'All 2 platforms');
    await answerRebaseStep(s.page, 'new base image', `${host}/mbase:2`);
    const target = `${host}/mapp:contrast`;
    await answerInputBox(s.page, target, 'Rebase Image: target tag to push');
    await frame().locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 30_000 });
    await measureInThemes('index', ['rebased', 'dropped', 'kept', 'linux/arm64/v8'], (f) =>
      f.locator('[data-testid="index-summary"]').evaluate((e) => e.scrollIntoView({ block: 'start' })),
    );
  });

  it('Rebase Outdated Images after Push all: rebased, failed, left-out rows and warnings', async () => {
    const { page } = s;
    const fleet = s.env.IMAGE_REBASE_TEST_FLEET_REGISTRY;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Image Rebase: Add Registry…');
    await answerInputBox(page, fleet, 'Add Registry');
    await openViewContainer(page, 'Image Rebase');
    const registry = treeItem(page, new RegExp(`^${fleet.replace(/\./g, '\\.')}`));
    await runContextMenu(page, registry, 'Check Base Updates');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'base repositories to compare against' }).waitFor({ state: 'visible' });
    await quickInputBox(page).fill(`${fleet}/base/alp:3.19`);
    await quickInputRows(page).filter({ hasText: 'name this base' }).first().waitFor({ state: 'visible' });
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await notification(page, /images on an outdated base/).waitFor({ state: 'visible', timeout: 30_000 });
    await expandTreeItem(registry);
    await page.locator('.pane-header', { hasText: 'Base Updates' }).hover();
    await viewTitleAction(page, 'Base Updates', 'Rebase Outdated Images').click();
    await pickQuickItem(page, 'In place');

    const rows = frame().locator('[data-testid="fleet-row"]');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    await frame().locator(`[data-testid="fleet-row"][data-id="${fleet}/team/web:1"] [data-testid="include"]`).uncheck();
    await frame().locator('[data-testid="fleet-row"][data-phase="excluded"]').waitFor();
    await frame().locator('[data-testid="push-all"]').click();
    await frame().locator('[data-testid="fleet"][data-phase="pushed"]').waitFor({ timeout: 60_000 });
    await page.keyboard.press('Escape'); // the toast, so the table shows whole
    await measureInThemes('fleet', ['Rebase Outdated Images', 'team/web', 'Left out', 'Rebased', 'Cannot rebase'], async () => undefined);
    const phases = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.phase));
    for (const p of ['rebased', 'failed', 'excluded']) assert.ok(phases.includes(p), `a ${p} row was measured (${phases.join(', ')})`);
  });
});
