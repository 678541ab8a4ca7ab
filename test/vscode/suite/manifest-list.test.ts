import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { RegistryClient } from '../../../src/core/registry/client';
import { resolveManifest } from '../../../src/core/rebase/fetchImage';
import { parseReference } from '../../../src/core/reference';
import type { ImageIndex } from '../../../src/core/manifest';
import { treeChild } from './support';

type AnyNode = { item(): vscode.TreeItem };
const REGISTRY = process.env.IMAGE_REBASE_TEST_REGISTRY!;
const SEED = JSON.parse(process.env.IMAGE_REBASE_TEST_SEED ?? '{}');

describe('Create Manifest List', function () {
  this.timeout(60_000);
  let api: ImageRebaseApi;

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
    await vscode.workspace.getConfiguration('imageRebase').update('registries', [REGISTRY], vscode.ConfigurationTarget.Global);
  });

  const child = (parent: AnyNode | undefined, name: string) => treeChild(api.tree as never, parent, name) as Promise<AnyNode>;

  it('combines a tag and a platform of another repository into one list', async () => {
    const root = await child(undefined, REGISTRY);
    const base1 = await child(await child(root, 'base'), '1');
    const arm = await child(await child(await child(root, 'multi'), '1'), 'linux/arm64');
    const result = (await vscode.commands.executeCommand('imageRebase.createManifestList', base1, [base1, arm], { target: `${REGISTRY}/combo:1`, confirmed: true })) as { digest: string } | undefined;
    assert.ok(result, api.services.lastError);

    const client = new RegistryClient();
    const list = await client.getManifest({ registry: REGISTRY, repository: 'combo' }, '1');
    assert.equal(list.digest, result.digest);
    const entries = (list.manifest as ImageIndex).manifests;
    assert.deepEqual(entries.map((e) => `${e.platform?.os}/${e.platform?.architecture}`).sort(), ['linux/amd64', 'linux/arm64']);
    assert.ok(entries.some((e) => e.digest === SEED.base1), 'base:1 is listed by its own digest');
    // Each platform resolves, from the target repository, to the image that was selected.
    const amd = await resolveManifest(client, parseReference(`${REGISTRY}/combo:1`), { os: 'linux', architecture: 'amd64' });
    assert.equal(amd.digest, SEED.base1);
    const armImage = await resolveManifest(client, parseReference(`${REGISTRY}/combo:1`), { os: 'linux', architecture: 'arm64' });
    assert.equal(armImage.digest, (arm as unknown as { descriptor: { digest: string } }).descriptor.digest);
  });

  it('asks for at least two images', async () => {
    const root = await child(undefined, REGISTRY);
    const base1 = await child(await child(root, 'base'), '1');
    assert.equal(await vscode.commands.executeCommand('imageRebase.createManifestList', base1, [base1], { target: `${REGISTRY}/combo:2`, confirmed: true }), undefined);
    assert.equal(await new RegistryClient().headManifest({ registry: REGISTRY, repository: 'combo' }, '2'), undefined);
  });
});
