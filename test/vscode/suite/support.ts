// Shared by the extension-host suites that run the Rebase Image command (bundled into each).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PreviewModel, PushStatus, WebviewMessage } from '../../../src/shared/previewProtocol';

/** The preview panel object comes from the extension's bundle: used through this shape only. */
export interface Panel {
  panel: vscode.WebviewPanel;
  session: { model: PreviewModel; status: PushStatus };
  handle(m: WebviewMessage): Promise<void>;
}

export async function rebase(args: Record<string, unknown>): Promise<Panel | undefined> {
  return (await vscode.commands.executeCommand('imageRebase.rebaseImage', args)) as Panel | undefined;
}

/**
 * Pulls an image with containerd, which runs beside the registries in the test runner (reached
 * through the fixtures' control endpoint), and returns the files asked for (null when absent).
 */
export async function pullFiles(ref: string, files: string[], platform?: string): Promise<Record<string, string | null>> {
  const q = new URLSearchParams({ ref });
  for (const f of files) q.append('file', f);
  if (platform) q.set('platform', platform);
  const res = await fetch(`${process.env.IMAGE_REBASE_TEST_CONTROL}/pull?${q}`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}

/** A row of the Registries tree, through the shape the suites use. */
export type TreeRow = { item(): vscode.TreeItem };
type TreeApi = { getChildren(node?: never): vscode.ProviderResult<unknown[]> };

export function rowLabel(n: TreeRow): string {
  const l = n.item().label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

/**
 * The child row named `name`, following "Load more…" until it shows: other suites add
 * repositories to the shared registry, so a row may sit past the first page.
 */
export async function treeChild(tree: TreeApi, parent: TreeRow | undefined, name: string): Promise<TreeRow> {
  const list = async () => ((await tree.getChildren(parent as never)) ?? []) as TreeRow[];
  let all = await list();
  for (let more = all.find((n) => rowLabel(n) === 'Load more…'); more && !all.some((n) => rowLabel(n) === name); more = all.find((n) => rowLabel(n) === 'Load more…')) {
    await vscode.commands.executeCommand('imageRebase.loadMore', more);
    all = await list();
  }
  const c = all.find((n) => rowLabel(n) === name);
  assert.ok(c, `${name} under ${parent ? rowLabel(parent) : 'the Registries view'} (have: ${all.map(rowLabel).join(', ')})`);
  return c;
}

/**
 * Runs a command that asks in the picker and presses Enter for every step it asks, as a user
 * taking each offered answer would (the detected old base, the suggested target), until it ends.
 */
export async function runTakingOffers<T>(command: string, ...args: unknown[]): Promise<T | undefined> {
  let settled = false;
  const pending = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => (settled = true));
  while (!settled) {
    await new Promise((r) => setTimeout(r, 200));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  return pending;
}

/** Polls until `fn` gives a truthy value: settings and background work arrive through events. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 5000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
