// CodeLens benchmark, run inside a real VS Code by `npm run bench`: a Dockerfile with 20 FROM
// lines naming 10 distinct images. Ranges must come at once (no network); resolving every lens
// should cost one HEAD per distinct image (what a digest names is fetched once and kept).
import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';

const HOST = process.env.IMAGE_REBASE_BENCH_REGISTRY!;

describe('bench: Dockerfile CodeLens', function () {
  this.timeout(120_000);

  it('20 FROM lines, 10 distinct images', async () => {
    const api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) lines.push(`FROM ${HOST}/bulk/r${String(i % 10).padStart(4, '0')}:1 AS s${i}`, 'RUN true');
    const dir = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/tmp', 'bench-codelens');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'Dockerfile');
    await writeFile(file, lines.join('\n') + '\n');
    const doc = await vscode.workspace.openTextDocument(file);

    const runs: number[] = [];
    let count = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      count = (await api.codeLens.provideCodeLenses(doc)).length;
      runs.push(performance.now() - t0);
    }
    runs.sort((a, b) => a - b);
    assert.equal(count, 21, '20 base lenses and one rebase lens');

    const before = Object.fromEntries(api.services.client.stats.byKind);
    const t0 = performance.now();
    const resolved = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 100)) as vscode.CodeLens[];
    const resolveMs = performance.now() - t0;
    assert.ok(resolved.every((l) => l.command?.title.startsWith('$(')), 'every lens resolved');
    const after = Object.fromEntries(api.services.client.stats.byKind);
    const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0));

    console.log(`# bench codelens ranges (provideCodeLenses, 20 FROMs): median ${runs[10].toFixed(2)} ms, max ${runs[19].toFixed(2)} ms (goal < 5 ms)`);
    console.log(`# bench codelens resolve all ${resolved.length} lenses: ${resolveMs.toFixed(0)} ms, requests ${JSON.stringify(delta)} for 10 distinct images`);
  });
});
