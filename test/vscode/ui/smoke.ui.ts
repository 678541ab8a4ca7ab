// UI smoke test in a real VS Code workbench (code-server in headless Chromium): the extension's
// commands are in the command palette and its view container opens from the activity bar.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { screenshot } from '../harness/browser';
import { openViewContainer, searchCommands, startUiSession, type UiSession } from '../harness/ui';

describe('UI smoke: Image Rebase in the workbench', () => {
  let s: UiSession;
  before(async () => {
    s = await startUiSession();
  });
  after(async () => {
    await s?.close();
  });

  it('lists Image Rebase commands in the command palette', async () => {
    const labels = await searchCommands(s.page, 'Image Rebase');
    await screenshot(s.page, 'smoke-command-palette');
    await s.page.keyboard.press('Escape');
    const ours = labels.filter((l) => l.startsWith('Image Rebase:'));
    assert.ok(ours.length > 0, `no "Image Rebase:" command in the palette; rows: ${JSON.stringify(labels)}`);
  });

  it('opens the Image Rebase view container from the activity bar', async () => {
    await openViewContainer(s.page, 'Image Rebase');
    const header = s.page.locator('.sidebar .composite.title h2');
    await header.filter({ hasText: /image rebase/i }).waitFor({ state: 'visible', timeout: 10_000 });
    // With one view in the container its pane header is hidden: look for the pane's body.
    const pane = s.page.locator('.sidebar .pane').filter({ has: s.page.locator('.pane-header[aria-label^="Registries"]') });
    await pane.locator('.pane-body').first().waitFor({ state: 'visible', timeout: 10_000 });
    // Until the extension has activated the view says no data provider is registered.
    await pane.getByText('There is no data provider registered').waitFor({ state: 'hidden', timeout: 30_000 });
    await screenshot(s.page, 'smoke-view-container');
  });
});
