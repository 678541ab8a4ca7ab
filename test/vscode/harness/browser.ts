// Headless Debian Chromium driven by playwright-core (no browser download: executablePath), and
// opening the VS Code workbench of a code-server with the extension under development loaded
// through the workbench URL's `payload` (code-server ignores --extensionDevelopmentPath).
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, type CodeServer } from './codeServer';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts/screenshots');

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('Chromium not found: run scripts/system-deps.sh (Debian package "chromium") or set CHROMIUM_PATH');
}

/** A headless Chromium with a fresh profile (Playwright makes a temporary one). */
export function launchBrowser(opts: { headless?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: opts.headless ?? true, args: CHROMIUM_FLAGS });
}

export interface WorkbenchOptions {
  /** Absolute path of the extension under development (loaded as in F5 debugging). */
  extensionDevelopmentPath?: string;
  /** Absolute path of the compiled tests' index.js whose run() the extension host runs. */
  extensionTestsPath?: string;
  /** Folder to open (default: the server's workspace). */
  folder?: string;
  /** A browser to open the page in (default: a new one, closed by close()). */
  browser?: Browser;
  viewport?: { width: number; height: number };
  /** Echo every log line as it arrives (the runner forwards extension-host output this way). */
  onLog?: (line: string) => void;
}

export interface Workbench {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Resolves with the code the workbench reports through codeAutomationExit (tests finished). */
  exitCode: Promise<number>;
  /** Lines from codeAutomationLog (extension host console, workbench log) and page errors. */
  logs: string[];
  url: string;
  close(): Promise<void>;
}

/** vscode-remote://127.0.0.1:PORT/abs/path: a path on the server as the browser's workbench names it. */
export function remoteUri(server: CodeServer, absPath: string): string {
  const p = resolve(absPath).split('/').map(encodeURIComponent).join('/');
  return `vscode-remote://${server.authority}${p}`;
}

export function workbenchUrl(server: CodeServer, opts: Pick<WorkbenchOptions, 'extensionDevelopmentPath' | 'extensionTestsPath' | 'folder'>): string {
  const params = new URLSearchParams();
  params.set('folder', resolve(opts.folder ?? server.workspace));
  const payload: [string, string][] = [];
  if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(server, opts.extensionDevelopmentPath)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server, opts.extensionTestsPath)]);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.url}?${params.toString()}`;
}

export async function openWorkbench(server: CodeServer, opts: WorkbenchOptions = {}): Promise<Workbench> {
  const ownBrowser = !opts.browser;
  const browser = opts.browser ?? (await launchBrowser());
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  const logs: string[] = [];
  const log = (line: string) => {
    logs.push(line);
    opts.onLog?.(line);
  };
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (resolveExit = r));
  // Both must exist before the workbench script runs: it looks them up once.
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
    const text = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
    log(type === 'info' || type === 'log' ? text : `[${type}] ${text}`);
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => {
    resolveExit(typeof code === 'number' ? code : Number(code) || 0);
  });
  page.on('pageerror', (err) => log(`[pageerror] ${err.message}`));
  const url = workbenchUrl(server, opts);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return {
    browser,
    context,
    page,
    exitCode,
    logs,
    url,
    close: async () => {
      await context.close().catch(() => {});
      if (ownBrowser) await browser.close().catch(() => {});
    },
  };
}

/** Waits until the workbench has rendered (and, by default, its extension host is up). */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.activitybar').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Saves a PNG to test-artifacts/screenshots/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string, opts: { settleMs?: number; fullPage?: boolean } = {}): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // Notifications and menus animate in.
  await page.waitForTimeout(opts.settleMs ?? 400);
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
  return file;
}
