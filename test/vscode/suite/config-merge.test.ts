import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { RegistryClient } from '../../../src/core/registry/client';
import { rebase } from './support';

const REGISTRY = process.env.IMAGE_REBASE_TEST_REGISTRY!;
const client = new RegistryClient();

/** The container settings the pushed config holds. */
async function pushedSettings(repository: string, tag: string): Promise<Record<string, unknown>> {
  const repo = { registry: REGISTRY, repository };
  const m = await client.getManifest(repo, tag);
  const config = JSON.parse((await client.getBlob(repo, (m.manifest as { config: { digest: string } }).config.digest)).toString());
  return config.config;
}

describe('Rebase Image: config merge', function () {
  this.timeout(60_000);
  let api: ImageRebaseApi;

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
  });

  afterEach(async () => {
    await vscode.workspace.getConfiguration('imageRebase').update('keepConfig', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the preview lists the merge decisions, and Push writes the merged config', async () => {
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:merged` });
    assert.ok(panel, api.services.lastError);
    const merge = panel.session.model.configMerge!;
    assert.equal(merge.mode, 'merge');
    const base = merge.decisions.find((d) => d.label === 'Env BASE');
    assert.deepEqual(base && [base.decision, base.oldBase, base.app, base.newBase, base.result], ['new-base', undefined, undefined, '2', '2']);
    assert.equal(merge.decisions.find((d) => d.label === 'Cmd')?.decision, 'app-kept');
    await panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'done', panel.session.status.message);
    const settings = await pushedSettings('app', 'merged');
    assert.deepEqual(settings.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASE=2', 'APP_MODE=test']);
  });

  it('with imageRebase.keepConfig the app settings are kept, and the preview says so', async () => {
    await vscode.workspace.getConfiguration('imageRebase').update('keepConfig', true, vscode.ConfigurationTarget.Global);
    const panel = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:kept-config` });
    assert.ok(panel, api.services.lastError);
    assert.deepEqual(panel.session.model.configMerge, { mode: 'keep', decisions: [] });
    await panel.handle({ type: 'push' });
    assert.equal(panel.session.status.phase, 'done', panel.session.status.message);
    assert.deepEqual(await pushedSettings('app', 'kept-config'), await pushedSettings('app', '1'));

    // A caller's explicit choice wins over the setting.
    const merged = await rebase({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:kept-config-2`, keepConfig: false });
    assert.ok(merged, api.services.lastError);
    assert.equal(merged.session.model.configMerge?.mode, 'merge');
  });
});
