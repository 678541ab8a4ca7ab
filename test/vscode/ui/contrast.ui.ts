// Text contrast of the Rebase Preview in real VS Code themes (code-server in headless Chromium):
// every visible text of the webview, measured from the painted colours (harness/contrast.ts),
// meets WCAG AA in light, dark and both high contrast themes; and after a push the status line
// stays readable next to the notification toast. Screenshots: test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { DEFAULT_THEMES, describeContrast, measureContrast, screenshotName, useColorTheme } from '../harness/contrast';
import { answerInputBox, answerRebaseStep, itWithScreenshot, notification, quickInputRows, runCommand, startUiSession, webviewFrame, type UiSession } from '../harness/ui';
import { pushConflictImages } from '../conflictImages';

describe('UI: Rebase Preview contrast and status placement', () => {
  let s: UiSession;
  let host: string;
  let images: { cleanup(): Promise<void> } | undefined;
  const minima: string[] = [];

  before(async () => {
    s = await startUiSession({ fixtures: true, settings: { 'workbench.colorTheme': 'Default Light+' } });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    // Bases that differ in PATH, a label and USER: the preview shows warnings, a config merge
    // with a conflict, removed, added and kept layers.
    images = await pushConflictImages(host, 'contrast');
  });
  after(async () => {
    if (minima.length) console.log(`# lowest contrast per theme:\n${minima.map((m) => `#   ${m}`).join('\n')}`);
    await s?.close();
    await images?.cleanup();
  });

  const it = itWithScreenshot(() => s?.page);
  const frame = () => webviewFrame(s.page);

  it('after a push, the status line is not covered by the notification toast', async () => {
    const { page } = s;
    await runCommand(page, 'Image Rebase: Rebase Image');
    await answerRebaseStep(page, 'image to rebase', `${host}/contrastapp:1`);
    await answerRebaseStep(page, 'new base image', `${host}/contrastbase:2`);
    await quickInputRows(page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Enter');
    const target = `${host}/contrastapp:1-on-2`;
    await answerInputBox(page, target, 'Rebase Image: target tag to push');
    await frame().locator('[data-testid="config-merge"]').waitFor({ state: 'visible', timeout: 20_000 });
    await frame().locator('[data-testid="warning"]').first().waitFor({ state: 'visible' });

    await frame().locator('[data-testid="push-button"]').click();
    const status = frame().locator('[data-testid="status"][data-phase="done"]');
    await status.waitFor({ timeout: 30_000 });
    assert.match((await status.textContent()) ?? '', /^Pushed /);
    await notification(page, /Pushed /).waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(400);

    // Playwright gives boxes in the main page's coordinates, through both webview iframes.
    const box = await status.boundingBox();
    assert.ok(box && box.width > 0 && box.height > 0, 'the status line is on screen');
    const webview = await page.locator('iframe.webview.ready').last().boundingBox();
    assert.ok(webview && box.y >= webview.y - 1 && box.y + box.height <= webview.y + webview.height + 1, 'the status line is inside the visible webview');
    const toasts = await page.locator('.notifications-toasts .notification-toast').evaluateAll((ts) =>
      ts.map((t) => t.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
    );
    assert.ok(toasts.length > 0, 'a toast is showing');
    for (const t of toasts) {
      const overlaps = box.x < t.x + t.width && t.x < box.x + box.width && box.y < t.y + t.height && t.y < box.y + box.height;
      assert.ok(!overlaps, `the status line ${JSON.stringify(box)} is clear of the toast ${JSON.stringify(t)}`);
    }
    // Scrolled down to the config merge, the status stays in view and clear of the toast.
    await frame().locator('[data-testid="config-merge"]').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    assert.ok((await frame().locator('body').evaluate(() => document.scrollingElement?.scrollTop ?? 0)) > 100, 'the preview scrolled');
    const scrolled = await status.boundingBox();
    assert.ok(scrolled && webview && scrolled.y >= webview.y - 1 && scrolled.y + scrolled.height <= webview.y + webview.height + 1, 'the status line stays in view when scrolled');
    const heading = await frame().locator('[data-testid="config-merge"] h2, [data-testid="config-merge"] h3').first().boundingBox();
    assert.ok(heading && heading.y >= scrolled.y + scrolled.height, 'what was scrolled to is not hidden under the status bar');
    await screenshot(page, 'contrast-status-and-toast');
  });

  for (const theme of DEFAULT_THEMES) {
    it(`every text meets WCAG AA in ${theme.id}`, async () => {
      const { page } = s;
      await useColorTheme(page, frame(), theme);
      const { all, failing, min } = await measureContrast(frame());
      assert.ok(all.length > 50, `texts measured: ${all.length}`);
      for (const want of ['Pushed ', 'removed', 'added', 'kept', 'Config conflict on User']) {
        assert.ok(all.some((c) => c.text.startsWith(want)), `"${want}…" was measured`);
      }
      minima.push(`${theme.id}: ${min ? describeContrast(min) : 'none'}; ${failing.length} of ${all.length} below AA`);
      // The layers and the config merge under the sticky status bar.
      await frame().locator('[data-testid="layer-table"]').evaluate((t) => t.closest('section')?.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(300);
      await screenshot(page, screenshotName('contrast', theme.id));
      assert.deepEqual(failing.map(describeContrast), [], `texts under WCAG AA in ${theme.id}`);
    });
  }
});
