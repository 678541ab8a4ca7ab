// The config merge as a user sees it in the Rebase Preview (code-server in headless Chromium):
// an app whose base changed its PATH, a label and its USER under it, rebased through the palette.
// Screenshots go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { answerInputBox, itWithScreenshot, quickInputRows, runCommand, startUiSession, webviewFrame, type UiSession, answerRebaseStep } from '../harness/ui';
import { buildImage, pushImage, type OciLayoutImage } from '../../harness/fixtures';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nbase1:x:1001:1001::/:/bin/sh\nbase2:x:1002:1002::/:/bin/sh\napp:x:2000:2000::/app:/bin/sh\n';

describe('UI: config merge in the Rebase Preview', () => {
  let s: UiSession;
  let host: string;
  const built: OciLayoutImage[] = [];

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    const [base1, base2] = await Promise.all([
      buildImage({
        layers: [{ files: { '/etc/base-version': '1', '/etc/passwd': PASSWD }, createdBy: 'ADD base1 /' }],
        config: { env: ['PATH=/usr/bin:/bin', 'BASE_VERSION=1'], labels: { 'org.example.base': 'base1' }, user: 'base1', cmd: ['/bin/sh'] },
      }),
      buildImage({
        layers: [{ files: { '/etc/base-version': '2', '/etc/passwd': PASSWD }, createdBy: 'ADD base2 /' }],
        config: { env: ['PATH=/opt/base2/bin:/usr/bin:/bin', 'BASE_VERSION=2'], labels: { 'org.example.base': 'base2' }, user: 'base2', cmd: ['/bin/bash'] },
      }),
    ]);
    const app = await buildImage({
      base: base1,
      layers: [{ files: { '/app/run': 'run\n' }, createdBy: 'COPY run /app/' }],
      config: { env: ['PATH=/app/bin:/usr/bin:/bin'], user: 'app', labels: { 'org.example.app': 'ui' } },
    });
    built.push(base1, base2, app);
    await Promise.all([pushImage(base1, `${host}/cfgbase:1`), pushImage(base2, `${host}/cfgbase:2`)]);
    await pushImage(app, `${host}/cfgapp:1`);
  });
  after(async () => {
    await s?.close();
    await Promise.all(built.map((b) => b.cleanup()));
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
