import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { pullFiles, rebase } from './support';
import { RegistryClient } from '../../../src/core/registry/client';
import { pushIndexOf, pushProvenance } from '../../harness/multiPlatform';

const env = process.env;
const REGISTRY = env.IMAGE_REBASE_TEST_REGISTRY!;
const HOSTILE = env.IMAGE_REBASE_TEST_HOSTILE!;
const SEED = JSON.parse(env.IMAGE_REBASE_TEST_SEED ?? '{}');

let api: ImageRebaseApi;
const client = new RegistryClient();

async function tagDigest(repository: string, tag: string): Promise<string | undefined> {
  return (await client.headManifest({ registry: REGISTRY, repository }, tag))?.digest;
}

describe('Rebase Image command', function () {
  this.timeout(60_000);

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('plans with a dry run, shows the preview, and pushes only on Push', async () => {
    const target = `${REGISTRY}/app:ext-rebased`;
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target });
    assert.ok(panel, `a preview opened (last error: ${api.services.lastError})`);
    assert.equal(panel.panel.viewType, 'imageRebase.preview');
    const model = panel.session.model;
    assert.deepEqual(model.rows.map((r) => r.change), ['removed', 'added', 'added', 'kept', 'kept']);
    assert.deepEqual(model.rows.filter((r) => r.change === 'kept').map((r) => r.digest), SEED.app1Layers.slice(1));
    assert.equal(model.totals.bytesToMove, 0);
    // Base layers aligned (1 removed, 2 added), the shifted app entries not listed as changes.
    assert.deepEqual(model.fieldChanges.filter((f) => f.path.startsWith('manifest.layers')).map((f) => [f.label, f.old ?? f.new]), [['Old base layer 1', SEED.app1Layers[0]], ...model.rows.filter((r) => r.change === 'added').map((r, i) => [`New base layer ${i + 1}`, r.digest])]);
    assert.ok(!model.fieldChanges.some((f) => f.path.startsWith('config.rootfs.diff_ids') || SEED.app1Layers.slice(1).includes(f.old ?? f.new)));
    assert.ok(model.fieldChanges.some((f) => f.path === 'manifest.annotations[org.opencontainers.image.base.name]' && f.new === `${REGISTRY}/base:2`));
    assert.equal(await tagDigest('app', 'ext-rebased'), undefined, 'the dry run wrote nothing');

    await panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'done', panel.session.status.message);
    assert.equal(panel.session.status.digest, model.newManifestDigest);
    assert.equal(await tagDigest('app', 'ext-rebased'), model.newManifestDigest);

    const files = await pullFiles(target, ['/etc/base-version', '/base1-only.txt', '/base2-only.txt', '/app/hello.txt']);
    assert.deepEqual(files, { '/etc/base-version': '2', '/base1-only.txt': null, '/base2-only.txt': 'only in base 2\n', '/app/hello.txt': 'hello from app 1\n' });
  });

  it('detects the old base when not given and says how', async () => {
    // The detected base is offered in a QuickPick for confirmation: accept it as Enter would.
    let settled = false;
    const pending = rebase({ source: `${REGISTRY}/dapp:1`, newBase: `${REGISTRY}/dbase:2`, target: `${REGISTRY}/dapp:detected` }).finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const panel = await pending;
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.oldBase.foundBy, 'search');
    assert.match(panel.session.model.oldBase.note, /Old base detected as .*dbase:1/);
    panel.panel.dispose();
  });

  it('detects the old base from a BuildKit provenance attestation and says so', async () => {
    // dapp:1 built FROM dbase:1 by BuildKit: an index with the image and its SLSA provenance.
    const dbase1 = (await client.headManifest({ registry: REGISTRY, repository: 'dbase' }, '1'))!.digest!;
    const app = (await client.headManifest({ registry: REGISTRY, repository: 'dapp' }, '1'))!;
    const statement = {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [{ name: 'pkg:docker/dapp@1', digest: { sha256: app.digest!.slice(7) } }],
      predicate: { materials: [{ uri: `pkg:docker/${REGISTRY}/dbase@1?platform=linux%2Famd64`, digest: { sha256: dbase1.slice(7) } }] },
    };
    const attestation = await pushProvenance(REGISTRY, 'dapp', app.digest!, statement);
    await pushIndexOf(REGISTRY, 'dapp', 'built', [{ mediaType: app.mediaType, digest: app.digest!, size: app.size, platform: { os: 'linux', architecture: 'amd64' } }, attestation]);
    let settled = false;
    const pending = rebase({ source: `${REGISTRY}/dapp:built`, platform: 'linux/amd64', newBase: `${REGISTRY}/dbase:2`, target: `${REGISTRY}/dapp:from-provenance` }).finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const panel = await pending;
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.oldBase.foundBy, 'provenance');
    assert.equal(panel.session.model.oldBase.note, `Old base ${REGISTRY}/dbase:1 (from the image's SLSA v0.2 provenance attestation).`);
    panel.panel.dispose();
  });

  it('onto the base the image is already on: says so, opens no preview and writes nothing', async () => {
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:1`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:same-base` });
    assert.equal(panel, undefined, 'no preview of a rebase that changes nothing');
    assert.match(api.services.lastInfo ?? '', new RegExp(`^${REGISTRY.replace(/\./g, '\\.')}/app:1 is already on that base: `));
    assert.equal(await tagDigest('app', 'same-base'), undefined);
  });

  it('refuses the image itself as its new base, in one sentence', async () => {
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/app:1`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:self-base` });
    assert.equal(panel, undefined);
    assert.equal(api.services.lastError, `The new base ${REGISTRY}/app:1 is the image ${REGISTRY}/app:1 itself, so its app layers would be stacked twice; choose another new base.`);
    assert.equal(await tagDigest('app', 'self-base'), undefined);
  });

  it('cancelling the push leaves the target tag unchanged', async () => {
    const before = await tagDigest('app', '1');
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:1`, confirmOverwrite: true });
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.target.existingDigest, before);
    const pushing = panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'pushing');
    await panel.handle({ type: 'cancel' });
    await pushing;
    assert.equal(panel.session.status.phase, 'cancelled');
    assert.match(panel.session.status.message ?? '', /was not changed/);
    assert.equal(await tagDigest('app', '1'), before);
  });

  it('refuses an image not built on the chosen base, with the message shown to the user', async () => {
    api.services.lastError = undefined;
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:1`, oldBase: `${REGISTRY}/base:2`, target: `${REGISTRY}/app:wrong` });
    assert.equal(panel, undefined);
    const shown: string = (api.services as { lastError?: string }).lastError ?? '';
    assert.ok(
      shown.startsWith(`Image ${REGISTRY}/app:1 is not built on ${REGISTRY}/base:2: layer 1 differs (image has ${SEED.app1Layers[0].slice(7, 19)}, base has `),
      shown,
    );
    assert.equal(await tagDigest('app', 'wrong'), undefined);
  });

  it('carries hostile registry strings to the preview as data', async () => {
    const panel = await rebase({ source: `${REGISTRY}/hostile:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/hostile:rebased` });
    assert.ok(panel, api.services.lastError);
    const model = panel.session.model;
    assert.ok(model.rows.some((r) => r.createdBy?.includes(HOSTILE)));
    assert.ok(model.fieldChanges.length > 0);
    // The HTML the host writes holds no registry string at all: only the script and stylesheet.
    assert.ok(!panel.panel.webview.html.includes('onerror'));
    assert.match(panel.panel.webview.html, /Content-Security-Policy" content="default-src 'none'; .*script-src 'nonce-[^']+'/);
    panel.panel.dispose();
  });

  it('warns that signatures of the source will not follow the new digest', async () => {
    // A cosign-style signature tag next to the source: sha256-<hex>.sig in the same repository.
    const repo = { registry: REGISTRY, repository: 'dapp' };
    const source = await client.getManifest(repo, '1');
    const sigTag = `${source.digest.replace(':', '-')}.sig`;
    await client.putManifest(repo, sigTag, source.bytes, source.mediaType);
    const panel = await rebase({ source: `${REGISTRY}/dapp:1`, newBase: `${REGISTRY}/dbase:2`, oldBase: `${REGISTRY}/dbase:1`, target: `${REGISTRY}/dapp:signed-rebased` });
    assert.ok(panel, api.services.lastError);
    assert.ok(
      panel.session.model.warnings.some((w) => w.includes(sigTag) && w.includes('will not follow the new digest')),
      JSON.stringify(panel.session.model.warnings),
    );
    panel.panel.dispose();
  });

  it('opens the raw diff of manifests and configs', async () => {
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:rawdiff` });
    assert.ok(panel, api.services.lastError);
    await panel.handle({ type: 'openRawDiff' });
    const input = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input).find((i) => i instanceof vscode.TabInputTextDiff) as vscode.TabInputTextDiff;
    assert.ok(input, 'a diff editor is open');
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
    assert.equal(JSON.parse(left.getText()).manifest.layers.length, 3);
    assert.equal(JSON.parse(right.getText()).manifest.layers.length, 4);
    assert.equal(JSON.parse(right.getText()).config.rootfs.diff_ids.length, 4);
    panel.panel.dispose();
  });
});
