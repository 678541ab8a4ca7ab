// The tree benchmark, run inside a real VS Code by `npm run bench`: time to the first page of a
// 5,000-repository catalog and of a 10,000-tag repository in the tree provider, the memory it
// holds, and what it fetched. Prints figures; asserts only that the pages are what they claim.
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';

type AnyNode = { item(): vscode.TreeItem };
const HOST = process.env.IMAGE_REBASE_BENCH_REGISTRY!;
const label = (n: AnyNode) => String(n.item().label);

/** A full collection before reading the heap, so the figure is what is held, not garbage. */
function heldHeap(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:v8').setFlagsFromString('--expose-gc');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gc = require('node:vm').runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let baseline = new Map<string, number>();

/** Requests made since the test began (other benchmarks share the client). */
function requests(api: ImageRebaseApi): Record<string, number> {
  return Object.fromEntries([...api.services.client.stats.byKind].map(([k, v]) => [k, v - (baseline.get(k) ?? 0)]).filter(([, v]) => (v as number) > 0));
}

describe('bench: Registries tree on a large registry', function () {
  this.timeout(120_000);
  let api: ImageRebaseApi;

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
  });

  it('first pages of a 5,000-repository catalog and a 10,000-tag repository', async () => {
    baseline = new Map(api.services.client.stats.byKind);
    const heap0 = heldHeap();
    const roots = (await api.tree.getChildren()) as unknown as AnyNode[];
    const root = roots.find((r) => label(r) === HOST)!;

    let t0 = performance.now();
    const repos = (await api.tree.getChildren(root as never)) as unknown as AnyNode[];
    const catalogMs = performance.now() - t0;
    assert.equal(repos.length, 101, 'one page of 100 and "Load more…"');
    assert.equal(label(repos[100]), 'Load more…');
    const afterCatalog = requests(api);

    const many = (root as unknown as { repositoryNode(r: string): AnyNode }).repositoryNode('tags/many');
    t0 = performance.now();
    const tags = (await api.tree.getChildren(many as never)) as unknown as AnyNode[];
    const tagsMs = performance.now() - t0;
    assert.equal(tags.length, 101);
    const afterTags = requests(api);
    const heap1 = heldHeap();

    // Tag descriptions are filled in the background, for the shown page only: let them finish.
    await new Promise((r) => setTimeout(r, 3000));
    const settled = requests(api);

    console.log(`# bench catalog first page: ${catalogMs.toFixed(1)} ms (goal < 300 ms), requests ${JSON.stringify(afterCatalog)}`);
    console.log(`# bench tags first page:    ${tagsMs.toFixed(1)} ms (goal < 300 ms), requests since ${JSON.stringify(afterTags)}`);
    const tagsHeld = (many as unknown as { tags?: string[] }).tags?.length ?? 0;
    console.log(`# bench heap held after both pages: ${((heap1 - heap0) / 1024).toFixed(0)} KiB (the registry sent ${tagsHeld} tags in one answer; 100 are shown)`);
    console.log(`# bench background tag summaries for the shown page: ${JSON.stringify(settled)}`);
  });
});
