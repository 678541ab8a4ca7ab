// The Rebase Image benchmark, run inside a real VS Code by `npm run bench`: from the command to
// the open Rebase Preview for app:1 onto base:2 on a registry 1.5 s away (every request held that
// long by a proxy), with the image, new base and target given as arguments, as the CodeLens and
// tests do, and the detected old base confirmed at once (Enter on step 3, sent as VS Code's own
// accept command while the step waits).
// Each document is fetched once and shared from picking to planning, so the time is the chain of
// requests that depend on each other, not their number. Prints figures; asserts what it measured.
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import type { PreviewModel } from '../../../src/shared/previewProtocol';

const FAR = process.env.IMAGE_REBASE_BENCH_FAR_REGISTRY!;
const DELAY_MS = Number(process.env.IMAGE_REBASE_BENCH_FAR_DELAY_MS);

describe('bench: Rebase Image on a far registry', function () {
  this.timeout(180_000);

  it(`command to preview, app:1 onto base:2, every request held ${DELAY_MS} ms`, async () => {
    const api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
    const before = new Map(api.services.client.stats.byKind);
    const t0 = performance.now();
    let done = false;
    const opened = Promise.resolve(
      vscode.commands.executeCommand('imageRebase.rebaseImage', {
        source: `${FAR}/app:1`,
        newBase: `${FAR}/base:2`,
        target: `${FAR}/app:bench-far-${Date.now()}`,
      }),
    ).finally(() => (done = true));
    // Enter is ignored while a step is busy; the first one after the old base is detected counts.
    while (!done) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await new Promise((r) => setTimeout(r, 100));
    }
    const panel = (await opened) as { session: { model: PreviewModel } } | undefined;
    const ms = performance.now() - t0;
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.newBase.reference, `${FAR}/base:2`);
    const requests = Object.fromEntries([...api.services.client.stats.byKind].map(([k, v]) => [k, v - (before.get(k) ?? 0)]).filter(([, v]) => (v as number) > 0));
    const total = (Object.values(requests) as number[]).reduce((n, v) => n + v, 0);
    console.log(`# bench Rebase Image to preview on a registry ${DELAY_MS / 1000} s away: ${(ms / 1000).toFixed(1)} s (${(ms / DELAY_MS).toFixed(1)} round trips), ${total} requests ${JSON.stringify(requests)}`);
    assert.ok(ms >= DELAY_MS, 'every request went through the far proxy');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
