// The Registries view over a network that fails the way real ones do, through the fixtures' fault
// proxy (FAULTY_REGISTRY, the plain registry behind a proxy the tests program): a 429 is waited
// out and retried, a registry that stops answering becomes a row that says so and offers Retry.
import * as assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { faultControl, type FaultRuleJson, type ProxyLogEntry } from '../faultControl';
import { rowLabel, treeChild, waitFor } from './support';

// Nodes come from the extension's bundle: told apart by label and contextValue, not instanceof.
type AnyNode = { id: string; item(): vscode.TreeItem };

const FAULTY = process.env.IMAGE_REBASE_TEST_FAULTY_REGISTRY!;
const faults = faultControl(process.env.IMAGE_REBASE_TEST_CONTROL!);
const CHANGED = ['registries', 'network.timeoutSeconds', 'network.retries'];

let api: ImageRebaseApi;

const config = () => vscode.workspace.getConfiguration('imageRebase');
const children = async (node?: AnyNode) => (await api.tree.getChildren(node as never)) as unknown as AnyNode[];
const label = (n: AnyNode) => rowLabel(n);
const child = (parent: AnyNode | undefined, name: string) => treeChild(api.tree as never, parent, name) as Promise<AnyNode>;
const ctx = (n: AnyNode) => n.item().contextValue ?? '';
/** The tooltip's text, without the escapes that keep registry strings from rendering as Markdown. */
const tooltip = (n: AnyNode) => ((n.item().tooltip as vscode.MarkdownString | undefined)?.value ?? '').replace(/\\(.)/g, '$1');

/** Settings reach the extension through an event: wait until its client is rebuilt with them. */
async function setNetwork(timeoutSeconds: number, retries: number): Promise<void> {
  await config().update('network.timeoutSeconds', timeoutSeconds, vscode.ConfigurationTarget.Global);
  await config().update('network.retries', retries, vscode.ConfigurationTarget.Global);
  await waitFor(() => {
    const n = api.services.settings.network;
    return n.idleTimeoutMs === timeoutSeconds * 1000 && n.retries === retries;
  }, 'network settings');
}

/** The requests the proxy saw for this path since `after` (a log seq), oldest first. */
async function requests(after: number, path: RegExp): Promise<ProxyLogEntry[]> {
  return (await faults.log()).filter((e) => e.seq > after && e.method === 'GET' && path.test(e.path));
}

const lastSeq = async () => (await faults.log()).at(-1)?.seq ?? 0;

/**
 * What the "Image Rebase" output channel holds, read from the file VS Code keeps it in (beside the
 * extension's log folder). Showing the channel flushes it; until then lines may sit in a buffer.
 */
