import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { pullFiles, rebase } from './support';
import type { ImageIndex, ImageManifest } from '../../../src/core/manifest';
import { RegistryClient } from '../../../src/core/registry/client';

// Rebasing every platform of a multi-platform image from the extension, against the real registry:
// mapp:1 (linux/amd64 + linux/arm64/v8 on mbase:1, plus an attestation and an unknown artifact)
// onto mbase:2 (same two platforms) and mbase:2-amd64only (amd64 alone). See test/vscode/fixtures.ts.

const env = process.env;
const REGISTRY = env.IMAGE_REBASE_TEST_REGISTRY!;
const SEED = JSON.parse(env.IMAGE_REBASE_TEST_SEED ?? '{}');
const ARCHS = ['amd64', 'arm64'] as const;
const PLATFORMS = ['linux/amd64', 'linux/arm64/v8'];

let api: ImageRebaseApi;
const client = new RegistryClient();
const mapp = { registry: REGISTRY, repository: 'mapp' };

describe('Rebase Image command: multi-platform images', function () {
  this.timeout(120_000);

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('rebases every platform of an index: preview per platform, push, children on the new base', async () => {
    const target = `${REGISTRY}/mapp:all-rebased`;
    const panel = await rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2`, target, platform: 'all' });
    assert.ok(panel, `a preview opened (last error: ${api.services.lastError})`);
    const model = panel.session.model;
    assert.ok(model.index, 'an index preview');
    assert.equal(model.index.digest, SEED.mapp1);
    assert.equal(model.source.digest, SEED.mapp1);
    assert.equal(model.newManifestDigest, model.index.newDigest);
    const images = model.index.entries.filter((e) => e.kind === 'image');
    assert.deepEqual(images.map((e) => [e.platform, e.action]), PLATFORMS.map((p) => [p, 'rebased']));
    for (const e of images) {
      assert.ok(e.model, `${e.platform} has its own preview`);
      // Each platform's old base was detected on its own, and the preview says how.
      assert.equal(e.model.oldBase.foundBy, 'search', e.model.oldBase.note);
      assert.match(e.model.oldBase.note, /mbase:1/);
      assert.deepEqual(e.model.rows.map((r) => r.change), ['removed', 'added', 'added', 'kept', 'kept']);
    }
    const others = model.index.entries.filter((e) => e.kind !== 'image');
    assert.deepEqual(others.map((e) => [e.digest, e.kind, e.action]), [
      [SEED.mapp1Attestation, 'attestation', 'dropped'],
      [SEED.mapp1Artifact, 'artifact', 'kept'],
    ]);
    assert.equal(model.totals.bytesToMove, 0);
    assert.equal(await client.headManifest(mapp, 'all-rebased'), undefined, 'the dry run wrote nothing');

    await panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'done', panel.session.status.message);
    assert.equal(panel.session.status.digest, model.index.newDigest);
    assert.match(panel.session.status.message ?? '', new RegExp(`Pushed .*mapp:all-rebased@${model.index.newDigest}`));

    const pushed = await client.getManifest(mapp, 'all-rebased');
    assert.equal(pushed.digest, model.index.newDigest);
    const manifests = (pushed.manifest as ImageIndex).manifests;
    for (const [i, arch] of ARCHS.entries()) {
      const entry = manifests.find((m) => m.platform?.architecture === arch)!;
      assert.ok(entry, `${arch} in the new index`);
      assert.equal(entry.digest, images[i].newDigest);
      const child = (await client.getManifest(mapp, entry.digest)).manifest as ImageManifest;
      const baseLayers: string[] = SEED.mbase2Layers[arch];
      assert.deepEqual(child.layers.slice(0, baseLayers.length).map((l) => l.digest), baseLayers, `${arch} starts with mbase:2's ${arch} layers`);
      assert.equal(child.layers.length, baseLayers.length + 2);
    }
    assert.ok(manifests.some((m) => m.digest === SEED.mapp1Artifact), 'the artifact is kept');
    assert.ok(!manifests.some((m) => m.digest === SEED.mapp1Attestation), 'the attestation is dropped');

    const arm = await pullFiles(target, ['/etc/base-version', '/etc/arch', '/base1-only.txt', '/base2-only.txt', '/app/hello.txt'], 'linux/arm64');
    assert.deepEqual(arm, { '/etc/base-version': '2', '/etc/arch': 'arm64\n', '/base1-only.txt': null, '/base2-only.txt': 'only in base 2\n', '/app/hello.txt': 'hello from the arm64 app\n' });
  });

  it('opens the raw diff of the old and new index and the images of each platform', async () => {
    const panel = await rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2`, target: `${REGISTRY}/mapp:rawdiff`, platform: 'all' });
    assert.ok(panel, api.services.lastError);
    await panel.handle({ type: 'openRawDiff' });
    const input = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input).find((i) => i instanceof vscode.TabInputTextDiff) as vscode.TabInputTextDiff;
    assert.ok(input, 'a diff editor is open');
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
    const [before, after] = [JSON.parse(left.getText()), JSON.parse(right.getText())];
    assert.equal(before.index.manifests.length, 4);
    assert.equal(after.index.manifests.length, 3, 'the attestation is dropped');
    assert.deepEqual(Object.keys(after.images), PLATFORMS);
    assert.equal(before.images['linux/arm64/v8'].manifest.layers.length, 3);
    assert.equal(after.images['linux/arm64/v8'].manifest.layers.length, 4);
    panel.panel.dispose();
  });

  it('still rebases one platform of an index into a single-platform image', async () => {
    const panel = await rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2`, oldBase: `${REGISTRY}/mbase:1`, target: `${REGISTRY}/mapp:arm-only`, platform: 'linux/arm64' });
    assert.ok(panel, api.services.lastError);
    const model = panel.session.model;
    assert.equal(model.index, undefined, 'a single-image preview');
    assert.equal(model.platform, 'linux/arm64'); // from the config, which has no variant
    assert.deepEqual(model.rows.map((r) => r.change), ['removed', 'added', 'added', 'kept', 'kept']);
    await panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'done', panel.session.status.message);
    const pushed = await client.getManifest(mapp, 'arm-only');
    assert.equal(pushed.digest, model.newManifestDigest);
    assert.equal(pushed.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual((pushed.manifest as ImageManifest).layers.slice(0, 2).map((l) => l.digest), SEED.mbase2Layers.arm64);
  });

  it('refuses a new base that lacks a platform with the engine\'s sentence, or keeps that platform when asked', async () => {
    api.services.lastError = undefined;
    const refused = await rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2-amd64only`, target: `${REGISTRY}/mapp:partial`, platform: 'all' });
    assert.equal(refused, undefined);
    const shown = api.services.lastError ?? '';
    assert.ok(shown.startsWith(`No new base for linux/arm64/v8 of ${REGISTRY}/mapp:1 (`), shown);
    // In VS Code's words: the action offered, not the CLI flag.
    assert.match(shown, /; keep it unchanged in the new index, or rebase one platform\.$/);
    assert.doesNotMatch(shown, /--/);
    assert.equal(await client.headManifest(mapp, 'partial'), undefined);

    const panel = await rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2-amd64only`, target: `${REGISTRY}/mapp:partial`, platform: 'all', keepUnmatched: true });
    assert.ok(panel, api.services.lastError);
    const entries = panel.session.model.index!.entries.filter((e) => e.kind === 'image');
    assert.deepEqual(entries.map((e) => [e.platform, e.action]), [
      ['linux/amd64', 'rebased'],
      ['linux/arm64/v8', 'kept'],
    ]);
    assert.match(entries[1].reason, /^kept unchanged/);
    await panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'done', panel.session.status.message);
    const manifests = ((await client.getManifest(mapp, 'partial')).manifest as ImageIndex).manifests;
    const source = ((await client.getManifest(mapp, '1')).manifest as ImageIndex).manifests;
    assert.equal(manifests.find((m) => m.platform?.architecture === 'arm64')?.digest, source.find((m) => m.platform?.architecture === 'arm64')?.digest, 'arm64 unchanged');
    assert.notEqual(manifests.find((m) => m.platform?.architecture === 'amd64')?.digest, source.find((m) => m.platform?.architecture === 'amd64')?.digest, 'amd64 rebased');
  });

  it('cancelling the push of an index leaves the tag unchanged', async () => {
    const before = (await client.headManifest(mapp, '1'))?.digest;
    const panel = await rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2`, target: `${REGISTRY}/mapp:1`, platform: 'all', confirmOverwrite: true });
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.target.existingDigest, before);
    const pushing = panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'pushing');
    await panel.handle({ type: 'cancel' });
    await pushing;
    assert.equal(panel.session.status.phase, 'cancelled');
    assert.match(panel.session.status.message ?? '', /was not changed/);
    assert.equal((await client.headManifest(mapp, '1'))?.digest, before);
  });

  it('asks for all platforms or one when not told, "All 2 platforms" first', async () => {
    // Accept the first QuickPick row, as Enter would: the platform choice, then nothing else is asked.
    let settled = false;
    const pending = rebase({ source: `${REGISTRY}/mapp:1`, newBase: `${REGISTRY}/mbase:2`, target: `${REGISTRY}/mapp:asked` }).finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const panel = await pending;
    assert.ok(panel, api.services.lastError);
    assert.ok(panel.session.model.index, 'all platforms is the default');
    assert.deepEqual(panel.session.model.index.entries.filter((e) => e.action === 'rebased').map((e) => e.platform), PLATFORMS);
    panel.panel.dispose();
  });
});
