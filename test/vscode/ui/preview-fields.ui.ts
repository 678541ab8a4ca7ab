// The "Config and manifest changes" of the Rebase Preview as a user sees it (code-server in
// headless Chromium): a plain base swap of the test bed's app:1 from base:1 onto base:2 lists only
// what really changes (base layers swapped, the new base's Env, our base annotations, digests and
// sizes), says the app part is kept, and a shortened digest is a Tab stop whose accessible name
// is the full digest, shown on focus and copied on Enter. Screenshots: test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { answerInputBox, answerRebaseStep, itWithScreenshot, quickInputRows, runCommand, startUiSession, webviewFrame, type UiSession } from '../harness/ui';

describe('UI: the real changes in the Rebase Preview', () => {
  let s: UiSession;
  let host: string;
  let seed: { app1Layers: string[] };

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    seed = JSON.parse(s.env.IMAGE_REBASE_TEST_SEED);
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);

  it('a plain base swap lists the base layers swapped and the few real changes, not every shifted entry', async () => {
    await runCommand(s.page, 'Image Rebase: Rebase Image');
    await answerRebaseStep(s.page, 'image to rebase', `${host}/app:1`);
    await answerRebaseStep(s.page, 'new base image', `${host}/base:2`);
    await quickInputRows(s.page).filter({ hasText: 'found by layer search' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.keyboard.press('Enter');
    await answerInputBox(s.page, `${host}/app:1-fields`, 'Rebase Image: target tag to push');

    const frame = webviewFrame(s.page);
    const section = frame.locator('[data-testid="field-changes"]');
    await section.waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await section.locator('[data-testid="field-change"]').evaluateAll((trs) =>
      trs.map((tr) => ({
        path: tr.getAttribute('data-path'),
        kind: tr.getAttribute('data-kind'),
        label: tr.querySelector('th')?.textContent,
        // A digest's cell holds the short digits; its button carries the whole value.
        old: tr.querySelector('td.old [data-digest]')?.getAttribute('data-digest') ?? tr.querySelector('td.old .value')?.textContent ?? null,
        new: tr.querySelector('td.new [data-digest]')?.getAttribute('data-digest') ?? tr.querySelector('td.new .value')?.textContent ?? null,
      })),
    );
    const heading = (await frame.locator('[data-testid="field-changes-heading"]').textContent())?.trim();
    assert.equal(heading, `Config and manifest changes (${rows.length})`, 'the header counts the listed changes');
    assert.ok(rows.length <= 12, `a base swap is a short list, not ${rows.length} positional changes`);

    const layers = rows.filter((r) => r.path!.startsWith('manifest.layers'));
    const added = await frame.locator('[data-testid="layer-row"][data-change="added"] [data-testid="layer-cell"][data-side="new"]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-digest')));
    assert.deepEqual(
      layers.map((r) => [r.label, r.kind, r.old ?? r.new]),
      [['Old base layer 1', 'removed', seed.app1Layers[0]], ...added.map((digest, i) => [`New base layer ${i + 1}`, 'added', digest])],
    );
    assert.ok(!rows.some((r) => r.path!.startsWith('config.rootfs.diff_ids')), 'diff_ids are summarised with the layers');
    assert.ok(!rows.some((r) => seed.app1Layers.slice(1).includes(r.old ?? r.new ?? '')), 'no app layer is listed');
    const byPath = (p: string) => rows.find((r) => r.path === p);
    assert.deepEqual(byPath('config.config.Env[BASE]'), { path: 'config.config.Env[BASE]', kind: 'added', label: 'Env BASE', old: null, new: '2' });
    assert.equal(byPath('manifest.annotations[org.opencontainers.image.base.name]')?.new, `${host}/base:2`);
    for (const p of ['manifest.config.digest', 'manifest.config.size', 'image.size']) assert.equal(byPath(p)?.kind, 'changed', p);
    const notes = await section.locator('[data-testid="field-note"]').allTextContents();
    assert.ok(notes.some((n) => /^Kept unchanged: 2 app layers and the last \d+ history entries\.$/.test(n)), notes.join(' | '));
    assert.ok(notes.some((n) => n.startsWith('Base part replaced in manifest.layers and config.rootfs.diff_ids: 1 old base layer → 2 new base layers')), notes.join(' | '));

    await section.scrollIntoViewIfNeeded();
    await s.page.mouse.move(5, 5);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'preview-fields');
  });

  it('a shortened digest is a Tab stop named by the full digest, shown on focus and copied on Enter', async () => {
    const frame = webviewFrame(s.page);
    // Start the Tab order at the section heading, as a reader moving down the page would.
    await frame.locator('[data-testid="field-changes-heading"]').click();
    let focused: { testid?: string; digest?: string; name?: string | null } = {};
    for (let i = 0; i < 10 && focused.testid !== 'digest'; i++) {
      await s.page.keyboard.press('Tab');
      focused = await frame.locator('body').evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        return { testid: a?.dataset.testid, digest: a?.dataset.digest, name: a?.getAttribute('aria-label') };
      });
    }
    assert.equal(focused.testid, 'digest', 'Tab reaches the first digest of the list');
    assert.equal(focused.digest, seed.app1Layers[0], 'the old base layer, first in the list');
    // Its accessible name, as a screen reader computes it, is the whole digest.
    assert.ok((await frame.getByRole('button', { name: seed.app1Layers[0], exact: true }).count()) >= 1, 'found by role and name');
    const active = frame.locator('[data-testid="field-changes"] [data-testid="digest"]:focus');
    assert.match(await active.ariaSnapshot(), new RegExp(`button "${seed.app1Layers[0]}"`));
    assert.equal(await active.locator('.digest-short').textContent(), seed.app1Layers[0].slice(7, 19), 'the short form shows on the page');
    const full = active.locator('.digest-full');
    assert.ok(await full.isVisible(), 'the full value shows on focus, for sighted keyboard users');
    assert.match((await full.textContent()) ?? '', new RegExp(`^${seed.app1Layers[0]}`));
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'preview-fields-digest-focus');

    await s.page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
    await s.page.keyboard.press('Enter');
    const status = frame.locator('[data-testid="copy-status"]');
    await status.filter({ hasText: seed.app1Layers[0] }).waitFor({ state: 'attached', timeout: 5_000 });
    assert.equal(await status.textContent(), `Copied ${seed.app1Layers[0]}`);
    assert.equal(await active.getAttribute('data-copied'), 'true');
    assert.equal(await s.page.evaluate(() => navigator.clipboard.readText()), seed.app1Layers[0], 'the whole digest is on the clipboard');
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'preview-fields-digest-copied');

    // Every shortened digest of the page is such a button: header facts and the layers table too.
    for (const testid of ['old-base', 'new-base', 'source']) {
      const d = frame.locator(`[data-testid="${testid}"] [data-testid="digest"]`);
      assert.equal(await d.count(), 1, testid);
      assert.equal(await d.getAttribute('aria-label'), await d.getAttribute('data-digest'), testid);
    }
    const cells = frame.locator('[data-testid="layer-cell"]:not([data-empty]) [data-testid="digest"]');
    assert.equal(await cells.count(), await frame.locator('[data-testid="layer-cell"]:not([data-empty])').count());
    await frame.locator('[data-testid="old-base"] [data-testid="digest"]').focus();
    await frame.locator('[data-testid="preview-title"]').scrollIntoViewIfNeeded();
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'preview-fields-header-digest-focus');
  });
});
