import { it as nodeIt } from 'node:test';
// Helpers for UI tests that drive the real VS Code workbench (code-server in headless Chromium)
// with Playwright: one session per test file (startUiSession), and locators/actions for the
// activity bar, trees, context menus, the command palette, notifications and webviews.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { openWorkbench, screenshot, waitForWorkbench, type Workbench } from './browser';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';

export interface UiFixtures {
  env: Record<string, string>;
  settings?: Record<string, unknown>;
  workspace?: string;
  teardown(): Promise<void>;
}

export interface UiSessionOptions {
  /** Call setup() of test/vscode/fixtures.ts (real registries) and use its env/settings/workspace. */
  fixtures?: boolean;
  /** More user settings (over the fixtures' ones). */
  settings?: Record<string, unknown>;
  /** More environment for code-server and the extension host. */
  env?: Record<string, string>;
  /** Folder to open (default: the fixtures' workspace, else an empty temporary folder). */
  workspace?: string;
  /** Extension folder (default: IMAGE_REBASE_EXTENSION_PATH or the repo root; dist/ must be built). */
  extensionPath?: string;
  viewport?: { width: number; height: number };
  /**
   * Title of a view container the extension contributes: the session is ready once its activity
   * bar icon shows (the extension's contributions are loaded). Default "Image Rebase"; '' skips.
   */
  readyContainer?: string;
}

