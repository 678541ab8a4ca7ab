// The end of the Rebase Image flow, in a real VS Code against the real registry: the dry run shows
// busy in the picker (not a notification) and Escape cancels it; a target that already holds the
// rebased image is not "replaced" (nothing would change); a target holding another image asks with
// keeping it as what Enter does, and replacing it is an explicit choice; a manifest PUT answered
// with HTTP 500 is reported with what the registry holds (read back), and the tree reloads. Every
// tag's state is read from the registry, not taken from the UI. Screenshots: overwrite-*.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import {
  answerInputBox,
  answerRebaseStep,
  expandTreeItem,
  itWithScreenshot,
  notification,
  pickQuickItem,
  quickInput,
  quickInputBox,
  quickInputRows,
  runCommand,
  treeItem,
  webviewFrame,
  type UiSession,
} from '../harness/ui';
import { closeFaultySession, startFaultySession, type FaultySession } from '../harness/faultySession';
import { fetchManifest, putManifest } from '../../harness/rawRegistry';

describe('UI: Rebase Image dry run and existing targets', () => {
  let s: UiSession;
  let host: string;
  let faulty: string;
  let faults: FaultySession['faults'];

  before(async () => ({ s, host, faulty, faults } = await startFaultySession()));
  after(() => closeFaultySession({ s, faults }));

  const it = itWithScreenshot(() => s?.page);
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const title = (text: string | RegExp) => s.page.locator('.quick-input-widget .quick-input-title', { hasText: text });
  const row = (text: string | RegExp) => quickInputRows(s.page).filter({ hasText: text }).first();
  const view = () => s.page.locator('.sidebar');
  const shoot = async (name: string) => {
    await s.page.mouse.move(700, 600);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, name);
  };

  async function fresh(): Promise<void> {
    await runCommand(s.page, 'View: Close All Editors');
    await runCommand(s.page, 'Notifications: Clear All Notifications');
    await s.page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  }

  /** Palette → app:1 onto base:2 (old base as detected) → the target typed at step 4. */
  async function rebaseApp(registry: string, target: string): Promise<void> {
    await fresh();
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerRebaseStep(s.page, 'image to rebase', `${registry}/app:1`);
    await answerRebaseStep(s.page, 'new base image', `${registry}/base:2`);
    await row('found by layer search').waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, target, 'Rebase Image: target tag to push');
  }

  async function push(target: string): Promise<string> {
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('[data-testid="push-button"]').click();
    const toast = notification(s.page, new RegExp(`Pushed ${escape(target)}@sha256:`));
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    return /@(sha256:[0-9a-f]{64})/.exec((await toast.textContent()) ?? '')![1];
  }

  it('plans in the picker: busy with a line of what it does, and Escape cancels it', async () => {
    await fresh();
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerRebaseStep(s.page, 'image to rebase', `${faulty}/mapp:1`);
    await title('is multi-platform').waitFor({ state: 'visible', timeout: 20_000 });
    await pickQuickItem(s.page, 'All 2 platforms');
    await answerRebaseStep(s.page, 'new base image', `${faulty}/mbase:2`);
    await title('target tag to push').waitFor({ state: 'visible', timeout: 20_000 });
    // Planning every platform reads what the steps did not (each platform's old base): slow it down.
    await faults.clear();
    await faults.add({ method: 'GET', path: '/(manifests|blobs)/', times: 'always', fault: { kind: 'delay', ms: 1_500 } });
    try {
      await answerInputBox(s.page, `${faulty}/mapp:ow-busy`);
      await title(/Rebase Image: dry run for .*mapp:ow-busy/).waitFor({ state: 'visible', timeout: 10_000 });
      await row(/Planning the rebase of every platform of .*mapp:1 onto .*mbase:2 \(dry run\)/).waitFor({ state: 'visible', timeout: 10_000 });
      // VS Code starts the progress bar of a busy quick input after 800 ms.
      await s.page.locator('.quick-input-widget .quick-input-progress.active').waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await quickInputBox(s.page).inputValue(), `${faulty}/mapp:ow-busy`, 'the target stays in the box while it is planned');
      assert.equal(await s.page.locator('.notifications-toasts .notification-toast', { hasText: /Planning/ }).count(), 0, 'no planning notification');
      await shoot('overwrite-planning-busy');

      const before = (await faults.log()).length;
      await s.page.keyboard.press('Escape');
      await quickInput(s.page).waitFor({ state: 'hidden', timeout: 5_000 });
      await s.page.waitForTimeout(3_000);
      assert.equal(await quickInput(s.page).isVisible(), false, 'the flow ended');
      assert.equal(await s.page.locator('iframe.webview.ready').count(), 0, 'no preview after the cancel');
      assert.equal(await s.page.locator('.notifications-toasts .notification-toast').count(), 0, 'a cancel is no news');
      assert.ok((await faults.log()).length - before <= 4, 'planning stopped asking the registry');
    } finally {
      await faults.clear();
    }
  });

  it('a target that already holds the rebased image: nothing would change, nothing is pushed', async () => {
    const target = `${host}/app:ow-same`;
    await rebaseApp(host, target);
    const pushed = await push(target);
    assert.equal((await fetchManifest(host, 'app', 'ow-same')).digest, pushed);

    await rebaseApp(host, target);
    const toast = notification(s.page, new RegExp(`${escape(target)} already holds the rebased image \\(${escape(pushed)}\\): nothing would change`));
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await quickInput(s.page).isVisible(), false, 'no question about replacing');
    assert.equal(await s.page.locator('iframe.webview.ready').count(), 0, 'no preview of a push that changes nothing');
    assert.equal((await fetchManifest(host, 'app', 'ow-same')).digest, pushed, 'the tag is as it was');
    await shoot('overwrite-nothing-would-change');

    await toast.getByRole('button', { name: 'Reveal in Tree' }).click();
    await s.page.waitForFunction(
      () => [...document.querySelectorAll('.sidebar .monaco-list-row.selected')].some((r) => (r.getAttribute('aria-label') ?? '').startsWith('ow-same')),
      undefined,
      { timeout: 20_000 },
    );
  });

  it('a target holding another image: Enter keeps it, and the step comes back with the tag typed', async () => {
    const app1 = await fetchManifest(host, 'app', '1');
    await putManifest(host, 'app', 'ow-diff', app1.body, app1.mediaType);
    const target = `${host}/app:ow-diff`;
    await rebaseApp(host, target);

    await title(/Rebase Image: replace .*app:ow-diff\?/).waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await quickInputRows(s.page).evaluateAll((rows) => rows.map((r) => r.querySelector('.label-name')?.textContent?.trim() ?? ''));
    assert.match(labels[0], /app:ow-diff already exists/);
    assert.equal(labels[1], 'Choose another tag');
    assert.equal(labels[2], `Replace app:ow-diff (now sha256:${app1.digest.slice(7, 19)}…)`);
    const focused = s.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    assert.match((await focused.textContent()) ?? '', /Choose another tag/, 'Enter takes the safe choice');
    assert.match((await row('already exists').textContent()) ?? '', new RegExp(`holds sha256:${app1.digest.slice(7, 19)}…, the rebased image is sha256:[0-9a-f]{12}…`));
    await shoot('overwrite-confirm-replace');

    await s.page.keyboard.press('Enter');
    await title('target tag to push').waitFor({ state: 'visible', timeout: 10_000 });
    await row(`${target} was kept as it is`).waitFor({ state: 'visible' });
    assert.equal(await quickInputBox(s.page).inputValue(), target, 'what was typed is kept');
    assert.equal((await fetchManifest(host, 'app', 'ow-diff')).digest, app1.digest, 'the tag is unchanged');
    assert.equal(await s.page.locator('iframe.webview.ready').count(), 0);
    await shoot('overwrite-kept');
  });

  it('Back keeps the tag typed; replacing it is an explicit choice, and then pushes', async () => {
    // Still at step 4 of the previous test, with the tag in the box.
    const previous = (await fetchManifest(host, 'app', 'ow-diff')).digest;
    const target = `${host}/app:ow-diff`;
    await s.page.keyboard.press('Enter');
    await title(/Rebase Image: replace .*app:ow-diff\?/).waitFor({ state: 'visible', timeout: 30_000 });
    // Back from the question is step 4 with the tag still typed.
    await s.page.locator('.quick-input-widget').getByRole('button', { name: 'Back' }).click();
    await title('target tag to push').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await quickInputBox(s.page).inputValue(), target, 'Back keeps what was typed');
    await s.page.keyboard.press('Enter');
    await title(/Rebase Image: replace .*app:ow-diff\?/).waitFor({ state: 'visible', timeout: 30_000 });
    await row(/^Replace app:ow-diff/).click();
    const pushed = await push(target);
    assert.notEqual(pushed, previous);
    assert.equal((await fetchManifest(host, 'app', 'ow-diff')).digest, pushed, 'the tag holds the rebased image');
    await notification(s.page, /Pushed .*app:ow-diff/).getByRole('button', { name: 'Undo Rebase' }).waitFor({ state: 'visible' });
    await shoot('overwrite-replaced');
  });

  it('HTTP 500 to the manifest PUT: the preview says the tag was read back unchanged, and the tree reloads it', async () => {
    // The faulty registry in the tree, its app repository open: a refresh asks for its tags again.
    await fresh();
    await runCommand(s.page, 'Image Rebase: Add Registry…');
    await quickInputBox(s.page).fill(faulty);
    await row(faulty).waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    // Rows are flat in the DOM: collapse the other registry so that "app" is the faulty one's.
    const plainRow = treeItem(view(), new RegExp(`^${escape(host)}`));
    if ((await plainRow.getAttribute('aria-expanded')) === 'true') await plainRow.locator('.monaco-tl-twistie').click();
    await expandTreeItem(treeItem(view(), new RegExp(`^${escape(faulty)}`)));
    await expandTreeItem(treeItem(view(), /^app(\s|$)/));
    await treeItem(view(), /^1\b/).waitFor({ state: 'visible', timeout: 15_000 });

    const tag = 'ow-fail';
    const target = `${faulty}/app:${tag}`;
    await rebaseApp(faulty, target);
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 30_000 });
    await faults.clear();
    await faults.add({ method: 'PUT', path: `/manifests/${tag}$`, times: 'always', fault: { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk full"}]}' } });
    try {
      const from = (await faults.log()).length;
      await frame.locator('[data-testid="push-button"]').click();
      const status = frame.locator('[data-testid="status"][data-phase="failed"]');
      await status.waitFor({ timeout: 60_000 });
      const text = (await status.textContent()) ?? '';
      assert.match(text, /HTTP 500/);
      assert.match(text, new RegExp(`; ${escape(target)} was read back and is unchanged\\.`), text);
      await assert.rejects(fetchManifest(host, 'app', tag), /→ 404/, 'the registry holds no such tag');
      await notification(s.page, /was read back and is unchanged/).waitFor({ state: 'visible', timeout: 10_000 });
      const log = (await faults.log()).slice(from);
      let put = log.length - 1;
      while (put >= 0 && !(log[put].method === 'PUT' && log[put].path.endsWith(`/manifests/${tag}`))) put--;
      assert.ok(put >= 0, 'the manifest PUT reached the proxy');
      assert.ok(log.slice(put + 1).some((e) => e.method === 'HEAD' && e.path.endsWith(`/manifests/${tag}`)), 'the tag was read back');
      // The tree reloads the target's repository after the failure.
      const deadline = Date.now() + 10_000;
      while (!(await faults.log()).slice(from + put + 1).some((e) => e.method === 'GET' && /\/v2\/app\/tags\/list/.test(e.path))) {
        assert.ok(Date.now() < deadline, 'the tree did not reload app after the failure');
        await s.page.waitForTimeout(200);
      }
      await runCommand(s.page, 'Notifications: Clear All Notifications');
      await shoot('overwrite-manifest-500');
    } finally {
      await faults.clear();
    }
  });
});
