import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { RegistryClient } from '../../../src/core/registry/client';
import { executeRebase, prepareAnyRebase, prepareRebase } from '../../../src/core/rebase/rebase';
import { freePort } from '../../harness/ports';
import { rowLabel as label, treeChild, waitFor } from './support';

// Node objects come from the extension's own bundle, so they are told apart by contextValue and
// label (instanceof would compare against this bundle's copies of the classes).
type AnyNode = { id: string; item(): vscode.TreeItem; [k: string]: unknown };

const env = process.env;
const REGISTRY = env.IMAGE_REBASE_TEST_REGISTRY!;
const BASIC = env.IMAGE_REBASE_TEST_BASIC_REGISTRY!;
const TOKEN = env.IMAGE_REBASE_TEST_TOKEN_REGISTRY!;
const FLAKY = env.IMAGE_REBASE_TEST_FLAKY_REGISTRY!;
const CONTROL = env.IMAGE_REBASE_TEST_CONTROL!;
const USER = env.IMAGE_REBASE_TEST_USER!;
const PASSWORD = env.IMAGE_REBASE_TEST_PASSWORD!;
const SEED = JSON.parse(env.IMAGE_REBASE_TEST_SEED ?? '{}');

let api: ImageRebaseApi;

async function children(node?: AnyNode): Promise<AnyNode[]> {
  return (await api.tree.getChildren(node as never)) as unknown as AnyNode[];
}

function ctx(n: AnyNode): string {
  return n.item().contextValue ?? '';
}

async function root(registry: string): Promise<AnyNode> {
  const r = (await children()).find((n) => label(n) === registry);
  assert.ok(r, `registry ${registry} is in the tree`);
  return r;
}

function child(parent: AnyNode, name: string): Promise<AnyNode> {
  return treeChild(api.tree as never, parent, name) as Promise<AnyNode>;
}

async function setRegistries(list: string[]): Promise<void> {
  await vscode.workspace.getConfiguration('imageRebase').update('registries', list, vscode.ConfigurationTarget.Global);
}

