// The "Package changes" section of the Rebase Preview and the Registries view's "Packages" node,
// over the fixtures' Debian-like pair (packageFixtures.ts), in the real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import type { PackagesState, PreviewPackageResult } from '../../../src/shared/previewProtocol';
import { faultControl } from '../faultControl';
import { rebase, waitFor, type Panel } from './support';

const REGISTRY = process.env.IMAGE_REBASE_TEST_REGISTRY!;
const FAULTY = process.env.IMAGE_REBASE_TEST_FAULTY_REGISTRY!;
const faults = faultControl(process.env.IMAGE_REBASE_TEST_CONTROL!);

type AnyNode = { id: string; item(): vscode.TreeItem };
/** The panel's package section, as the webview is fed from it. */
type PackagesPanel = Panel & { packages: { state: PackagesState; loaded: Promise<void> } };

let api: ImageRebaseApi;
const config = () => vscode.workspace.getConfiguration('imageRebase');

async function preview(host: string, target: string): Promise<PackagesPanel> {
  const panel = (await rebase({ source: `${host}/pkgs/app:1`, newBase: `${host}/pkgs/debian:12.8`, oldBase: `${host}/pkgs/debian:12.5`, target: `${host}/pkgs/app:${target}` })) as PackagesPanel | undefined;
  assert.ok(panel, api.services.lastError);
  return panel;
}

/** The exact comparison of the fixture pair: what every route to a result must show. */
function assertFixtureResult(r: PreviewPackageResult, host: string): void {
  assert.equal(r.os, 'Debian GNU/Linux 12.5 → 12.8');
  assert.equal(r.counts, '5 upgraded, 1 downgraded, 2 added, 1 removed, 1 unchanged (dpkg)');
  assert.deepEqual(r.upgraded.map((c) => `${c.name} ${c.from} → ${c.to}`), [
    'base-files 12.4+deb12u5 → 12.4+deb12u8',
    'libc6 2.36-9+deb12u4 → 2.36-9+deb12u9',
    'libssl3 3.0.11-1~deb12u2 → 3.0.15-1~deb12u1',
    'openssl 3.0.11-1~deb12u2 → 3.0.15-1~deb12u1',
    'tzdata 2024a-0+deb12u1 → 2024b-0+deb12u1',
  ]);
  assert.deepEqual(r.downgraded, [{ name: 'zlib1g', from: '1:1.2.13.dfsg-1', to: '1:1.2.11.dfsg-4' }]);
  assert.deepEqual(r.added, [{ name: 'ca-certificates', version: '20230311' }, { name: 'libzstd1', version: '1.5.4+dfsg2-5' }]);
  assert.deepEqual(r.removed, [{ name: 'libdb5.3', version: '5.3.28+dfsg2-1' }]);
  assert.equal(r.warnings.length, 2, r.warnings.join('\n'));
  assert.match(r.warnings[0], /^The new base downgrades 1 package\(s\): zlib1g 1:1\.2\.13\.dfsg-1 → 1:1\.2\.11\.dfsg-4/);
  assert.ok(r.warnings[1].startsWith(`App layer 1 of ${host}/pkgs/app:1 (`) && r.warnings[1].includes('apt-get install -y curl) carries its own dpkg database (var/lib/dpkg/status)'), r.warnings[1]);
}

describe('Package changes', function () {
  this.timeout(90_000);

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
  });

  afterEach(async () => {
    await faults.clear();
    await config().update('packageChanges.confirmAboveMiB', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('asks before downloading above the setting, shows progress, cancels, then compares on request', async () => {
    await config().update('packageChanges.confirmAboveMiB', 0, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.services.settings.packagesConfirmAboveBytes === 0, 'the setting', 15_000);
    // Through the fault proxy: the layers trickle in, so there is time to see progress and cancel.
    const panel = await preview(FAULTY, 'pkgs-cancel');
    await panel.packages.loaded;
    const ask = panel.packages.state;
    assert.equal(ask.phase, 'ask', JSON.stringify(ask));
    assert.match(ask.phase === 'ask' ? ask.estimate : '', /^\d+(\.\d)? KiB of layers to read \(3 layers\); cached: 0$/);

    await faults.add({ method: 'GET', path: '^/v2/pkgs/.*/blobs/sha256:', times: 'always', fault: { kind: 'trickle', intervalMs: 20 } });
    const comparing = panel.handle({ type: 'comparePackages' });
    await waitFor(() => panel.packages.state.phase === 'running' && panel.packages.state.done > 0, 'bytes arriving', 15_000);
    const running = panel.packages.state;
    assert.ok(running.phase === 'running' && running.total > running.done, JSON.stringify(running));
    await panel.handle({ type: 'cancelPackages' });
    await comparing;
    assert.equal(panel.packages.state.phase, 'cancelled', JSON.stringify(panel.packages.state));

    await faults.clear();
    await panel.handle({ type: 'comparePackages' });
    // Read again: the assertion above narrowed the property's type, but the await changed it.
    const done = panel.packages.state as PackagesState;
    assert.equal(done.phase, 'done', JSON.stringify(done));
    if (done.phase !== 'done') return;
    assert.equal(done.results.length, 1);
    assertFixtureResult(done.results[0], FAULTY);
    assert.match(done.results[0].read, /^Read \d layers? \(/);
  });

  it('a second preview of the same bases starts by itself and reads every layer from the cache', async () => {
    const panel = await preview(REGISTRY, 'pkgs-cached');
    await panel.packages.loaded;
    const done = panel.packages.state;
    assert.equal(done.phase, 'done', JSON.stringify(done));
    if (done.phase !== 'done') return;
    assertFixtureResult(done.results[0], REGISTRY);
    assert.equal(done.results[0].read, 'Read 0 layers (0 B); 3 from the cache.');
  });

  it('the Registries view has a Packages node listing the OS release and the installed packages', async () => {
    const tag = await api.tree.findTag(REGISTRY, 'pkgs/debian', '12.8');
    assert.ok(tag, 'pkgs/debian:12.8 in the tree');
    const contents = (await api.tree.getChildren(tag as never)) as unknown as AnyNode[];
    assert.deepEqual(contents.map((n) => n.item().contextValue), ['layer', 'packages', 'config']);
    const rows = (await api.tree.getChildren(contents[1] as never)) as unknown as AnyNode[];
    assert.deepEqual(
      rows.map((n) => [n.item().label, n.item().description]),
      [
        ['OS: Debian GNU/Linux 12.8', 'Debian GNU/Linux 12 (bookworm)'],
        ['base-files', '12.4+deb12u8 · amd64'],
        ['ca-certificates', '20230311 · amd64'],
        ['libc6', '2.36-9+deb12u9 · amd64'],
        ['libgcrypt20', '1.10.1-3 · amd64'],
        ['libssl3', '3.0.15-1~deb12u1 · amd64'],
        ['libzstd1', '1.5.4+dfsg2-5 · amd64'],
        ['openssl', '3.0.15-1~deb12u1 · amd64'],
        ['tzdata', '2024b-0+deb12u1 · amd64'],
        ['zlib1g', '1:1.2.11.dfsg-4 · amd64'],
      ],
    );
    assert.equal(contents[1].item().description, '9 installed');
  });
});
