// Truthful push results, in a real VS Code against a real registry: a cancel during the manifest
// PUT reports what the tag really holds (read back from the registry here, not taken from the UI),
// and Reveal in Tree selects the new tag even from a collapsed registry, repeatedly.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { answerInputBox, itWithScreenshot, notification, quickInputRows, runCommand, treeItem, webviewFrame, type UiSession, answerRebaseStep } from '../harness/ui';
import { closeFaultySession, startFaultySession, type FaultySession } from '../harness/faultySession';
import { fetchManifest } from '../../harness/rawRegistry';

describe('UI: truthful push results', () => {
  let s: UiSession;
  let host: string;
  let faulty: string;
  let faults: FaultySession['faults'];

  before(async () => ({ s, host, faulty, faults } = await startFaultySession()));
  after(() => closeFaultySession({ s, faults }));

  const it = itWithScreenshot(() => s?.page);
  const view = () => s.page.locator('.sidebar');
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  const answerStep = (step: string, value: string) => answerRebaseStep(s.page, step, value);

  /** Palette → the four steps (typed references) → the preview webview. */
  async function openPreview(registry: string, target: string) {
    await runCommand(s.page, 'View: Close All Editors');
    await s.page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerStep('image to rebase', `${registry}/app:1`);
    await answerStep('new base image', `${registry}/base:2`);
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, target, 'Rebase Image: target tag to push');
    const frame = webviewFrame(s.page);
    await frame.locator('[data-testid="target"]', { hasText: target }).waitFor({ state: 'visible', timeout: 20_000 });
    return frame;
  }

  /** Waits until the proxy has seen the manifest PUT of `tag` (and returns how many it has seen). */
  async function waitForPut(tag: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const re = new RegExp(`/manifests/${escape(tag)}$`);
    while (Date.now() < deadline) {
      if ((await faults.log()).some((e) => e.method === 'PUT' && re.test(e.path))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no manifest PUT of ${tag} reached the proxy`);
  }

  it('cancel after the manifest PUT reached the registry: says pushed, with the digest the tag holds', async () => {
    const tag = 'truth-late-cancel';
    const target = `${faulty}/app:${tag}`;
    const frame = await openPreview(faulty, target);
    await faults.clear();
    await faults.add({ method: 'PUT', path: `/manifests/${tag}$`, times: 1, fault: { kind: 'hold-answer', ms: 6_000 } });
    await frame.locator('[data-testid="push-button"]').click();
    await waitForPut(tag);
    await s.page.waitForTimeout(700); // the registry has stored it; its answer is held back
    await frame.locator('[data-testid="cancel-button"]').click();

    const status = frame.locator('[data-testid="status"][data-phase="done"]');
    await status.waitFor({ timeout: 30_000 });
    const text = (await status.textContent()) ?? '';
    const held = await fetchManifest(host, 'app', tag);
    assert.ok(text.includes(held.digest), `the preview names the digest the tag holds: ${text}`);
    assert.match(text, /cancel came too late/);
    const toast = notification(s.page, new RegExp(`Pushed .*app:${tag}@${escape(held.digest)}.*cancel came too late`));
    await toast.waitFor({ state: 'visible', timeout: 10_000 });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'truth-cancel-too-late');
  });

  it('cancel before the manifest PUT reached the registry: says not changed, and the tag is unchanged', async () => {
    const tag = 'truth-early-cancel';
    const target = `${faulty}/app:${tag}`;
    const frame = await openPreview(faulty, target);
    await faults.clear();
    await faults.add({ method: 'PUT', path: `/manifests/${tag}$`, times: 1, fault: { kind: 'delay', ms: 4_000 } });
    await frame.locator('[data-testid="push-button"]').click();
    await waitForPut(tag);
    await frame.locator('[data-testid="cancel-button"]').click();

    const status = frame.locator('[data-testid="status"][data-phase="cancelled"]');
    await status.waitFor({ timeout: 30_000 });
    assert.match((await status.textContent()) ?? '', new RegExp(`Cancelled; ${escape(target)} was not changed`));
    await notification(s.page, /was not changed/).waitFor({ state: 'visible', timeout: 10_000 });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'truth-cancel-not-changed');
    // Past the proxy's delay: the PUT it held must not have reached the registry.
    await s.page.waitForTimeout(4_500);
    await assert.rejects(fetchManifest(host, 'app', tag), /→ 404/);
  });

  for (let run = 1; run <= 5; run++) {
    it(`Reveal in Tree selects the new tag from a collapsed registry (run ${run} of 5)`, async () => {
      await faults.clear();
      const tag = `zz-reveal-${run}`;
      // `many` has 25 tags and pages of 10: the new tag sorts last, on a page not loaded yet.
      const target = `${host}/many:${tag}`;
      const frame = await openPreview(host, target);
      const registryRow = treeItem(view(), new RegExp(`^${escape(host)}`));
      await registryRow.waitFor({ state: 'visible' });
      // The twistie, not the row: a click on an already selected row may only select it.
      for (let i = 0; i < 5 && (await registryRow.getAttribute('aria-expanded')) === 'true'; i++) {
        await registryRow.locator('.monaco-tl-twistie').click();
        await s.page.waitForTimeout(300);
      }
      assert.equal(await registryRow.getAttribute('aria-expanded'), 'false', 'the registry row is collapsed before the push');

      await frame.locator('[data-testid="push-button"]').click();
      const toast = notification(s.page, new RegExp(`Pushed .*many:${tag}@sha256:`));
      await toast.waitFor({ state: 'visible', timeout: 30_000 });
      await toast.getByRole('button', { name: 'Reveal in Tree' }).click();

      const selected = view().locator('.monaco-list-row.selected');
      await s.page.waitForFunction(
        (t) => [...document.querySelectorAll('.sidebar .monaco-list-row.selected')].some((r) => (r.getAttribute('aria-label') ?? '').startsWith(t)),
        tag,
        { timeout: 20_000 },
      );
      const labels = await selected.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
      assert.equal(labels.length, 1, `one selected row: ${labels.join(' | ')}`);
      assert.ok(labels[0].startsWith(tag));
      assert.equal(await selected.first().getAttribute('aria-selected'), 'true');
      if (run === 5) {
        await s.page.waitForTimeout(400);
        await screenshot(s.page, 'truth-reveal-in-tree');
      }
      // Close the toast so the next run's is the one found.
      await s.page.keyboard.press('Escape');
    });
  }
});
