// The Dockerfile CodeLens as a user sees it, in a real VS Code against the fixtures' registry: the
// newer tag of an unpinned FROM's line ("Newer base: base:2", "Rebase onto base:2…") starting the
// Rebase Image flow with base:2 as the new base; and pinned FROMs, where moving the pin is offered
// only to a newer image and a tag moved back to an older one is said, not offered. Screenshots go
// to test-artifacts/screenshots/codelens-*.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { screenshot } from '../harness/browser';
import { answerInputBox, codeLens, editorTab, itWithScreenshot, quickInput, quickInputBox, quickInputRows, runCommand, startUiSession, type UiSession } from '../harness/ui';
import { fetchBlob, fetchManifest, putManifest, uploadBlob } from '../../harness/rawRegistry';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** base:1's layer under a config of our own date, in `repo`, by digest and under `tag`. */
async function craftImage(host: string, base1: string, repo: string, created: string, tag: string): Promise<string> {
  const m = await fetchManifest(host, 'base', base1);
  const config = JSON.parse((await fetchBlob(host, 'base', m.json.config.digest)).toString());
  for (const layer of m.json.layers) {
    const mount = await fetch(`http://${host}/v2/${repo}/blobs/uploads/?mount=${layer.digest}&from=base`, { method: 'POST' });
    assert.equal(mount.status, 201);
  }
  config.created = created;
  config.config = { ...config.config, Labels: { 'org.example.note': tag } };
  const bytes = JSON.stringify(config);
  const manifest = { ...m.json, config: { ...m.json.config, digest: await uploadBlob(host, repo, bytes), size: Buffer.byteLength(bytes) } };
  return putManifest(host, repo, tag, JSON.stringify(manifest), OCI_MANIFEST);
}

describe('UI: Dockerfile CodeLens', () => {
  let s: UiSession;
  let host: string;
  let seed: { base1: string; base2: string };

  before(async () => {
    s = await startUiSession({ fixtures: true });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    seed = JSON.parse(s.env.IMAGE_REBASE_TEST_SEED);
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);
  const title = (text: string) => s.page.locator('.quick-input-widget .quick-input-title', { hasText: text });
  /** Lenses without a command are plain text, not links: any lens by its text. */
  const lensText = (text: string | RegExp) => s.page.locator('.monaco-editor .codelens-decoration').filter({ hasText: text }).first();

  async function openDockerfile(text: string) {
    await writeFile(join(s.fixtures!.workspace!, 'Dockerfile'), text);
    await runCommand(s.page, 'View: Close All Editors');
    await s.page.keyboard.press('Control+P');
    await quickInputBox(s.page).fill('Dockerfile');
    await quickInputRows(s.page).filter({ hasText: 'Dockerfile' }).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await editorTab(s.page, /^Dockerfile$/).waitFor({ state: 'visible', timeout: 10_000 });
  }

  it('hints at base:2 above FROM base:1, and "Rebase onto base:2…" opens the flow with it as the new base', async () => {
    await openDockerfile(`FROM ${host}/base:1\nCOPY hello.txt /app/\n`);
    const onto = codeLens(s.page, 'Rebase onto base:2…');
    await onto.waitFor({ state: 'visible', timeout: 30_000 });
    await codeLens(s.page, 'Newer base: base:2').waitFor({ state: 'visible' });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'codelens-newer-tag');

    await onto.click();
    await answerInputBox(s.page, `${host}/app:1`, 'Which pushed image does Dockerfile build?');
    // The new base was given by the lens: the flow goes on at step 3, the old base.
    await title(`old base the image was built on (rebasing ${host}/app:1)`).filter({ hasText: '3/4' }).waitFor({ state: 'visible', timeout: 30_000 });
    await quickInputRows(s.page).filter({ hasText: `${host}/base:1` }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'codelens-rebase-onto-newer-old-base');
    // Back shows the new base step with base:2 entered.
    await s.page.locator('.quick-input-widget').getByRole('button', { name: 'Back' }).click();
    await title('new base image').filter({ hasText: '2/4' }).waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await quickInputBox(s.page).inputValue(), `${host}/base:2`);
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'codelens-rebase-onto-newer-new-base');
    await s.page.keyboard.press('Escape');
    await quickInput(s.page).waitFor({ state: 'hidden' });
  });

  it('offers moving a pin only to a newer image, and says when a tag moved back', async () => {
    // lens/ui:back was moved back to an image built before the pinned one.
    const pinned = await craftImage(host, seed.base1, 'lens/ui', '2024-06-01T00:00:00Z', 'was');
    await craftImage(host, seed.base1, 'lens/ui', '2024-01-01T00:00:00Z', 'back');
    // base:2 was built after base:1 (the fixtures build them in that order).
    await openDockerfile(`FROM ${host}/lens/ui:back@${pinned} AS rolled-back\nRUN true\nFROM ${host}/base:2@${seed.base1}\nCOPY hello.txt /app/\n`);
    const newer = codeLens(s.page, /Newer base available \(built \d{4}-\d{2}-\d{2}\)/);
    await newer.waitFor({ state: 'visible', timeout: 30_000 });
    const older = lensText('back now points to an older image; pin kept');
    await older.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await s.page.locator('.monaco-editor .codelens-decoration a', { hasText: 'older image' }).count(), 0, 'nothing to click on the older one');
    await s.page.waitForTimeout(400);
    await screenshot(s.page, 'codelens-pins');
    await newer.click();
    await s.page.locator('.monaco-editor .view-lines').filter({ hasText: seed.base2.slice(0, 30) }).first().waitFor({ timeout: 10_000 });
    assert.equal(await s.page.locator('.monaco-editor .view-lines').filter({ hasText: pinned.slice(0, 30) }).count(), 1, 'the older pin is untouched');
  });
});
