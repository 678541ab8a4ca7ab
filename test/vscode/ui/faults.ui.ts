// A registry that accepts connections and never answers, seen in the real workbench: the
// Registries view stops waiting after the configured timeout and shows a row that says so, whole,
// with the reason on hover; Retry loads the registry once it answers again.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { expandTreeItem, itWithScreenshot, openViewContainer, quickInputBox, quickInputRows, runCommand, startUiSession, treeItem, type UiSession } from '../harness/ui';
import { faultControl } from '../faultControl';

describe('UI: a registry that stops answering', () => {
  let s: UiSession;

  before(async () => {
    // One second without a byte ends an attempt, and one retry: the row shows within seconds.
    s = await startUiSession({ fixtures: true, settings: { 'imageRebase.network.timeoutSeconds': 1, 'imageRebase.network.retries': 1 } });
    await openViewContainer(s.page, 'Image Rebase');
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);
  const view = () => s.page.locator('.sidebar');

  it('shows "Registry timed out — Retry", not cut off, with the reason on hover; Retry loads it', async () => {
    const faulty = s.env.IMAGE_REBASE_TEST_FAULTY_REGISTRY;
    const faults = faultControl(s.env.IMAGE_REBASE_TEST_CONTROL);
    await faults.add({ method: 'GET', path: '^/v2/_catalog', times: 'always', fault: { kind: 'stall' } });

    await runCommand(s.page, 'Image Rebase: Add Registry…');
    await quickInputBox(s.page).fill(faulty);
    await quickInputRows(s.page).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await expandTreeItem(treeItem(view(), new RegExp(`^${faulty.replace(/\./g, '\\.')}`)));

    const row = treeItem(view(), /^Registry timed out — Retry$/);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    const label = row.locator('.monaco-icon-label-container').first();
    const wholeText = async (when: string) => {
      const w = await label.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(w.scroll <= w.client, `the row's text is cut off ${when} (${JSON.stringify(w)})`);
    };
    await wholeText('at rest');
    await screenshot(s.page, 'tree-registry-timed-out');

    // Hovering shows the inline Retry icon, which takes room from the label, and the tooltip.
    await row.hover();
    const hover = s.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'sent nothing for 1 second' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    await row.locator('.actions .action-label[aria-label="Retry"]').waitFor({ state: 'visible' });
    await wholeText('beside the Retry icon');
    await screenshot(s.page, 'tree-registry-timed-out-hover');

    await faults.clear();
    await row.click();
    await treeItem(view(), /^base$/).waitFor({ state: 'visible', timeout: 10_000 });
    // Away from the rows, so no tooltip is fading in over them in the picture.
    await s.page.mouse.move(900, 700);
    await s.page.waitForTimeout(600);
    await screenshot(s.page, 'tree-registry-answering-after-retry');
  });
});
