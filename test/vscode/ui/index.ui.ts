// Rebasing a multi-platform image as a user does, in a real VS Code against the real registry:
// palette → source mapp:1 (linux/amd64 + linux/arm64/v8) → "All 2 platforms" → new base → target
// → the preview lists the index entries and a section per platform → Push. Screenshots go to
// test-artifacts/screenshots/ (index-*).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import {
  answerInputBox,
  notification,
  openViewContainer,
  pickQuickItem,
  quickInputRows,
  runCommand,
  startUiSession,
  webviewFrame,
  itWithScreenshot,
  type UiSession,
  answerRebaseStep,
} from '../harness/ui';

describe('UI: Rebase Image on a multi-platform image', () => {
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

  const it = itWithScreenshot(() => s?.page);

  const title = (text: string) => s.page.locator('.quick-input-widget .quick-input-title', { hasText: text });

  const answerStep = (step: string, value: string) => answerRebaseStep(s.page, step, value);

  /** Palette → source → the platform choice (screenshot) → "All 2 platforms". */
  async function startAllPlatforms(shot?: string) {
    await runCommand(s.page, 'View: Close All Editors');
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    await s.page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', `${host}/mapp:1`);
    await title('is multi-platform').waitFor({ state: 'visible', timeout: 20_000 });
    // The first label of each row (a row's detail line has one too).
    const labels = await quickInputRows(s.page).evaluateAll((rows) => rows.map((r) => r.querySelector('.label-name')?.textContent?.trim()));
    assert.deepEqual(labels, ['All 2 platforms', 'linux/amd64', 'linux/arm64/v8']);
    if (shot) await screenshot(s.page, shot);
    await pickQuickItem(s.page, 'All 2 platforms');
  }

  it('rebases all platforms: index entries and a section per platform, then Push', async () => {
    await startAllPlatforms('index-choose-platforms');
    await answerStep('new base image', `${host}/mbase:2`);
    // No old-base step: each platform's old base is found by the engine.
    const target = `${host}/mapp:ui-all`;
    await answerInputBox(s.page, target, 'Rebase Image: target tag to push');

    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 30_000 });
    const entries = await frame.locator('[data-testid="index-entry"]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-platform'), r.getAttribute('data-kind'), r.getAttribute('data-action')]));
    assert.deepEqual(entries, [
      ['linux/amd64', 'image', 'rebased'],
      ['linux/arm64/v8', 'image', 'rebased'],
      [null, 'attestation', 'dropped'],
      [null, 'artifact', 'kept'],
    ]);
    const oldBases = await frame.locator('[data-testid="index-entry-old-base"]').allTextContents();
    assert.equal(oldBases.length, 2);
    for (const note of oldBases) assert.match(note, /mbase:1/);
    const sections = frame.locator('[data-testid="platform-section"]');
    assert.deepEqual(await sections.evaluateAll((xs) => xs.map((x) => x.getAttribute('data-platform'))), ['linux/amd64', 'linux/arm64/v8']);
    const amd = sections.nth(0);
    await amd.locator('[data-testid="layer-row"]').first().waitFor({ state: 'visible' });
    assert.deepEqual(await amd.locator('[data-testid="layer-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-change'))), ['removed', 'added', 'added', 'kept', 'kept']);
    assert.match((await amd.locator('[data-testid="old-base-note"]').textContent()) ?? '', /mbase:1/);
    await screenshot(s.page, 'index-preview');

    // The second platform's section opens on click, with its own layers.
    const arm = sections.nth(1);
    assert.equal(await arm.locator('[data-testid="layer-row"]').first().isVisible(), false, 'closed at first');
    await arm.locator('summary').click();
    await arm.locator('[data-testid="layer-row"]').first().waitFor({ state: 'visible' });
    await arm.locator('summary').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'index-preview-arm64-section');

    await frame.locator('[data-testid="push-button"]').click();
    await notification(s.page, /Pushed .*mapp:ui-all@sha256:/).waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('[data-testid="status"][data-phase="done"]').waitFor({ timeout: 10_000 });
    await screenshot(s.page, 'index-pushed');
  });

  it('a new base without every platform: the engine\'s message, then keep that platform unchanged', async () => {
    await startAllPlatforms();
    await answerStep('new base image', `${host}/mbase:2-amd64only`);
    await notification(s.page, /No new base for linux\/arm64\/v8 of .*mapp:1/).waitFor({ state: 'visible', timeout: 20_000 });
    await title('the new base has no image for linux/arm64/v8').waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(s.page, 'index-unmatched-platform');
    await pickQuickItem(s.page, 'Keep linux/arm64/v8 unchanged');
    const target = `${host}/mapp:ui-partial`;
    await answerInputBox(s.page, target, 'Rebase Image: target tag to push');
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 30_000 });
    const arm = frame.locator('[data-testid="index-entry"][data-platform="linux/arm64/v8"]');
    assert.equal(await arm.getAttribute('data-action'), 'kept');
    assert.match((await arm.textContent()) ?? '', /kept unchanged/);
    assert.equal(await frame.locator('[data-testid="platform-section"]').count(), 1);
    assert.match((await frame.locator('[data-testid="preview-title"]').textContent()) ?? '', /\(1 of 2 platforms\)$/);
    await screenshot(s.page, 'index-preview-kept-platform');
  });
});
