// Undo Rebase on a single rebase's "Pushed …" notification (issue 13): rebase app:1 onto base:2
// INTO app:1 itself (replacing the tag, confirmed), push, click Undo Rebase on the notification,
// and read the tag back from the registry: it holds its previous digest again.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { fetchManifest } from '../../harness/rawRegistry';
import {
  answerInputBox,
  itWithScreenshot,
  notification,
  quickInputRows,
  runCommand,
  startUiSession,
  webviewFrame,
  type UiSession,
  answerRebaseStep,
} from '../harness/ui';

describe('UI: Undo Rebase on a single rebase', () => {
  let s: UiSession;
  let host: string;

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);

  const answerStep = (step: string, value: string) => answerRebaseStep(s.page, step, value);

  it('replaces an existing tag, then Undo Rebase on the notification puts its previous digest back', async () => {
    const { page } = s;
    const previous = (JSON.parse(s.env.IMAGE_REBASE_TEST_SEED) as { app1: string }).app1;
    assert.equal((await fetchManifest(host, 'app', '1')).digest, previous);

    await runCommand(page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', `${host}/app:1`);
    await answerStep('new base image', `${host}/base:2`);
    await quickInputRows(page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Enter');
    await answerInputBox(page, `${host}/app:1`, 'Rebase Image: target tag to push');
    // After the dry run, the same picker asks: keeping the tag is first, replacing it is chosen.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /Rebase Image: replace .*app:1\?/ }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await quickInputRows(page).filter({ hasText: 'already exists' }).first().textContent()) ?? '', new RegExp(`holds sha256:${previous.slice(7, 19)}…`));
    await quickInputRows(page).filter({ hasText: /^Replace app:1 / }).first().click();

    const frame = webviewFrame(page);
    await frame.locator('[data-testid="push-button"]').waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('[data-testid="push-button"]').click();
    const pushed = notification(page, /Pushed .*app:1@sha256:/);
    await pushed.waitFor({ state: 'visible', timeout: 30_000 });
    const rebased = /@(sha256:[0-9a-f]{64})/.exec((await pushed.textContent()) ?? '')?.[1];
    assert.ok(rebased && rebased !== previous, `pushed ${rebased}`);
    assert.equal((await fetchManifest(host, 'app', '1')).digest, rebased, 'the tag now holds the rebased image');
    await page.waitForTimeout(400);
    await screenshot(page, 'undo-single-pushed');

    await page.locator('.notifications-toasts .monaco-button', { hasText: 'Undo Rebase' }).first().click();
    await notification(page, new RegExp(`app:1 points to ${previous} again`)).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await fetchManifest(host, 'app', '1')).digest, previous, 'app:1 holds its previous digest again');
    await page.waitForTimeout(400);
    await screenshot(page, 'undo-single-restored');
  });
});