describe('Registries view', function () {
  this.timeout(30_000);

  before(async () => {
    const ext = vscode.extensions.getExtension('image-rebase.image-rebase');
    assert.ok(ext, 'extension installed');
    api = (await ext.activate()) as ImageRebaseApi;
    await setRegistries([REGISTRY]);
  });

  it('lists repositories of a registry from its catalog', async () => {
    const repos = (await children(await root(REGISTRY))).map(label);
    for (const r of ['app', 'base', 'dapp', 'dbase', 'many', 'multi']) assert.ok(repos.includes(r), `${r} in ${repos}`);
  });

  it('pages the catalog with the registry\'s Link header', async () => {
    await vscode.workspace.getConfiguration('imageRebase').update('pageSize', 2, vscode.ConfigurationTarget.Global);
    try {
      // Other suites add repositories: the expected pages come from the registry's own catalog.
      const catalog = ((await (await fetch(`http://${REGISTRY}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;
      assert.ok(catalog.length > 4);
      const reg = await root(REGISTRY);
      await vscode.commands.executeCommand('imageRebase.refresh', reg);
      let list = await children(reg);
      assert.deepEqual(list.map(label), [...catalog.slice(0, 2), 'Load more…']);
      await vscode.commands.executeCommand('imageRebase.loadMore', list[2]);
      list = await children(reg);
      assert.deepEqual(list.map(label), [...catalog.slice(0, 4), 'Load more…']);
    } finally {
      await vscode.workspace.getConfiguration('imageRebase').update('pageSize', 10, vscode.ConfigurationTarget.Global);
    }
  });

  it('pages tags with a "Load more…" node', async () => {
    const many = await child(await root(REGISTRY), 'many');
    let list = await children(many);
    assert.equal(list.length, 11);
    assert.equal(label(list[10]), 'Load more…');
    assert.deepEqual(list.slice(0, 10).map(label), SEED.manyTags.slice(0, 10));
    await vscode.commands.executeCommand('imageRebase.loadMore', list[10]);
    list = await children(many);
    assert.equal(list.length, 21);
    await vscode.commands.executeCommand('imageRebase.loadMore', list[20]);
    list = await children(many);
    assert.deepEqual(list.map(label), SEED.manyTags, 'all 25 tags, no more "Load more…"');
  });

  it('shows a tag with its digest, layers with history, and its config', async () => {
    const app = await child(await root(REGISTRY), 'app');
    const tag = await child(app, '1');
    const contents = await children(tag);
    assert.equal(contents.length, SEED.app1Layers.length + 2);
    const layers = contents.slice(0, -2);
    layers.forEach((l, i) => {
      assert.equal(ctx(l), 'layer');
      assert.ok(label(l).startsWith(`${i + 1}  ${SEED.app1Layers[i].slice(7, 19)}`), label(l));
    });
    assert.match(String(layers[1].item().description), /COPY hello\.txt \/app\//);
    assert.match(String(layers[2].item().description), /COPY config\.json \/app\//);
    assert.equal(ctx(contents.at(-2)!), 'packages', 'read only when expanded');
    assert.equal(ctx(contents.at(-1)!), 'config');
    // The description arrives once the summary is fetched in the background.
    await waitFor(() => String(tag.item().description ?? '').startsWith(SEED.app1.slice(7, 19)) || undefined, 'tag summary');
    assert.equal(ctx(tag), 'tag.image');
  });

  it('shows both platforms of an index', async () => {
    const tag = await child(await child(await root(REGISTRY), 'multi'), '1');
    const platforms = await children(tag);
    assert.deepEqual(platforms.map(label).sort(), ['linux/amd64', 'linux/arm64']);
    assert.ok(platforms.every((p) => ctx(p) === 'platform'));
    const arm = platforms.find((p) => label(p) === 'linux/arm64')!;
    const inside = await children(arm);
    assert.deepEqual(inside.map(ctx), ['layer', 'packages', 'config']);
    assert.match(String(inside[0].item().description), /ADD arm64/);
    await waitFor(() => ctx(tag) === 'tag.index' || undefined, 'index summary');
  });

  it('marks base and app layers when the base is known from annotations', async () => {
    const client = new RegistryClient();
    const prepared = await prepareRebase(client, { source: `${REGISTRY}/app:1`, target: `${REGISTRY}/app:marked`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1` });
    await executeRebase(client, prepared);
    const app = await child(await root(REGISTRY), 'app');
    await vscode.commands.executeCommand('imageRebase.refresh', app);
    const layers = (await children(await child(app, 'marked'))).filter((n) => ctx(n) === 'layer');
    assert.deepEqual(layers.map((l) => String(l.item().description).split(' · ')[0]), ['base', 'base', 'app', 'app']);
  });

  it('marks base and app layers whether the annotation records the base index or one of its platform images', async () => {
    const client = new RegistryClient();
    const mapp = { registry: REGISTRY, repository: 'mapp' };
    const mbase2 = (await client.headManifest({ registry: REGISTRY, repository: 'mbase' }, '2'))!.digest!;
    // One platform onto a multi-platform base records the index digest, as the whole index does.
    const one = await prepareRebase(client, { source: `${REGISTRY}/mapp:1`, platform: 'linux/arm64', target: `${REGISTRY}/mapp:marks-index`, newBase: `${REGISTRY}/mbase:2`, oldBase: `${REGISTRY}/mbase:1` });
    await executeRebase(client, one);
    const all = await prepareAnyRebase(client, { source: `${REGISTRY}/mapp:1`, target: `${REGISTRY}/mapp:marks-all`, newBase: `${REGISTRY}/mbase:2`, oldBase: `${REGISTRY}/mbase:1` });
    await executeRebase(client, all);
    // The same image recording the arm64 image's digest instead, as older tools did.
    const pushed = await client.getManifest(mapp, 'marks-index');
    const doc = JSON.parse(pushed.bytes.toString());
    assert.equal(doc.annotations['org.opencontainers.image.base.digest'], mbase2);
    doc.annotations['org.opencontainers.image.base.digest'] = SEED.mbase2Arm64;
    await client.putManifest(mapp, 'marks-child', Buffer.from(JSON.stringify(doc)), pushed.mediaType);

    api.tree.refreshRepository(mapp);
    const marks = async (node: AnyNode) => (await children(node)).filter((n) => ctx(n) === 'layer').map((l) => String(l.item().description).split(' · ')[0]);
    for (const tag of ['marks-index', 'marks-child']) {
      const node = (await api.tree.findTag(REGISTRY, 'mapp', tag)) as unknown as AnyNode;
      assert.ok(node, tag);
      assert.deepEqual(await marks(node), ['base', 'base', 'app', 'app'], tag);
    }
    const index = (await api.tree.findTag(REGISTRY, 'mapp', 'marks-all')) as unknown as AnyNode;
    for (const platform of await children(index)) assert.deepEqual(await marks(platform), ['base', 'base', 'app', 'app'], label(platform));
  });

  it('opens a manifest as a read-only JSON document and compares two manifests', async () => {
    const tag = await child(await child(await root(REGISTRY), 'app'), '1');
    const doc = (await vscode.commands.executeCommand('imageRebase.openManifest', tag)) as vscode.TextDocument;
    assert.equal(doc.uri.scheme, 'image-rebase');
    assert.equal(doc.languageId, 'json');
    const json = JSON.parse(doc.getText());
    assert.deepEqual(json.layers.map((l: { digest: string }) => l.digest), SEED.app1Layers);
    const cfg = (await vscode.commands.executeCommand('imageRebase.openConfig', tag)) as vscode.TextDocument;
    assert.equal(JSON.parse(cfg.getText()).config.Labels['org.example.app'], 'app1');

    await vscode.commands.executeCommand('imageRebase.compareWith', tag, `${REGISTRY}/app:marked`);
    const input = await waitFor(() => {
      const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return i instanceof vscode.TabInputTextDiff ? i : undefined;
    }, 'diff editor');
    assert.equal(input.original.scheme, 'image-rebase');
    assert.match(input.modified.query, /ref=marked/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('copies references and digests', async () => {
    const tag = await child(await child(await root(REGISTRY), 'app'), '1');
    assert.equal(await vscode.commands.executeCommand('imageRebase.copyReference', tag), `${REGISTRY}/app:1`);
    assert.equal(await vscode.env.clipboard.readText(), `${REGISTRY}/app:1`);
    assert.equal(await vscode.commands.executeCommand('imageRebase.copyDigest', tag), SEED.app1);
  });

  for (const [kind, host] of [
    ['htpasswd (Basic)', () => BASIC],
    ['token (Bearer)', () => TOKEN],
  ] as const) {
    it(`signs in to a ${kind} registry, keeping the password in SecretStorage only`, async () => {
      const registry = host();
      await setRegistries([REGISTRY, registry]);
      const first = await children(await root(registry));
      assert.equal(label(first[0]), 'Sign in to see repositories');
      assert.equal(first[0].item().command?.command, 'imageRebase.signIn');

      assert.equal(await vscode.commands.executeCommand('imageRebase.signIn', registry, { username: USER, password: 'wrong' }), false);
      assert.equal(await api.services.secrets.get(registry), undefined, 'a rejected password is not kept');

      assert.equal(await vscode.commands.executeCommand('imageRebase.signIn', registry, { username: USER, password: PASSWORD }), true);
      assert.deepEqual(await api.services.secrets.get(registry), { username: USER, password: PASSWORD });
      const settingsText = JSON.stringify(vscode.workspace.getConfiguration('imageRebase'));
      assert.ok(!settingsText.includes(PASSWORD), 'no password in settings');

      const node = await waitFor(async () => {
        const r = await root(registry);
        return ctx(r).includes('signedIn') ? r : undefined;
      }, 'signed-in registry');
      assert.deepEqual((await children(node)).map(label), ['private/base']);

      assert.equal(await vscode.commands.executeCommand('imageRebase.signOut', registry), true);
      assert.equal(await api.services.secrets.get(registry), undefined);
    });
  }

  it('shows an unreachable registry as a Retry node and recovers', async () => {
    await setRegistries([REGISTRY, FLAKY]);
    assert.deepEqual((await children(await root(FLAKY))).map(label), ['flaky/base']);
    const stopped = await fetch(`${CONTROL}/stop`, { method: 'POST' });
    assert.equal(stopped.status, 200, await stopped.text());
    let retry: AnyNode;
    try {
      await vscode.commands.executeCommand('imageRebase.refresh');
      const nodes = await children(await root(FLAKY));
      retry = nodes[0];
      assert.equal(label(retry), 'Unreachable — Retry');
      assert.equal(ctx(retry), 'error.retry');
      // The client retries refused connections, so the sentence ends with how often it tried.
      assert.match((retry.item().tooltip as vscode.MarkdownString).value, /unreachable \\\(connection refused, tried \d+ times\\\)/);
      assert.equal(retry.item().command?.command, 'imageRebase.retry');
    } finally {
      await fetch(`${CONTROL}/start`, { method: 'POST' });
    }
    // The inline Retry action passes the row itself; it reloads the registry above it.
    await vscode.commands.executeCommand('imageRebase.retry', retry);
    assert.deepEqual((await children(await root(FLAKY))).map(label), ['flaky/base']);
  });

  it('offers the registries of ~/.docker/config.json when adding one', async () => {
    await setRegistries([REGISTRY]);
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await writeFile(join(process.env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: { 'https://ghcr.io/v1/': {}, [REGISTRY]: {} }, credHelpers: { 'registry.example.com': 'none' } }));
    let settled = false;
    // Offline, ghcr.io does not answer /v2/: added anyway rather than asked about.
    const pending = Promise.resolve(vscode.commands.executeCommand('imageRebase.addRegistry', undefined, { ifNotRegistry: 'add' })).finally(() => (settled = true));
    // The QuickPick lists ghcr.io and registry.example.com (not the registry already shown): take the first.
    while (!settled) {
      await new Promise((r) => setTimeout(r, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    assert.equal(await pending, 'ghcr.io');
    assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('registries'), [REGISTRY, 'ghcr.io']);
    await setRegistries([REGISTRY]);
  });

  it('adds and removes registries and repositories through settings', async () => {
    await setRegistries([REGISTRY]);
    assert.equal(await vscode.commands.executeCommand('imageRebase.addRegistry', `http://${BASIC}/`), BASIC);
    assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('registries'), [REGISTRY, BASIC]);
    const basic = await root(BASIC);
    await vscode.commands.executeCommand('imageRebase.addRepository', basic, 'private/base');
    assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('repositories'), [`${BASIC}/private/base`]);
    await vscode.commands.executeCommand('imageRebase.removeRegistry', await root(BASIC), { confirmed: true });
    assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('registries'), [REGISTRY]);
    await vscode.workspace.getConfiguration('imageRebase').update('repositories', undefined, vscode.ConfigurationTarget.Global);
  });

  const description = (n: AnyNode) => String(n.item().description ?? '');
  const icon = (n: AnyNode) => (n.item().iconPath as vscode.ThemeIcon | undefined)?.id;

  it('checks that a registry answers /v2/ before adding it, and a closed port is only added when told', async () => {
    await setRegistries([REGISTRY]);
    // A real registry answers 200: added, and its row tells no trouble.
    assert.equal(await vscode.commands.executeCommand('imageRebase.addRegistry', FLAKY), FLAKY);
    const flaky = await root(FLAKY);
    assert.equal(description(flaky), '');
    assert.equal(icon(flaky), 'server');

    const closed = `127.0.0.1:${await freePort()}`;
    // One retry: a refused connection is told in about a second instead of four.
    await vscode.workspace.getConfiguration('imageRebase').update('network.retries', 1, vscode.ConfigurationTarget.Global);
    try {
      const started = Date.now();
      assert.equal(await vscode.commands.executeCommand('imageRebase.addRegistry', closed, { ifNotRegistry: 'cancel' }), undefined);
      assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('registries'), [REGISTRY, FLAKY], 'not added');
      assert.ok(Date.now() - started < 8_000, 'the check gives up after its retries');

      assert.equal(await vscode.commands.executeCommand('imageRebase.addRegistry', closed, { ifNotRegistry: 'add' }), closed);
      assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('registries'), [REGISTRY, FLAKY, closed]);
      // At once, collapsed (no children asked for): the row says what the check found.
      const row = await root(closed);
      assert.equal(description(row), 'unreachable');
      assert.equal(icon(row), 'error');
      assert.match((row.item().tooltip as vscode.MarkdownString).value, /connection refused/);
      assert.deepEqual((await children(row)).map(label), ['Unreachable — Retry']);
      assert.equal(await vscode.commands.executeCommand('imageRebase.removeRegistry', closed, { confirmed: true }), true);
    } finally {
      await vscode.workspace.getConfiguration('imageRebase').update('network.retries', undefined, vscode.ConfigurationTarget.Global);
    }
    await setRegistries([REGISTRY]);
  });

  it('adds a registry that wants a sign-in (401 on /v2/) and says so on its collapsed row', async () => {
    await setRegistries([REGISTRY]);
    assert.equal(await api.services.secrets.get(BASIC), undefined);
    assert.equal(await vscode.commands.executeCommand('imageRebase.addRegistry', BASIC), BASIC);
    const row = await root(BASIC);
    assert.equal(description(row), 'sign in required');
    assert.equal(icon(row), 'warning');
    await setRegistries([REGISTRY]);
  });

  it('shows a stopped registry as unreachable on its collapsed row after Refresh, and clears it when it answers', async () => {
    await setRegistries([REGISTRY, FLAKY]);
    await waitFor(async () => description(await root(FLAKY)) === '' || undefined, 'a healthy row');
    const stopped = await fetch(`${CONTROL}/stop`, { method: 'POST' });
    assert.equal(stopped.status, 200, await stopped.text());
    try {
      await vscode.commands.executeCommand('imageRebase.refresh');
      // Only the roots are asked for, as a collapsed view does: the /v2/ check tells the state.
      const row = await waitFor(async () => {
        const r = await root(FLAKY);
        return description(r) === 'unreachable' ? r : undefined;
      }, 'unreachable on the collapsed row', 15_000);
      assert.equal(icon(row), 'error');
    } finally {
      await fetch(`${CONTROL}/start`, { method: 'POST' });
    }
    await vscode.commands.executeCommand('imageRebase.refresh');
    await waitFor(async () => (description(await root(FLAKY)) === '' && icon(await root(FLAKY)) === 'server') || undefined, 'healthy again', 15_000);
  });

  it('Remove Registry forgets the credentials Sign In kept and the repositories added to it', async () => {
    await setRegistries([REGISTRY, BASIC]);
    const repos = vscode.workspace.getConfiguration('imageRebase');
    const before = repos.get<string[]>('repositories', []);
    await repos.update('repositories', [...before, `${BASIC}/added/by-hand`, `${REGISTRY}/kept/by-hand`], vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('imageRebase.signIn', BASIC, { username: USER, password: PASSWORD }), true);
    assert.deepEqual(await api.services.secrets.get(BASIC), { username: USER, password: PASSWORD });
    assert.equal(await vscode.commands.executeCommand('imageRebase.removeRegistry', await root(BASIC), { confirmed: true }), true);
    assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('registries'), [REGISTRY]);
    assert.equal(await api.services.secrets.get(BASIC), undefined, 'the secret is gone');
    assert.equal(await api.services.secrets.has(BASIC), false);
    assert.deepEqual(vscode.workspace.getConfiguration('imageRebase').get('repositories'), [...before, `${REGISTRY}/kept/by-hand`]);
    await vscode.workspace.getConfiguration('imageRebase').update('repositories', before, vscode.ConfigurationTarget.Global);
  });
});
