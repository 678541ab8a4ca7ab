// The Rebase Image flow's logic that needs no clicking: the engine's CLI advice put in VS Code's
// words, short names completed against the configured registries, the not-built-on check of the
// old-base step, and one fetch per document from the first step to the preview.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import { FetchMemo, fetchImage } from '../../../src/core/rebase/fetchImage';
import { parseReferenceWithDefaultTag } from '../../../src/core/reference';
import { RegistryClient } from '../../../src/core/registry/client';
import { builtOnProblem } from '../../../src/extension/rebase/oldBaseStep';
import { completeReference, isShortName } from '../../../src/extension/rebase/shortName';
import { speak } from '../../../src/extension/rebase/speak';
import type { FlowContext } from '../../../src/extension/rebase/offers';
import { faultControl } from '../faultControl';
import { rebase, runTakingOffers, type Panel } from './support';

const env = process.env;
const REGISTRY = env.IMAGE_REBASE_TEST_REGISTRY!;
const FAULTY = env.IMAGE_REBASE_TEST_FAULTY_REGISTRY!;

describe('Rebase Image flow', function () {
  this.timeout(60_000);
  let api: ImageRebaseApi;
  const client = new RegistryClient();

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const context = (): FlowContext => ({ services: api.services, client: api.services.client, memo: new FetchMemo() });

  it('says what to do in VS Code, not with CLI flags', () => {
    const cli = [
      'Image r/app:1 is not built on r/base:2: layer 1 differs (image has aaa, base has bbb); name the exact base it was built FROM with -s.',
      'Could not tell which image r/app:1 was built on: it has no base annotations and no tag of r/base matches its lower layers; name the old base with -s.',
      'r/multi:1 is a multi-platform image (linux/amd64, linux/arm64); choose one with --platform, e.g. --platform linux/amd64.',
      'No new base for linux/arm64 of r/m:1 (reasons); add --keep-unmatched to keep it unchanged in the new index, or rebase one platform with --platform.',
      'The new base r/app:1 is the image r/app:1 itself, so its app layers would be stacked twice; name the base image to move it onto with -b.',
      'r requires sign-in to pull; run docker login r and try again.',
      'Authentication to r failed: the username or password was rejected; check your credentials (docker login r).',
      'Authentication to r failed: the saved login was rejected; sign in again (docker login r).',
    ];
    for (const message of cli) {
      const said = speak(message);
      assert.doesNotMatch(said, / -s\b|-b\.|--platform|--keep-unmatched|docker login/, said);
      assert.notEqual(said, message);
    }
    assert.match(speak(cli[0]), /pick the image it was built FROM as the old base\.$/);
    assert.match(speak(cli[5]), /Sign In… on r in the Registries view/);
  });

  it('completes a short name against the configured registries, then Docker Hub, saying which', async () => {
    assert.equal(isShortName('app:1'), true);
    assert.equal(isShortName('team/app:1'), true);
    assert.equal(isShortName(`${REGISTRY}/app:1`), false);
    assert.equal(isShortName('localhost/app'), false);
    const found = await completeReference(context(), 'app:1', new AbortController().signal);
    assert.equal(`${found.ref.registry}/${found.ref.repository}:${found.ref.tag}`, `${REGISTRY}/app:1`);
    assert.match(found.note ?? '', new RegExp(`found in ${REGISTRY.replace(/\./g, '\\.')}`));
    const hub = await completeReference(context(), 'no-such-repo-here:1', new AbortController().signal);
    assert.equal(hub.ref.registry, 'docker.io');
    assert.equal(hub.ref.repository, 'library/no-such-repo-here');
    assert.match(hub.note ?? '', /using Docker Hub's docker\.io\/library\/no-such-repo-here:1/);
    const full = await completeReference(context(), `${REGISTRY}/app:1`, new AbortController().signal);
    assert.equal(full.note, undefined, 'a full reference is taken as written');
  });

  it('tells at the old-base step why an image is not built on a base', async () => {
    const get = (name: string) => fetchImage(client, parseReferenceWithDefaultTag(`${REGISTRY}/${name}`), undefined);
    const [app, base1, base2] = await Promise.all([get('app:1'), get('base:1'), get('base:2')]);
    assert.equal(builtOnProblem(app, base1), undefined);
    assert.match(builtOnProblem(app, base2) ?? '', new RegExp(`^${REGISTRY.replace(/\./g, '\\.')}/app:1 is not built on .*base:2 \\(linux/amd64\\): layer 1 differs`));
    assert.match(builtOnProblem(base1, app) ?? '', /no app layers would remain/);
  });

  it('fetches each manifest and blob once, from the first step to the preview', async () => {
    const faults = faultControl(env.IMAGE_REBASE_TEST_CONTROL!);
    const from = (await faults.log()).length;
    // The old base is detected and offered: it is taken, as Enter would.
    const panel = await runTakingOffers<Panel>('imageRebase.rebaseImage', { source: `${FAULTY}/app:1`, newBase: `${FAULTY}/base:2`, target: `${FAULTY}/app:fetched-once` });
    assert.ok(panel, api.services.lastError);
    const gets = (await faults.log()).slice(from).filter((e) => e.method === 'GET' && /\/(manifests|blobs)\//.test(e.path)).map((e) => e.path);
    const twice = gets.filter((p, i) => gets.indexOf(p) !== i);
    assert.ok(gets.length > 0);
    assert.deepEqual(twice, [], `fetched more than once: ${twice.join(', ')}`);
    panel.panel.dispose();
  });

  it('reads a given new base and its tag list while the first step still reads the image', async () => {
    const faults = faultControl(env.IMAGE_REBASE_TEST_CONTROL!);
    const from = (await faults.log()).length;
    // The image's manifest answers late: anything asked before its config was asked for in parallel.
    await faults.add({ method: 'GET', path: '^/v2/app/manifests/1$', times: 1, fault: { kind: 'hold-answer', ms: 1500 } });
    const panel = await runTakingOffers<Panel>('imageRebase.rebaseImage', { source: `${FAULTY}/app:1`, newBase: `${FAULTY}/base:2`, target: `${FAULTY}/app:warm-${Date.now()}` });
    await faults.clear();
    assert.ok(panel, api.services.lastError);
    const log = (await faults.log()).slice(from).filter((e) => e.method === 'GET');
    const first = (re: RegExp) => log.find((e) => re.test(e.path))?.seq ?? Infinity;
    const sourceConfig = first(/^\/v2\/app\/blobs\//);
    assert.ok(sourceConfig < Infinity, 'the image config was read');
    assert.ok(first(/^\/v2\/base\/manifests\/2$/) < sourceConfig, 'the new base manifest was asked for before the image answered');
    assert.ok(first(/^\/v2\/base\/tags\/list/) < sourceConfig, 'the tag list of the new base repository too');
    panel.panel.dispose();
  });

  const held = async (tag: string) => (await client.headManifest({ registry: REGISTRY, repository: 'app' }, tag))?.digest;
  const args = (tag: string) => ({ source: `${REGISTRY}/app:1`, newBase: `${REGISTRY}/base:2`, oldBase: `${REGISTRY}/base:1`, target: `${REGISTRY}/app:${tag}` });

  it('does not offer to replace a tag that already holds the rebased image: nothing would change', async () => {
    const first = await rebase(args('flow-same'));
    assert.ok(first, api.services.lastError);
    await first.handle({ type: 'push' });
    assert.equal(first.session.status.phase, 'done', first.session.status.message);
    const pushed = await held('flow-same');
    assert.equal(first.session.model.newManifestDigest, pushed);
    first.panel.dispose();

    api.services.lastInfo = undefined;
    const again = await rebase(args('flow-same'));
    assert.equal(again, undefined, 'no preview of a push that changes nothing');
    assert.equal(api.services.lastInfo, `${REGISTRY}/app:flow-same already holds the rebased image (${pushed}): nothing would change, so there is nothing to push.`);
    assert.equal(await held('flow-same'), pushed);
  });

  it('asks before replacing a tag that holds another image; Enter keeps it and shows step 4 again', async () => {
    const before = await held('1');
    let settled = false;
    const pending = rebase(args('1')).finally(() => (settled = true));
    // The confirmation comes after the dry run; its first (and active) choice keeps the tag.
    await new Promise((r) => setTimeout(r, 1_500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(settled, false, 'the flow goes on at step 4');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await pending, undefined);
    assert.equal(await held('1'), before, 'the tag is unchanged');
  });
});