export interface UiSession {
  server: CodeServer;
  workbench: Workbench;
  page: Page;
  fixtures?: UiFixtures;
  /** Env the extension host got (fixtures' + options'), e.g. IMAGE_REBASE_TEST_REGISTRY. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts code-server with the extension under development (no tests path: the workbench stays
 * up), opens it in headless Chromium and waits until the workbench has rendered.
 */
export async function startUiSession(opts: UiSessionOptions = {}): Promise<UiSession> {
  const extensionPath = opts.extensionPath ?? (process.env.IMAGE_REBASE_EXTENSION_PATH || REPO_ROOT);
  if (extensionPath === REPO_ROOT && !existsSync(join(REPO_ROOT, 'dist/extension.js'))) {
    throw new Error('dist/extension.js is missing: run npm run build first (test/vscode/runUiTests.ts does)');
  }
  let fixtures: UiFixtures | undefined;
  let server: CodeServer | undefined;
  let tmpWorkspace: string | undefined;
  const cleanup = async (wb?: Workbench) => {
    await wb?.close();
    await server?.stop();
    if (tmpWorkspace) await rm(tmpWorkspace, { recursive: true, force: true });
    await fixtures?.teardown();
  };
  try {
    if (opts.fixtures) {
      const mod = await import(pathToFileURL(join(REPO_ROOT, 'test/vscode/fixtures.ts')).href);
      fixtures = (await (mod.setup ?? mod.default?.setup)()) as UiFixtures;
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (k.startsWith('IMAGE_REBASE_TEST_') && v !== undefined) env[k] = v;
    Object.assign(env, fixtures?.env, opts.env);
    let workspace = opts.workspace ?? fixtures?.workspace;
    if (!workspace) workspace = tmpWorkspace = await mkdtemp(join(tmpdir(), 'image-rebase-ui-workspace-'));
    server = await startCodeServer({ workspace, env, settings: { ...fixtures?.settings, ...opts.settings } });
    const workbench = await openWorkbench(server, { extensionDevelopmentPath: extensionPath, viewport: opts.viewport });
    try {
      await waitForWorkbench(workbench.page);
      const ready = opts.readyContainer ?? 'Image Rebase';
      if (ready) await activityBarItem(workbench.page, ready).waitFor({ state: 'visible', timeout: 60_000 });
    } catch (err) {
      await screenshot(workbench.page, 'ui-session-start-failed').catch(() => {});
      await cleanup(workbench);
      throw err;
    }
    const s = server;
    return { server: s, workbench, page: workbench.page, fixtures, env, close: () => cleanup(workbench) };
  } catch (err) {
    if (server) await cleanup();
    else await fixtures?.teardown().catch(() => {});
    throw err;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches a whole text (after whitespace normalisation), not a substring. */
export const exactly = (text: string) => new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);

// ---- activity bar, views, trees, menus ---------------------------------------------------------

/** The activity bar icon of a view container, by its title (aria-label starts with it). */
export function activityBarItem(page: Page, containerTitle: string): Locator {
  return page.locator(`.activitybar .action-item a[aria-label^="${containerTitle.replace(/"/g, '\\"')}"]`).first();
}

/** Opens a view container from the activity bar (does not toggle it closed if already open). */
export async function openViewContainer(page: Page, containerTitle: string): Promise<void> {
  const item = activityBarItem(page, containerTitle);
  await item.waitFor({ state: 'visible' });
  const checked = await item.locator('xpath=..').getAttribute('class');
  if (!checked?.includes('checked')) await item.click();
}

/** A tree row by its accessible name (label plus description, as VS Code builds it). */
export function treeItem(page: Page | Locator, name: string | RegExp): Locator {
  return page.getByRole('treeitem', { name }).first();
}

/** Expands a collapsed tree row (clicking the twistie, or the row). */
export async function expandTreeItem(item: Locator): Promise<void> {
  await item.waitFor({ state: 'visible' });
  if ((await item.getAttribute('aria-expanded')) === 'false') await item.click();
}

/** Right-clicks a target and returns the context menu item with this name (to click). */
export async function contextMenuItem(page: Page, target: Locator, name: string | RegExp): Promise<Locator> {
  await target.click({ button: 'right' });
  const item = page.getByRole('menuitem', { name: typeof name === 'string' ? exactly(name) : name }).first();
  await item.waitFor({ state: 'visible' });
  return item;
}

/** Right-clicks a target and clicks the named item of its context menu. */
export async function runContextMenu(page: Page, target: Locator, name: string | RegExp): Promise<void> {
  // A click straight after the menu opens can land during its animation and be lost; hovering
  // highlights the item and Enter runs it, as with the keyboard.
  const item = await contextMenuItem(page, target, name);
  await page.waitForTimeout(300);
  await item.hover();
  await page.keyboard.press('Enter');
  await item.waitFor({ state: 'hidden' });
}

/** A view's title-bar action (icon button) by its title. */
export function viewTitleAction(page: Page, viewName: string, actionTitle: string): Locator {
  return page
    .locator('.pane')
    .filter({ has: page.locator('.pane-header', { hasText: viewName }) })
    .locator(`.actions-container .action-label[aria-label^="${actionTitle.replace(/"/g, '\\"')}"]`)
    .first();
}

// ---- command palette and quick input -------------------------------------------------------------

export const quickInput = (page: Page) => page.locator('.quick-input-widget');
export const quickInputBox = (page: Page) => page.locator('.quick-input-widget .quick-input-box input');
export const quickInputRows = (page: Page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** The row the palette shows when nothing matches. */
const NO_COMMANDS = 'No matching commands';

/**
 * Opens the command palette with F1 and types `>` + query; returns the rows' labels. The palette
 * takes its command list when it opens, so while it finds nothing (extension still loading) it is
 * closed and opened again, for up to timeoutMs.
 */
export async function searchCommands(page: Page, query: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await openPalette(page);
    await quickInputBox(page).fill(`>${query}`);
    await quickInputRows(page).first().waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
    await page.waitForTimeout(200);
    const labels = (await quickInputRows(page).locator('.label-name').allTextContents()).map((t) => t.trim()).filter((t) => t && t !== NO_COMMANDS);
    if (labels.length > 0 || Date.now() > deadline) return labels;
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
}

export async function openPalette(page: Page): Promise<void> {
  if (await quickInput(page).isVisible()) await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await quickInputBox(page).waitFor({ state: 'visible' });
}

/**
 * Runs a command from the palette by its full title as shown ("Image Rebase: Refresh"). The
 * fuzzy ranking may put another command first, so the row whose label equals the title is clicked.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  // A quick input that is still closing (a picker just answered) can take the new palette down
  // with it: open it again when typing finds it gone.
  for (let attempt = 1; ; attempt++) {
    await openPalette(page);
    try {
      await quickInputBox(page).fill(`>${title}`, { timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.waitForTimeout(300);
    }
  }
  const row = quickInputRows(page).filter({ has: page.locator('.label-name', { hasText: exactly(title) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
  // The palette closes when the command starts; a command that opens its own quick input
  // (a QuickPick, an InputBox) shows it again with another title.
  await page.locator('.quick-input-widget .quick-input-box input[aria-label="Type the name of a command to run."]').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}

/** Picks the quick-pick row whose label is exactly this text. */
export async function pickQuickItem(page: Page, label: string): Promise<void> {
  const row = quickInputRows(page).filter({ has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

/**
 * Answers one step of the Rebase Image picker by typing: waits for that step's title (typing into
 * the previous step would be lost), then for an offered row matching the value, then Enter.
 */
export async function answerRebaseStep(page: Page, step: string, value: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `Rebase Image: ${step}` }).waitFor({ state: 'visible', timeout: 20_000 });
  await quickInputBox(page).fill(value);
  await quickInputRows(page).filter({ hasText: value }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** Types into an open input box (showInputBox) and confirms with Enter. */
export async function answerInputBox(page: Page, text: string, title?: string | RegExp): Promise<void> {
  // With a title, wait for that very input box: typing into the previous step's would be lost.
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  const box = quickInputBox(page);
  await box.waitFor({ state: 'visible' });
  await box.fill(text);
  await box.press('Enter');
}

// ---- notifications, editors, webviews ------------------------------------------------------------

/** A notification toast containing this text. */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
}

/** A tab of an open editor by its label. */
export function editorTab(page: Page, label: string | RegExp): Locator {
  return page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
}

/** CodeLens links by their text. */
export function codeLens(page: Page, text: string | RegExp): Locator {
  return page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: text }).first();
}

/**
 * The DOM of the newest (or the nth) webview: it sits two iframes deep, an outer
 * `iframe.webview.ready` and the `iframe#active-frame` holding the extension's HTML.
 */
export function webviewFrame(page: Page, index?: number): FrameLocator {
  const outer = page.locator('iframe.webview.ready');
  return (index === undefined ? outer.last() : outer.nth(index)).contentFrame().locator('iframe#active-frame').contentFrame();
}

/**
 * node:test's `it`, leaving a screenshot of the moment a test fails behind
 * (test-artifacts/screenshots/failed-*): UI failures are read from pictures.
 */
export function itWithScreenshot(page: () => Page | undefined) {
  return (name: string, fn: () => Promise<void>) =>
    nodeIt(name, async () => {
      try {
        await fn();
      } catch (e) {
        const p = page();
        if (p) await screenshot(p, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
        throw e;
      }
    });
}
