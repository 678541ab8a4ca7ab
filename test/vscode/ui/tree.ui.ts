// The Registries view's own affordances in the real workbench, at the default sidebar width: the
// inline Rebase action on a tag row, Add Registry's /v2/ check (a closed port: Edit keeps the
// text, Add Anyway adds it), the collapsed registry telling its state, its error row whole, and
// Remove Registry's confirmation. Screenshots: test-artifacts/screenshots/tree-*.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Locator } from 'playwright-core';
import { freePort } from '../../harness/ports';
import { screenshot } from '../harness/browser';
import {
  expandTreeItem,
  itWithScreenshot,
  openViewContainer,
  quickInputBox,
  quickInputRows,
  runCommand,
  runContextMenu,
  startUiSession,
  treeItem,
  type UiSession,
} from '../harness/ui';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('UI: Registries view rows', () => {
  let s: UiSession;
  let host: string;
  let closed: string;

  before(async () => {
    s = await startUiSession({ fixtures: true, settings: { 'imageRebase.network.retries': 1 } });
    host = s.env.IMAGE_REBASE_TEST_REGISTRY;
    // A loopback port nothing listens on: connections are refused.
    closed = `127.0.0.1:${await freePort()}`;
    await openViewContainer(s.page, 'Image Rebase');
  });
  after(async () => {
    await s?.close();
  });

  const it = itWithScreenshot(() => s?.page);
  const view = () => s.page.locator('.sidebar');
  const dialog = () => s.page.locator('.monaco-dialog-box');
  const away = async () => {
    await s.page.mouse.move(900, 700);
    await s.page.waitForTimeout(500);
  };

  /** The row's label and description are whole: nothing is cut off with an ellipsis. */
  async function assertWhole(row: Locator, when: string) {
    const label = row.locator('.monaco-icon-label-container').first();
    const w = await label.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, text: el.textContent }));
    assert.ok(w.scroll <= w.client, `the row's text is cut off ${when} (${JSON.stringify(w)})`);
  }

  it('a tag row has an inline Rebase action that starts the flow with that image', async () => {
    await expandTreeItem(treeItem(view(), new RegExp(`^${escape(host)}`)));
    await expandTreeItem(treeItem(view(), /^app$/));
    const tag = treeItem(view(), /^1\b/);
    await tag.waitFor({ state: 'visible', timeout: 15_000 });
    await tag.hover();
    const action = tag.locator('.actions .action-label[aria-label="Rebase Image"]');
    await action.waitFor({ state: 'visible' });
    await screenshot(s.page, 'tree-tag-inline-rebase');
    await action.click();
    // The source is taken from the row: the picker opens at step 2, naming it.
    const title = s.page.locator('.quick-input-widget .quick-input-title', { hasText: `rebasing ${host}/app:1` });
    await title.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await title.textContent()) ?? '', /2\/4/);
    await away();
    await screenshot(s.page, 'tree-tag-inline-rebase-step2');
    await s.page.keyboard.press('Escape');
    await title.waitFor({ state: 'hidden' });
  });

  it('Add Registry checks /v2/: Edit keeps the text, Add Anyway adds it and the collapsed row says "unreachable"', async () => {
    await runCommand(s.page, 'Image Rebase: Add Registry…');
    await quickInputBox(s.page).fill(closed);
    await quickInputRows(s.page).first().waitFor({ state: 'visible' });
    await s.page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'visible', timeout: 20_000 });
    const text = (await dialog().textContent()) ?? '';
    assert.match(text, new RegExp(`${escape(closed)} does not answer as a container registry`));
    assert.match(text, /connection refused/);
    await screenshot(s.page, 'tree-add-registry-not-answering');

    await dialog().getByRole('button', { name: 'Edit' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await s.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Add Registry' }).waitFor({ state: 'visible' });
    assert.equal(await quickInputBox(s.page).inputValue(), closed, 'Edit keeps what was typed');
    await s.page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'visible', timeout: 20_000 });
    await dialog().getByRole('button', { name: 'Add Anyway' }).click();
    await dialog().waitFor({ state: 'hidden' });

    const row = treeItem(view(), new RegExp(`^${escape(closed)}`));
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await row.getAttribute('aria-expanded'), 'false', 'still collapsed');
    assert.equal((await row.locator('.label-description').textContent())?.trim(), 'unreachable');
    assert.equal(await row.locator('.codicon-error').count(), 1, 'an error icon');
    await assertWhole(row, 'on the collapsed registry');
    await away();
    await screenshot(s.page, 'tree-registry-collapsed-unreachable');

    await expandTreeItem(row);
    const error = treeItem(view(), /— Retry$/);
    await error.waitFor({ state: 'visible', timeout: 20_000 });
    await assertWhole(error, 'at rest');
    await error.hover();
    await error.locator('.actions .action-label[aria-label="Retry"]').waitFor({ state: 'visible' });
    const hover = s.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'connection refused' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    await assertWhole(error, 'beside the Retry icon');
    await screenshot(s.page, 'tree-registry-unreachable-row');
  });

  it('Remove Registry asks first: Escape keeps the registry, Remove removes it', async () => {
    const row = treeItem(view(), new RegExp(`^${escape(closed)}`));
    await runContextMenu(s.page, row, 'Remove Registry');
    await dialog().waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await dialog().textContent()) ?? '', new RegExp(`Remove ${escape(closed)} from the Registries view\\?`));
    await dialog().getByRole('button', { name: 'Cancel' }).waitFor({ state: 'visible' });
    await screenshot(s.page, 'tree-remove-registry-confirm');
    await s.page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'hidden' });
    await s.page.waitForTimeout(500);
    assert.ok(await row.isVisible(), 'Escape keeps the registry');

    await runContextMenu(s.page, row, 'Remove Registry');
    await dialog().waitFor({ state: 'visible', timeout: 10_000 });
    await dialog().getByRole('button', { name: 'Remove' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await treeItem(view(), new RegExp(`^${escape(host)}`)).waitFor({ state: 'visible' });
  });
});