async function outputChannelText(): Promise<string> {
  api.services.log.show();
  const logs = dirname(api.services.context.logUri.fsPath);
  const dirs = (await readdir(logs)).filter((d) => d.startsWith('output_logging_'));
  const texts = await Promise.all(
    dirs.map(async (d) => {
      const files = (await readdir(join(logs, d))).filter((f) => /^\d+-Image Rebase\.log$/.test(f));
      return (await Promise.all(files.map((f) => readFile(join(logs, d, f), 'utf8')))).join('\n');
    }),
  );
  return texts.join('\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tooMany = (path: string): FaultRuleJson => ({ method: 'GET', path, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });

describe('Registries view over a faulty network', function () {
  this.timeout(20_000);
  const saved = new Map<string, unknown>();

  before(async () => {
    const ext = vscode.extensions.getExtension('image-rebase.image-rebase');
    assert.ok(ext, 'extension installed');
    api = (await ext.activate()) as ImageRebaseApi;
    for (const key of CHANGED) saved.set(key, config().inspect(key)?.globalValue);
    await config().update('registries', [FAULTY], vscode.ConfigurationTarget.Global);
  });

  afterEach(() => faults.clear());

  after(async () => {
    await faults.clear();
    for (const key of CHANGED) await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('waits out a 429 (Retry-After: 1) on the catalog, a tag list and a manifest, and logs each retry', async () => {
    const pages = { catalog: '^/v2/_catalog\\?', tags: '^/v2/base/tags/list\\?', manifest: '^/v2/base/manifests/1$' };
    for (const path of Object.values(pages)) await faults.add(tooMany(path));
    await vscode.commands.executeCommand('imageRebase.refresh');
    const mark = await lastSeq();

    const registry = await child(undefined, FAULTY);
    const base = await child(registry, 'base');
    const tags = (await children(base)).map(label);
    assert.ok(tags.includes('1') && tags.includes('2'), `tags of base: ${tags}`);
    const contents = await children(await child(base, '1'));
    assert.ok(contents.length >= 2, `layers and config: ${contents.map(label)}`);
    assert.equal(ctx(contents.at(-1)!), 'config');

    const output = await waitFor(async () => {
      const text = await outputChannelText();
      return Object.values(pages).every((p) => new RegExp(`\\[info\\] Registry ${escape(FAULTY)}: GET ${p.replace(/^\^|\$$/g, '')}.* failed \\(HTTP 429\\); retrying in 1\\.0 s`).test(text)) && text;
    }, 'retry notices in the output channel').catch(async (e: Error) => assert.fail(`${e.message}:\n${(await outputChannelText()).slice(-2000)}`));
    assert.ok(output);
    for (const [page, path] of Object.entries(pages)) {
      const seen = await requests(mark, new RegExp(path));
      assert.deepEqual(
        seen.slice(0, 2).map((e) => [e.path, e.status]),
        [
          [seen[0]?.path, 429],
          [seen[0]?.path, 200],
        ],
        `${page}: the same request twice, refused then answered (${JSON.stringify(seen)})`,
      );
    }
  });

  describe('a registry that stops answering', () => {
    before(() => setNetwork(1, 1));

    const cases = [
      { page: 'catalog', path: '^/v2/_catalog\\?', parent: () => child(undefined, FAULTY), expect: 'base' },
      { page: 'tag list', path: '^/v2/base/tags/list\\?', parent: async () => child(await child(undefined, FAULTY), 'base'), expect: '1' },
      { page: 'manifest', path: '^/v2/base/manifests/1$', parent: async () => child(await child(await child(undefined, FAULTY), 'base'), '1'), expect: 'config' },
    ];
    for (const c of cases) {
      it(`shows "Registry timed out — Retry" for a stalled ${c.page}, and Retry loads it once it answers`, async () => {
        await vscode.commands.executeCommand('imageRebase.refresh');
        // Added before the levels above load: a tag list starts fetching its tags' manifests at once.
        await faults.add({ method: 'GET', path: c.path, times: 'always', fault: { kind: 'stall' } });
        const mark = await lastSeq();
        const parent = await c.parent();
        const started = Date.now();
        const rows = await children(parent);
        const took = Date.now() - started;

        assert.deepEqual(rows.map(label), ['Registry timed out — Retry']);
        const row = rows[0];
        assert.equal(ctx(row), 'error.retry');
        assert.equal(row.item().command?.command, 'imageRebase.retry');
        assert.match(tooltip(row), /sent nothing for 1 second while answering GET .*\(tried 2 times\); it may be overloaded/);
        // Two attempts of a second or two and a short pause: not the 30 s default, not forever.
        assert.ok(took < 6000, `took ${took} ms`);
        const stalled = await requests(mark, new RegExp(c.path));
        assert.ok(stalled.length >= 2 && stalled.slice(0, 2).every((e) => e.fault === 'stall' && e.path === stalled[0].path), JSON.stringify(stalled));

        await faults.clear();
        // What a click on the row runs (registries.test.ts covers the inline action).
        const click = row.item().command!;
        await vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));
        const after = (await children(parent)).map(label);
        assert.ok(after.includes(c.expect), `${c.expect} after Retry (have: ${after})`);
      });
    }
  });
});
