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
