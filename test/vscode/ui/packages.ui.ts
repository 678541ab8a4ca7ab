// The "Package changes" section as a user sees it in the Rebase Preview (code-server in headless
// Chromium): pkgs/app:1 rebased from pkgs/debian:12.5 onto 12.8 through the palette (fixtures in
// test/vscode/packageFixtures.ts). Screenshots go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { answerInputBox, itWithScreenshot, quickInputRows, runCommand, startUiSession, webviewFrame, type UiSession, answerRebaseStep } from '../harness/ui';

describe('UI: package changes in the Rebase Preview', () => {
  let s: UiSession;
  let host: string;

  before(async () => {
    // Asking first even for the fixtures' few KiB: the question and its button are part of the UI.
    s = await startUiSession({ fixtures: true, settings: { 'imageRebase.packageChanges.confirmAboveMiB': 0 } });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);

  const answerStep = (step: string, value: string) => answerRebaseStep(s.page, step, value);

  it('asks first, then on "Compare packages" lists the OS change, upgrades, the downgrade, additions, removals and warnings', async () => {
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', `${host}/pkgs/app:1`);
    await answerStep('new base image', `${host}/pkgs/debian:12.8`);
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, `${host}/pkgs/app:1-on-12.8`, 'Rebase Image: target tag to push');

    const frame = webviewFrame(s.page);
    const ask = frame.locator('[data-testid="packages"][data-phase="ask"]');
    await ask.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await frame.locator('[data-testid="packages-text"]').textContent()) ?? '', /^\d+ KiB of layers to read \(3 layers\); cached: 0\./);
    const button = frame.locator('[data-testid="packages-button"]');
    assert.match((await button.textContent()) ?? '', /^\s*Compare packages \(\d+ KiB\)\s*$/);
    await frame.locator('[data-testid="totals"]').evaluate((t) => t.scrollIntoView({ block: 'start' }));
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'rebase-preview-packages-ask');
    await button.click();

    const section = frame.locator('[data-testid="packages"][data-phase="done"]');
    await section.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await frame.locator('[data-testid="packages-os"]').textContent())?.trim(), 'Debian GNU/Linux 12.5 → 12.8');
    assert.equal((await frame.locator('[data-testid="packages-summary"]').textContent())?.trim(), '(5 upgraded · 1 downgraded · 2 added · 1 removed)');
    const rows = await frame.locator('[data-testid="package-row"]').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim())));
    assert.deepEqual(rows, [
      ['zlib1g', '⚠ downgraded', '1:1.2.13.dfsg-1', '1:1.2.11.dfsg-4'],
      ['base-files', 'upgraded', '12.4+deb12u5', '12.4+deb12u8'],
      ['libc6', 'upgraded', '2.36-9+deb12u4', '2.36-9+deb12u9'],
      ['libssl3', 'upgraded', '3.0.11-1~deb12u2', '3.0.15-1~deb12u1'],
      ['openssl', 'upgraded', '3.0.11-1~deb12u2', '3.0.15-1~deb12u1'],
      ['tzdata', 'upgraded', '2024a-0+deb12u1', '2024b-0+deb12u1'],
      ['ca-certificates', 'added', '—', '20230311'],
      ['libzstd1', 'added', '—', '1.5.4+dfsg2-5'],
      ['libdb5.3', 'removed', '5.3.28+dfsg2-1', '—'],
    ]);
    const warnings = await frame.locator('[data-testid="packages-warning"]').allTextContents();
    assert.equal(warnings.length, 2);
    assert.match(warnings[1], /carries its own dpkg database/);
    assert.equal(await frame.locator('[data-testid="packages-button"]').isVisible(), false, 'no button once done');
    // The summary above it, for context: the section sits between the summary and the layers.
    await frame.locator('[data-testid="totals"]').evaluate((t) => t.scrollIntoView({ block: 'start' }));
    await s.page.mouse.move(5, 5);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'rebase-preview-packages');
  });
});
