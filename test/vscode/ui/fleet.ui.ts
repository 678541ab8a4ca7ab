// Issue 13 as a user sees it (code-server in headless Chromium): Check Base Updates from a
// registry's context menu, the marks and the Base Updates view, Rebase Outdated Images… with one
// image unticked, Push all, the result table and Undo Rebase. Screenshots: test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import {
  answerInputBox,
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

describe('UI: fleet rebase (check, rebase outdated, undo)', () => {
  let s: UiSession;
  let fleet: string;

  before(async () => {
    s = await startUiSession({ fixtures: true, viewport: { width: 1600, height: 1000 } });
    fleet = s.env.IMAGE_REBASE_TEST_FLEET_REGISTRY;
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);

  it('Check Base Updates marks outdated tags and fills Base Updates', async () => {
    const { page } = s;
    await runCommand(page, 'Image Rebase: Add Registry…');
    await answerInputBox(page, fleet, 'Add Registry');
    await openViewContainer(page, 'Image Rebase');
    const registry = treeItem(page, new RegExp(`^${fleet.replace(/\./g, '\\.')}`));
    await runContextMenu(page, registry, 'Check Base Updates');

    // The bases question: name base/alp:3.19 (typed, Enter) besides the bases images record.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'base repositories to compare against' }).waitFor({ state: 'visible' });
    await quickInputBox(page).fill(`${fleet}/base/alp:3.19`);
    await quickInputRows(page).filter({ hasText: 'name this base' }).first().waitFor({ state: 'visible' });
    await page.waitForTimeout(300);
    await screenshot(page, 'fleet-check-bases');
    await page.keyboard.press('Enter');

    await notification(page, /5 of \d+ images on an outdated base/).waitFor({ state: 'visible', timeout: 30_000 });
    await expandTreeItem(registry);
    await expandTreeItem(treeItem(page, /^team\/api$/));
    const api1 = page.getByRole('treeitem').filter({ hasText: 'outdated since 2024-06-01' }).first();
    await api1.waitFor({ state: 'visible', timeout: 15_000 });
    // At the default sidebar width the whole description shows: its text ends inside the row.
    const fits = await api1.locator('.monaco-icon-label-container').first().evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
    assert.ok(fits, 'the description is not cut off');
    await page.getByRole('treeitem').filter({ hasText: 'deb:1' }).filter({ hasText: '2 outdated' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForTimeout(400);
    await screenshot(page, 'fleet-check-marks');
  });

  it('Rebase Outdated Images…: one preview, one image left out, Push all, result table, Undo', async () => {
    const { page } = s;
    // A view's title actions show while the pointer is over it.
    await page.locator('.pane-header', { hasText: 'Base Updates' }).hover();
    await viewTitleAction(page, 'Base Updates', 'Rebase Outdated Images').click();
    await pickQuickItem(page, 'In place');

    const frame = webviewFrame(page);
    const rows = frame.locator('[data-testid="fleet-row"]');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await rows.count(), 5);
    const web1 = frame.locator(`[data-testid="fleet-row"][data-id="${fleet}/team/web:1"]`);
    await web1.locator('[data-testid="include"]').uncheck();
    await frame.locator(`[data-testid="fleet-row"][data-id="${fleet}/team/web:1"][data-phase="excluded"]`).waitFor();
    assert.equal((await frame.locator('[data-testid="push-all"]').textContent())?.trim(), 'Push all (3 images)');
    const legacy = frame.locator(`[data-testid="fleet-row"][data-id="${fleet}/team/legacy:1"]`);
    assert.equal(await legacy.locator('[data-testid="include"]').count(), 0, 'an unplannable row has no check box');
    await page.waitForTimeout(400);
    await screenshot(page, 'fleet-preview');

    await frame.locator('[data-testid="push-all"]').click();
    await frame.locator('[data-testid="fleet"][data-phase="pushed"]').waitFor({ timeout: 60_000 });
    const phases = await rows.evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.id, (tr as HTMLElement).dataset.phase]));
    assert.deepEqual(Object.fromEntries(phases.map(([id, p]) => [id!.slice(fleet.length + 1), p])), {
      'multi/app:1': 'rebased',
      'prov/app:1': 'rebased',
      'team/api:1': 'rebased',
      'team/legacy:1': 'failed',
      'team/web:1': 'excluded',
    });
    assert.match((await frame.locator('[data-testid="summary"]').textContent()) ?? '', /^3 rebased, 0 failed, 0 not attempted, 1 left out, 1 cannot be rebased\.$/);
    await page.waitForTimeout(400);
    await screenshot(page, 'fleet-result');

    await frame.locator('[data-testid="undo"]').click();
    await frame.locator('[data-testid="fleet"][data-phase="undone"]').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('[data-testid="fleet-row"][data-phase="restored"]').count(), 3);
    await page.waitForTimeout(400);
    await screenshot(page, 'fleet-undone');
  });
});
