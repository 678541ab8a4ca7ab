// The Rebase Image flow as a user goes through it, in a real VS Code against real registries: every
// step chosen from what it offers (no typing), Back keeping what was entered, an old base the image
// is not built on caught and offered again at its own step, and a slow registry (the fixtures'
// fault proxy delaying every request) with busy steps that Escape cancels. Screenshots go to
// test-artifacts/screenshots/flow-*.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  codeLens,
  editorTab,
  expandTreeItem,
  itWithScreenshot,
  notification,
  quickInput,
  quickInputBox,
  quickInputRows,
  runCommand,
  runContextMenu,
  treeItem,
  webviewFrame,
  type UiSession,
} from '../harness/ui';
import { closeFaultySession, startFaultySession, type FaultySession } from '../harness/faultySession';

describe('UI: Rebase Image flow', () => {
  let s: UiSession;
  let host: string;
  let slow: string;
  let faults: FaultySession['faults'];

  before(async () => ({ s, host, faulty: slow, faults } = await startFaultySession()));
  after(() => closeFaultySession({ s, faults }));

  const it = itWithScreenshot(() => s?.page);
  const title = () => s.page.locator('.quick-input-widget .quick-input-title');
  const row = (text: string | RegExp) => quickInputRows(s.page).filter({ hasText: text }).first();

  /** Waits for step n of 4 whose title contains `what` (the counter is part of the title). */
  async function step(n: number, what: string) {
    await s.page.locator('.quick-input-widget .quick-input-title', { hasText: what }).filter({ hasText: `${n}/4` }).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Clicks the row whose label is exactly this reference (codicons in labels have no text). */
  async function choose(label: string) {
    const r = quickInputRows(s.page).filter({ has: s.page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) }).first();
    await r.waitFor({ state: 'visible', timeout: 30_000 });
    await r.click();
  }

  async function typeAndEnter(value: string) {
    await quickInputBox(s.page).fill(value);
    await row(value).waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
  }

  async function start() {
    await runCommand(s.page, 'View: Close All Editors');
    await s.page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await runCommand(s.page, 'Image Rebase: Rebase Image');
  }

  it('goes through every step choosing offered items, without typing', async () => {
    await start();
    await step(1, 'Rebase Image: image to rebase');
    await choose(`${host}/app`);
    await row(`${host}/app:1`).waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-1-source-tags');
    await choose(`${host}/app:1`);

    await step(2, `new base image (rebasing ${host}/app:1)`);
    await choose(`${host}/base`);
    const current = row(`${host}/base:1`);
    await current.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await current.textContent()) ?? '', /current base/);
    assert.doesNotMatch((await row(`${host}/base:2`).textContent()) ?? '', /current base/);
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-2-new-base-tags');
    await choose(`${host}/base:2`);

    await step(3, 'old base the image was built on');
    const detected = row('found by layer search');
    await detected.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await detected.textContent()) ?? '', new RegExp(`${host.replace(/\./g, '\\.')}/base:1`));
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-3-old-base');
    await detected.click();

    await step(4, 'target tag to push');
    const labels = await quickInputRows(s.page).locator('.label-name').allTextContents();
    assert.equal(labels[0].trim(), `${host}/app:1-rebased`, 'a new tag is offered first');
    assert.ok(labels.some((l) => l.trim() === `${host}/app:1`), 'the source tag is offered');
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-4-target');
    await choose(`${host}/app:1-rebased`);

    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: `${host}/app:1-rebased` }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await frame.locator('[data-testid="old-base-note"]').textContent()) ?? '', /Old base detected as .*base:1/);
  });

  it('Back returns to the previous step with what was entered', async () => {
    await start();
    await step(1, 'image to rebase');
    await typeAndEnter(`${host}/app:1`);
    await step(2, 'new base image');
    await typeAndEnter(`${host}/base:2`);
    await step(3, 'old base');
    await row('found by layer search').waitFor({ state: 'visible', timeout: 20_000 });
    const back = s.page.locator('.quick-input-widget').getByRole('button', { name: 'Back' });
    await back.click();
    await step(2, 'new base image');
    assert.equal(await quickInputBox(s.page).inputValue(), `${host}/base:2`);
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-back-keeps-new-base');
    await back.click();
    await step(1, 'image to rebase');
    assert.equal(await quickInputBox(s.page).inputValue(), `${host}/app:1`);
    assert.equal(await back.count(), 0, 'no Back on the first step');
    // Forward again: the kept values answer both steps as they are.
    await row(`${host}/app:1`).waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await step(2, 'new base image');
    assert.equal(await quickInputBox(s.page).inputValue(), `${host}/base:2`);
    await row(`${host}/base:2`).waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await step(3, 'old base');
    await s.page.keyboard.press('Escape');
    await quickInput(s.page).waitFor({ state: 'hidden' });
  });

  it('catches an old base the image is not built on at that step, and offers the right one', async () => {
    await start();
    await step(1, 'image to rebase');
    await typeAndEnter(`${host}/app:1`);
    await step(2, 'new base image');
    await typeAndEnter(`${host}/base:2`);
    await step(3, 'old base');
    await row('found by layer search').waitFor({ state: 'visible', timeout: 20_000 });
    await typeAndEnter(`${host}/base:2`);
    const reason = row(/is not built on .*base:2/);
    await reason.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await reason.textContent()) ?? '', /Layer 1 differs .*Pick one of the bases below/);
    assert.match(await title().textContent() ?? '', /3\/4/);
    await row('found by layer search').waitFor({ state: 'visible' });
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-not-built-on-recovery');
    await row('found by layer search').click();
    await step(4, 'target tag to push');
    await quickInputBox(s.page).fill(`${host}/app:recovered`);
    await row(`${host}/app:recovered`).waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: `${host}/app:recovered` }).waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('shows every network step busy on a slow registry, and Escape cancels each', async () => {
    await faults.add({ method: 'GET', times: 'always', fault: { kind: 'delay', ms: 2500 } });
    await faults.add({ method: 'HEAD', times: 'always', fault: { kind: 'delay', ms: 2500 } });
    try {
      // Each run goes one step further before Escape; the busy line says what it waits for.
      const waits: Array<{ at: RegExp; shot: string }> = [
        { at: new RegExp(`Reading .*${slow.replace(/\./g, '\\.')}/app:1`), shot: 'flow-slow-1-source' },
        { at: /Reading the layers of .*base:2 for linux\/amd64/, shot: 'flow-slow-2-new-base' },
        { at: /Looking for the image .*app:1 was built on/, shot: 'flow-slow-3-old-base' },
        { at: /Checking whether .*app:slow exists/, shot: 'flow-slow-4-target' },
      ];
      for (let n = 0; n < waits.length; n++) {
        await start();
        await step(1, 'image to rebase');
        await typeAndEnter(`${slow}/app:1`);
        if (n === 1 || n === 2) {
          await step(2, 'new base image');
          await typeAndEnter(`${slow}/base:2`);
        }
        if (n === 3) {
          await step(2, 'new base image');
          await typeAndEnter(`${slow}/base:2`);
          await step(3, 'old base');
          await row('found by layer search').click({ timeout: 60_000 });
          await step(4, 'target tag to push');
          await typeAndEnter(`${slow}/app:slow`);
        }
        await row(waits[n].at).waitFor({ state: 'visible', timeout: 30_000 });
        // VS Code starts the progress bar of a busy quick input after 800 ms.
        await s.page.locator('.quick-input-widget .quick-input-progress.active').waitFor({ state: 'visible', timeout: 5_000 });
        await s.page.mouse.move(700, 600);
        await s.page.waitForTimeout(300);
        await screenshot(s.page, waits[n].shot);
        const before = (await faults.log()).length;
        await s.page.keyboard.press('Escape');
        await quickInput(s.page).waitFor({ state: 'hidden', timeout: 5_000 });
        // Cancelled: no step comes back, nothing more is asked of the registry, no preview opens.
        await s.page.waitForTimeout(3_000);
        assert.equal(await quickInput(s.page).isVisible(), false, 'the flow ended');
        assert.equal(await s.page.locator('iframe.webview.ready').count(), 0);
        const after = (await faults.log()).length;
        assert.ok(after - before <= 2, `requests after the cancel: ${after - before}`);
      }
    } finally {
      await faults.clear();
    }
  });

  it('asks which image a Dockerfile builds by offering the images of the Registries view', async () => {
    await writeFile(join(s.fixtures!.workspace!, 'Dockerfile'), `FROM ${host}/base:2\nCOPY hello.txt /app/\n`);
    await runCommand(s.page, 'View: Close All Editors');
    await s.page.keyboard.press('Control+P');
    await quickInputBox(s.page).fill('Dockerfile');
    await row('Dockerfile').waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await codeLens(s.page, 'Rebase image onto this base…').click({ timeout: 30_000 });
    await title().filter({ hasText: 'Which pushed image does Dockerfile build?' }).waitFor({ state: 'visible', timeout: 20_000 });
    await choose(`${host}/app`);
    await row(`${host}/app:1`).waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-dockerfile-which-image');
    await choose(`${host}/app:1`);
    // The lens gave the new base: the flow goes on at the old base of that image.
    await step(3, `old base the image was built on (rebasing ${host}/app:1)`);
    await s.page.keyboard.press('Escape');
    await quickInput(s.page).waitFor({ state: 'hidden' });
  });

  it('compares a tag with an image of another repository', async () => {
    const view = s.page.locator('.sidebar');
    await expandTreeItem(treeItem(view, new RegExp(`^${host.replace(/\./g, '\\.')}`)));
    await expandTreeItem(treeItem(view, /^app(\s|$)/));
    await runContextMenu(s.page, treeItem(view, /^1\b/), 'Compare With…');
    await title().filter({ hasText: 'Compare app:1 with…' }).waitFor({ state: 'visible', timeout: 20_000 });
    await choose(`${host}/base`);
    await row(`${host}/base:1`).waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'flow-compare-with-other-repository');
    await choose(`${host}/base:1`);
    await editorTab(s.page, /app:1 ↔ base:1/).waitFor({ state: 'visible', timeout: 20_000 });
  });

  it('offers Try Again after a wrong password, with the username kept', async () => {
    const basic = s.env.IMAGE_REBASE_TEST_BASIC_REGISTRY;
    const view = s.page.locator('.sidebar');
    await runCommand(s.page, 'Image Rebase: Add Registry…');
    await typeAndEnter(basic);
    const registryRow = treeItem(view, new RegExp(`^${basic.replace(/\./g, '\\.')}`));
    await registryRow.waitFor({ state: 'visible', timeout: 15_000 });
    await runContextMenu(s.page, registryRow, 'Sign In…');
    const user = s.env.IMAGE_REBASE_TEST_USER;
    await title().filter({ hasText: `Sign in to ${basic}` }).waitFor({ state: 'visible' });
    await quickInputBox(s.page).fill(user);
    await s.page.keyboard.press('Enter');
    await s.page.locator('.quick-input-widget .quick-input-message', { hasText: `Password or access token for ${user}` }).waitFor({ state: 'visible' });
    await quickInputBox(s.page).fill('not the password');
    await s.page.keyboard.press('Enter');
    const failed = notification(s.page, /the username or password was rejected/);
    await failed.waitFor({ state: 'visible', timeout: 20_000 });
    assert.doesNotMatch((await failed.textContent()) ?? '', /docker login/);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'flow-sign-in-try-again');
    await failed.getByRole('button', { name: 'Try Again' }).click();
    await title().filter({ hasText: `Sign in to ${basic}` }).waitFor({ state: 'visible' });
    assert.equal(await quickInputBox(s.page).inputValue(), user, 'the username is kept');
    await s.page.keyboard.press('Enter');
    await s.page.locator('.quick-input-widget .quick-input-message', { hasText: `Password or access token for ${user}` }).waitFor({ state: 'visible' });
    await quickInputBox(s.page).fill(s.env.IMAGE_REBASE_TEST_PASSWORD);
    await s.page.keyboard.press('Enter');
    await notification(s.page, `Signed in to ${basic} as ${user}.`).waitFor({ state: 'visible', timeout: 20_000 });
  });
});
