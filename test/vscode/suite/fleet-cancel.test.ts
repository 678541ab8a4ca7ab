// Issue 13, the paths fleet.test.ts leaves out: Cancel during Check Base Updates (nothing stored),
// Cancel during Push all (the tags not yet pushed are untouched, the result says which were
// pushed), and Rebase Outdated Images… with a tag suffix (new tags, sources untouched). Cancellation
// is made deterministic by the fault proxy in front of the fleet registry (CONTROL/fleet/faults).
// Runs before fleet.test.ts (files load sorted: "-" < "."), and changes no tag that one reads.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import type { FleetModel, FleetState, FleetWebviewMessage } from '../../../src/shared/fleetProtocol';
import { RegistryClient } from '../../../src/core/registry/client';
import { faultControl } from '../faultControl';
import { waitFor } from './support';

const FLEET = process.env.IMAGE_REBASE_TEST_FLEET_REGISTRY!;
const D = JSON.parse(process.env.IMAGE_REBASE_TEST_FLEET ?? '{}') as Record<string, string>;
const faults = faultControl(`${process.env.IMAGE_REBASE_TEST_CONTROL}/fleet`);
const client = new RegistryClient();

interface FleetPanel {
  panel: vscode.WebviewPanel;
  session: { model: FleetModel; state: FleetState };
  handle(m: FleetWebviewMessage): Promise<void>;
}

const digestOf = async (repository: string, tag: string) => (await client.headManifest({ registry: FLEET, repository }, tag))?.digest;
const short = (id: string) => id.slice(FLEET.length + 1);
/** Source tags of the fleet's outdated images, and the digests they were seeded with. */
const SOURCES: [string, string, string][] = [
  ['team/api', '1', 'api1'],
  ['team/web', '1', 'web1'],
  ['multi/app', '1', 'multiIndex'],
];

describe('Fleet: cancel, tag suffix', function () {
  this.timeout(90_000);
  let api: ImageRebaseApi;
  let registries: unknown;
  const check = (signal?: AbortSignal) =>
    vscode.commands.executeCommand<{ results: unknown[] } | undefined>('imageRebase.checkBaseUpdates', { target: FLEET, bases: [`${FLEET}/base/alp:3.19`], signal });

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
    const config = vscode.workspace.getConfiguration('imageRebase');
    registries = config.inspect('registries')?.globalValue;
    await config.update('registries', [...((registries as string[]) ?? []), FLEET], vscode.ConfigurationTarget.Global);
    for (const [repo, tag, key] of SOURCES) assert.equal(await digestOf(repo, tag), D[key], `${repo}:${tag} as seeded`);
  });

  afterEach(async () => {
    await faults.clear();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('imageRebase').update('registries', registries, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Cancel during Check Base Updates: the scan stops, nothing is stored or announced', async () => {
    const before = api.fleet.baseUpdates.getChildren().length;
    const info = api.services.lastInfo;
    // Every manifest read of team/web waits 10 s at the proxy: the scan is surely still running.
    await faults.add({ method: 'GET', path: '^/v2/team/web/manifests/', times: 'always', fault: { kind: 'delay', ms: 10_000 } });
    const controller = new AbortController();
    const started = Date.now();
    const running = check(controller.signal);
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    assert.equal(await running, undefined, 'a cancelled check returns nothing');
    assert.ok(Date.now() - started < 5_000, `returned ${Date.now() - started} ms after the start, not after the delay`);
    assert.equal(api.services.lastInfo, info, 'no "N of M images" announcement');
    assert.equal(api.fleet.baseUpdates.getChildren().length, before, 'Base Updates unchanged');
    assert.ok((await faults.log()).some((l) => l.fault === 'delay'), 'the delayed read was reached');
  });

  it('Rebase Outdated Images… with a tag suffix: new tags, sources untouched', async () => {
    assert.ok(await check(), api.services.lastError);
    const panel = await vscode.commands.executeCommand<FleetPanel>('imageRebase.rebaseOutdated', { mode: { suffix: '-sfx' } });
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.targetMode, 'tag suffix -sfx');
    for (const i of panel.session.model.items) assert.equal(i.target, `${i.image}-sfx`);
    await panel.handle({ type: 'pushAll' });
    const rows = Object.fromEntries(panel.session.state.rows.map((r) => [short(r.id), r]));
    for (const [repo, tag, key] of SOURCES) {
      const row = rows[`${repo}:${tag}`];
      assert.equal(row.phase, 'rebased', `${repo}:${tag}: ${row.message}`);
      assert.equal(await digestOf(repo, `${tag}-sfx`), row.digest, `${repo}:${tag}-sfx holds the rebased image`);
      assert.equal(await digestOf(repo, tag), D[key], `${repo}:${tag} untouched`);
    }
    assert.equal(rows['team/legacy:1'].phase, 'failed');
    assert.equal(await digestOf('team/legacy', '1-sfx'), undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Cancel during Push all: pushed ones are reported, the held one and its tag untouched', async () => {
    assert.ok(await check(), api.services.lastError);
    // The manifest PUT of team/web is held at the proxy: every other image finishes first; the
    // proxy forwards nothing for a client that went away, so cancelling keeps that tag unwritten.
    await faults.add({ method: 'PUT', path: '^/v2/team/web/manifests/1-cx$', times: 'always', fault: { kind: 'delay', ms: 15_000 } });
    const panel = await vscode.commands.executeCommand<FleetPanel>('imageRebase.rebaseOutdated', { mode: { suffix: '-cx' } });
    assert.ok(panel, api.services.lastError);
    const pushing = panel.handle({ type: 'pushAll' });
    const phase = (id: string) => panel.session.state.rows.find((r) => short(r.id) === id)?.phase;
    // Every other row settled too (prov/app is planned as well when its provenance names the
    // base), or a cancel that overtakes it would count it as not attempted.
    const settled = () => panel.session.state.rows.every((r) => short(r.id) === 'team/web:1' || !['planned', 'waiting', 'pushing'].includes(r.phase));
    await waitFor(() => phase('team/api:1') === 'rebased' && phase('multi/app:1') === 'rebased' && phase('team/web:1') === 'pushing' && settled(), 'all but team/web to be pushed', 20_000, 25);
    await panel.handle({ type: 'cancel' });
    await pushing;
    const state = panel.session.state;
    assert.equal(state.phase, 'pushed');
    const rows = Object.fromEntries(state.rows.map((r) => [short(r.id), r]));
    assert.equal(rows['team/web:1'].phase, 'skipped');
    assert.match(rows['team/web:1'].message ?? '', /cancelled; .*team\/web:1-cx was not changed/);
    assert.equal(await digestOf('team/web', '1-cx'), undefined, 'the cancelled tag was never written');
    assert.equal(await digestOf('team/web', '1'), D.web1);
    for (const id of ['team/api:1', 'multi/app:1']) {
      const [repo, tag] = id.split(':');
      assert.equal(await digestOf(repo, `${tag}-cx`), rows[id].digest, `${id}: pushed, as the result says`);
      assert.equal(await digestOf(repo, tag), D[SOURCES.find((s) => s[0] === repo)![2]]);
    }
    assert.match(state.summary ?? '', /^\d+ rebased, 0 failed, 1 not attempted, 0 left out, 1 cannot be rebased\.$/);
    // prov/app too when planned: count the rebased rows rather than assume the fleet's size.
    const rebased = state.rows.filter((r) => r.phase === 'rebased').length;
    assert.ok(state.summary?.startsWith(`${rebased} rebased`), state.summary);
  });
});
