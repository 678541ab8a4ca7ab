// Issue 13 in the extension host: Check Base Updates (tree marks, Base Updates view), Rebase
// Outdated Images… (plan, leave one out, Push all, result rows, tags read back) and Undo Rebase,
// against the fleet registry of test/vscode/fixtures.ts (test/harness/scanFixtures.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import type { FleetModel, FleetState, FleetWebviewMessage } from '../../../src/shared/fleetProtocol';
import { RegistryClient } from '../../../src/core/registry/client';

const FLEET = process.env.IMAGE_REBASE_TEST_FLEET_REGISTRY!;
const D = JSON.parse(process.env.IMAGE_REBASE_TEST_FLEET ?? '{}') as Record<string, string>;
const client = new RegistryClient();

/** The panel object comes from the extension's bundle: used through this shape only. */
interface FleetPanel {
  panel: vscode.WebviewPanel;
  session: { model: FleetModel; state: FleetState };
  handle(m: FleetWebviewMessage): Promise<void>;
}

type BaseNode = Extract<ReturnType<ImageRebaseApi['fleet']['baseUpdates']['getChildren']>[number], { kind: 'base' }>;

const digestOf = async (repository: string, tag: string) => (await client.getManifest({ registry: FLEET, repository }, tag)).digest;

describe('Fleet: check, rebase all, undo', function () {
  this.timeout(90_000);
  let api: ImageRebaseApi;
  let registries: unknown;
  let panel: FleetPanel;

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
    const config = vscode.workspace.getConfiguration('imageRebase');
    registries = config.inspect('registries')?.globalValue;
    await config.update('registries', [...((registries as string[]) ?? []), FLEET], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('imageRebase').update('registries', registries, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Check Base Updates marks outdated tags and lists them in Base Updates, grouped by base', async () => {
    const summary = await vscode.commands.executeCommand<{ results: { image: string; status: string }[] }>('imageRebase.checkBaseUpdates', { target: FLEET, bases: [`${FLEET}/base/alp:3.19`] });
    assert.ok(summary, api.services.lastError);
    assert.match(api.services.lastInfo ?? '', new RegExp(`^${FLEET}: 5 of \\d+ images on an outdated base\\.$`));

    const tag = await api.tree.findTag(FLEET, 'team/api', '1');
    assert.ok(tag);
    const item = api.tree.getTreeItem(tag);
    assert.equal(item.description, 'outdated since 2024-06-01');
    const tip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip);
    // The base, cut from the description, is in the tooltip (Markdown-escaped).
    assert.ok(tip.replace(/\\/g, '').includes(`${FLEET}/base/deb:1 now points to a newer image since 2024-06-01`), tip);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    const fresh = api.tree.getTreeItem((await api.tree.findTag(FLEET, 'team/api', '2'))!);
    assert.notEqual((fresh.iconPath as vscode.ThemeIcon).id, 'warning', 'an up-to-date tag has no mark');

    const groups = api.fleet.baseUpdates.getChildren() as BaseNode[];
    const shown = Object.fromEntries(groups.map((g) => [g.base.slice(FLEET.length + 1), g.images.map((i) => i.image.slice(FLEET.length + 1))]));
    assert.deepEqual(shown, {
      'base/alp:3.19': ['team/web:1'],
      'base/deb:1': ['prov/app:1', 'team/api:1'],
      'base/gone:1': ['team/legacy:1'],
      'base/multi:1': ['multi/app:1'],
    });
    const group = api.fleet.baseUpdates.getTreeItem(groups.find((g) => g.base.endsWith('base/deb:1'))!);
    assert.equal(group.description, '2 outdated');
  });

  it('Rebase Outdated Images… plans every one, pushes the ticked ones and reports each', async () => {
    const opened = await vscode.commands.executeCommand<FleetPanel>('imageRebase.rebaseOutdated', { mode: { inPlace: true } });
    assert.ok(opened, api.services.lastError);
    panel = opened;
    const items = Object.fromEntries(panel.session.model.items.map((i) => [i.image.slice(FLEET.length + 1), i]));
    assert.deepEqual(Object.keys(items).sort(), ['multi/app:1', 'prov/app:1', 'team/api:1', 'team/legacy:1', 'team/web:1']);
    const api1 = items['team/api:1'];
    assert.equal(api1.target, `${FLEET}/team/api:1`);
    assert.deepEqual(api1.layers, { removed: 2, added: 2, kept: 2 });
    assert.match(api1.newBase, new RegExp(`^${FLEET}/base/deb:1@${D.deb11}$`));
    assert.equal(items['multi/app:1'].platform, 'linux/amd64, linux/arm64/v8');
    assert.ok(items['team/legacy:1'].error, 'a tag whose base tag is gone cannot be planned');

    await panel.handle({ type: 'setIncluded', id: `${FLEET}/team/web:1`, included: false });
    assert.deepEqual(panel.session.state.excluded, [`${FLEET}/team/web:1`]);
    await panel.handle({ type: 'pushAll' });
    const state = panel.session.state;
    assert.equal(state.phase, 'pushed');
    const rows = Object.fromEntries(state.rows.map((r) => [r.id.slice(FLEET.length + 1), r]));
    for (const image of ['team/api:1', 'multi/app:1', 'prov/app:1']) assert.equal(rows[image].phase, 'rebased', `${image}: ${rows[image].message}`);
    assert.equal(rows['team/web:1'].phase, 'excluded');
    assert.equal(rows['team/legacy:1'].phase, 'failed');
    assert.match(state.summary ?? '', /^3 rebased, 0 failed, 0 not attempted, 1 left out, 1 cannot be rebased\.$/);

    assert.equal(await digestOf('team/api', '1'), rows['team/api:1'].digest);
    assert.notEqual(rows['team/api:1'].digest, D.api1);
    assert.equal(await digestOf('multi/app', '1'), rows['multi/app:1'].digest);
    assert.equal(await digestOf('team/web', '1'), D.web1, 'the unticked image was left alone');
    const marks = api.fleet.baseUpdates.getChildren() as BaseNode[];
    assert.deepEqual(marks.map((g) => g.base.slice(FLEET.length + 1)), ['base/alp:3.19', 'base/gone:1'], 'pushed images leave Base Updates');
  });

  it('Undo Rebase puts every pushed tag back to its previous digest', async () => {
    assert.ok(panel, 'needs the previous test');
    await panel.handle({ type: 'undo' });
    const state = panel.session.state;
    assert.equal(state.phase, 'undone');
    assert.match(state.summary ?? '', /^3 of 3 tags put back/);
    assert.equal(await digestOf('team/api', '1'), D.api1);
    assert.equal(await digestOf('multi/app', '1'), D.multiIndex);
    const rows = state.rows.filter((r) => r.phase === 'restored');
    assert.deepEqual(rows.map((r) => r.digest).sort(), [D.api1, D.multiIndex, await digestOf('prov/app', '1')].sort());
    const groups = api.fleet.baseUpdates.getChildren() as BaseNode[];
    assert.equal(groups.length, 4, 'the tags put back are outdated again, and listed again');
    const tag = await api.tree.findTag(FLEET, 'team/api', '1');
    assert.equal(api.tree.getTreeItem(tag!).description, 'outdated since 2024-06-01');
  });
});
