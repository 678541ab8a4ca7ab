// The config merge as a user sees it in the Rebase Preview (code-server in headless Chromium):
// an app whose base changed its PATH, a label and its USER under it, rebased through the palette.
// Screenshots go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { answerInputBox, itWithScreenshot, quickInputRows, runCommand, startUiSession, webviewFrame, type UiSession, answerRebaseStep } from '../harness/ui';
import { pushConflictImages } from '../conflictImages';

describe('UI: config merge in the Rebase Preview', () => {
  let s: UiSession;
  let host: string;
  let images: { cleanup(): Promise<void> } | undefined;

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    images = await pushConflictImages(host, 'cfg');
  });
  after(async () => {
    await s?.close();
    await images?.cleanup();
  });

  const it = itWithScreenshot(() => s?.page);

  const answerStep = (step: string, value: string) => answerRebaseStep(s.page, step, value);

  it('lists the changed keys with old base, app, new base and result, the conflict highlighted', async () => {
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', `${host}/cfgapp:1`);
    await answerStep('new base image', `${host}/cfgbase:2`);
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, `${host}/cfgapp:1-on-2`, 'Rebase Image: target tag to push');

    const frame = webviewFrame(s.page);
    const section = frame.locator('[data-testid="config-merge"]');
    await section.waitFor({ state: 'visible', timeout: 20_000 });
    const rows = await frame.locator('[data-testid="merge-row"]').evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-key'), tr.getAttribute('data-decision'), [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)]),
    );
    assert.deepEqual(rows, [
      ['Env PATH', 'path-segment-replaced', ['/usr/bin:/bin', '/app/bin:/usr/bin:/bin', '/opt/base2/bin:/usr/bin:/bin', '/app/bin:/opt/base2/bin:/usr/bin:/bin']],
      ['Env BASE_VERSION', 'new-base', ['1', '1', '2', '2']],
      ['Labels org.example.base', 'new-base', ['base1', 'base1', 'base2', 'base2']],
      ['Labels org.example.app', 'app-kept', ['(absent)', 'ui', '(absent)', 'ui']],
      ['User', 'conflict', ['base1', 'app', 'base2', 'app']],
      ['Cmd', 'new-base', ['["/bin/sh"]', '["/bin/sh"]', '["/bin/bash"]', '["/bin/bash"]']],
    ]);
    assert.equal(await section.getAttribute('data-conflicts'), '1');
    assert.equal((await frame.locator('[data-testid="merge-counts"]').first().textContent())?.trim(), "(4 changes to the app's config · 1 conflict)");
    const user = frame.locator('[data-testid="merge-row"][data-decision="conflict"]');
    assert.match((await user.locator('[data-testid="merge-decision"]').textContent()) ?? '', /Conflict: app's kept/);
    const background = (key: string) => frame.locator(`[data-testid="merge-row"][data-key="${key}"] td`).first().evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.notEqual(await background('User'), await background('Cmd'), 'the conflict row stands out');
    assert.ok(
      (await frame.locator('[data-testid="warning"]').allTextContents()).some((w) => w.startsWith('Config conflict on User: the app set "app"')),
      'the conflict is also a warning',
    );
    await section.scrollIntoViewIfNeeded();
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'rebase-preview-config-merge');
  });
});
