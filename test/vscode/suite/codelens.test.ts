import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import type { PreviewModel } from '../../../src/shared/previewProtocol';
import { runTakingOffers } from './support';

const env = process.env;
const REGISTRY = env.IMAGE_REBASE_TEST_REGISTRY!;
const BASIC = env.IMAGE_REBASE_TEST_BASIC_REGISTRY!;
const SEED = JSON.parse(env.IMAGE_REBASE_TEST_SEED ?? '{}');
const short = (d: string) => d.slice(7, 19);

let api: ImageRebaseApi;

async function tagDigest(repository: string, tag: string): Promise<string> {
  const res = await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' } });
  const digest = res.headers.get('docker-content-digest');
  assert.ok(digest, `${repository}:${tag}`);
  return digest;
}
let dir: string;

async function dockerfile(name: string, lines: string[]): Promise<vscode.Uri> {
  const file = path.join(dir, name, 'Dockerfile');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, lines.join('\n') + '\n');
  const uri = vscode.Uri.file(file);
  const doc = await vscode.workspace.openTextDocument(uri);
  assert.equal(doc.languageId, 'dockerfile');
  return uri;
}

/**
 * Lenses as VS Code computes them, resolved (what a user sees), as "line: title". The tag lists
 * behind the newer-tag hints are read in the background on the first look: wait for them, then
 * look again, as the editor redraws when they arrive.
 */
async function lenses(uri: vscode.Uri): Promise<Array<{ line: number; title: string; command?: vscode.Command }>> {
  await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100);
  await api.codeLens.newerTags.settled();
  const result = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100)) as vscode.CodeLens[];
  // VS Code lists lenses that came resolved first and the others as they resolve: sort.
  return result
    .map((l) => ({ line: l.range.start.line, title: l.command?.title ?? '(unresolved)', command: l.command }))
    .sort((a, b) => a.line - b.line || a.title.localeCompare(b.title));
}

// ---- images crafted through the registry API: base:1's layer under a config of our own ----------

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const v2 = (p: string) => `http://${REGISTRY}/v2/${p}`;

async function pushBlob(repo: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const post = await fetch(v2(`${repo}/blobs/uploads/`), { method: 'POST' });
  assert.equal(post.status, 202);
  const at = new URL(post.headers.get('location')!, `http://${REGISTRY}`);
  at.searchParams.set('digest', digest);
  const put = await fetch(at, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
  assert.equal(put.status, 201, await put.text());
  return digest;
}

async function pushManifest(repo: string, reference: string | undefined, body: Buffer, mediaType: string): Promise<{ digest: string; size: number }> {
  const digest = sha256(body);
  const put = await fetch(v2(`${repo}/manifests/${reference ?? digest}`), { method: 'PUT', headers: { 'Content-Type': mediaType }, body: new Uint8Array(body) });
  assert.equal(put.status, 201, await put.text());
  return { digest, size: body.length };
}

/** An image (tagged, or by digest only) with this `created` (none when undefined) and architecture. */
async function craftImage(repo: string, opts: { created: string | undefined; note: string; arch?: string; tag?: string }): Promise<{ digest: string; size: number }> {
  const manifest = await (await fetch(v2(`base/manifests/${SEED.base1}`), { headers: { Accept: OCI_MANIFEST } })).json();
  const config = await (await fetch(v2(`base/blobs/${manifest.config.digest}`))).json();
  for (const layer of manifest.layers) {
    const mount = await fetch(v2(`${repo}/blobs/uploads/?mount=${layer.digest}&from=base`), { method: 'POST' });
    assert.equal(mount.status, 201);
  }
  if (opts.created === undefined) delete config.created;
  else config.created = opts.created;
  config.architecture = opts.arch ?? 'amd64';
  if (opts.arch === 'arm64') config.variant = 'v8';
  config.config = { ...config.config, Labels: { 'org.example.note': opts.note } };
  const configBytes = Buffer.from(JSON.stringify(config));
  manifest.config = { ...manifest.config, digest: await pushBlob(repo, configBytes), size: configBytes.length };
  return pushManifest(repo, opts.tag, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
}

/** An index of an amd64 and an arm64/v8 image, each with its own date. */
async function craftIndex(repo: string, dates: { amd64: string; arm64: string }, note: string, tag?: string): Promise<string> {
  const amd = await craftImage(repo, { created: dates.amd64, note: `${note}-amd64`, arch: 'amd64' });
  const arm = await craftImage(repo, { created: dates.arm64, note: `${note}-arm64`, arch: 'arm64' });
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { mediaType: OCI_MANIFEST, ...amd, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: OCI_MANIFEST, ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  };
  return (await pushManifest(repo, tag, Buffer.from(JSON.stringify(index)), OCI_INDEX)).digest;
}

/** Points an existing tag of `repo` at the manifest `digest` names. */
async function retag(repo: string, tag: string, digest: string): Promise<void> {
  const res = await fetch(v2(`${repo}/manifests/${digest}`), { headers: { Accept: `${OCI_INDEX}, ${OCI_MANIFEST}` } });
  const body = Buffer.from(await res.arrayBuffer());
  await pushManifest(repo, tag, body, res.headers.get('content-type')!);
}

const tagRequests = () => api.services.client.stats.byKind.get('tags') ?? 0;

describe('Dockerfile CodeLens', function () {
  this.timeout(60_000);

  before(async () => {
    api = (await vscode.extensions.getExtension('image-rebase.image-rebase')!.activate()) as ImageRebaseApi;
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('puts lenses on every external FROM, resolving ARGs, stages, scratch and continuations', async () => {
    const uri = await dockerfile('parser', [
      '# escape=`',
      `ARG REG=${REGISTRY}`,
      'ARG TAG',
      'FROM --platform=$BUILDPLATFORM ${REG}/base:${TAG:-1} AS build',
      'RUN echo build',
      'FROM build AS again',
      'FROM scratch AS empty',
      'FROM `',
      `  ${REGISTRY}/multi:1 AS multi`,
      'FROM ${MISSING}/x AS broken',
      `FROM ${REGISTRY}/base:2`,
    ]);
    const all = await lenses(uri);
    assert.deepEqual(
      all.map((l) => `${l.line}: ${l.title}`),
      [
        // A build stage: the newer tag of its line is hinted at, there is no rebase onto it.
        '3: $(arrow-up) Newer base: base:2',
        `3: $(package) ${short(SEED.base1)}…  linux/amd64`,
        `7: $(package) ${short(SEED.multi)}…  linux/amd64, linux/arm64`,
        '9: base: ARG MISSING has no default value',
        '10: $(git-pull-request-go-to-changes) Rebase image onto this base…',
        `10: $(package) ${short(SEED.base2)}…  linux/amd64`,
      ],
    );
    assert.deepEqual(all[4].command?.arguments, [uri.toString(), `${REGISTRY}/base:2`]);
  });

  it('offers to update a pin only when the tag now names a newer image, as an edit', async () => {
    // base:2 was built after base:1 (the fixtures build them in that order).
    const uri = await dockerfile('pinned', [`FROM ${REGISTRY}/base:2@${SEED.base1} AS old`, 'RUN true', `FROM ${REGISTRY}/base:2@${SEED.base2}`]);
    const all = await lenses(uri);
    const newer = all.find((l) => l.title.startsWith('$(arrow-up) Newer base available (built '));
    assert.ok(newer, JSON.stringify(all.map((l) => l.title)));
    assert.equal(newer.line, 0);
    assert.ok(all.some((l) => l.line === 2 && l.title === '$(check) pinned digest is current for 2'));
    // A pinned FROM keeps its pin: no hint of a newer tag of its line.
    assert.ok(!all.some((l) => l.title.includes('Newer base:')), JSON.stringify(all.map((l) => l.title)));
    assert.equal(await vscode.commands.executeCommand(newer.command!.command, ...(newer.command!.arguments ?? [])), true);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.lineAt(0).text, `FROM ${REGISTRY}/base:2@${SEED.base2} AS old`);
    assert.ok(doc.isDirty, 'an edit in the editor, for the user to save');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('keeps a pin when its tag was moved back to an older image, and says so', async () => {
    const repo = 'lens/moved';
    const old = await craftImage(repo, { created: '2024-01-01T00:00:00Z', note: 'old' });
    const pinned = await craftImage(repo, { created: '2024-06-01T00:00:00.000000002Z', note: 'pinned' });
    const twin = await craftImage(repo, { created: '2024-06-01T00:00:00.000000002Z', note: 'twin' });
    const undated = await craftImage(repo, { created: undefined, note: 'undated' });
    const newer = await craftImage(repo, { created: '2024-06-01T00:00:00.000000003Z', note: 'newer' });
    await retag(repo, 'back', old.digest);
    await retag(repo, 'same', twin.digest);
    await retag(repo, 'undated', undated.digest);
    await retag(repo, 'next', newer.digest);
    const uri = await dockerfile('moved', [
      `FROM ${REGISTRY}/${repo}:back@${pinned.digest} AS back`,
      `FROM ${REGISTRY}/${repo}:same@${pinned.digest} AS same`,
      `FROM ${REGISTRY}/${repo}:undated@${pinned.digest} AS undated`,
      `FROM ${REGISTRY}/${repo}:next@${pinned.digest}`,
    ]);
    const all = await lenses(uri);
    const pin = (line: number) => all.find((l) => l.line === line && !l.title.startsWith('$(package)') && !l.title.includes('Rebase image'))!;
    const titles = all.map((l) => `${l.line}: ${l.title}`).join('\n');
    assert.equal(pin(0)?.title, '$(history) back now points to an older image; pin kept', titles);
    assert.equal(pin(0).command?.command, '', 'nothing to click: moving the pin would downgrade');
    // Tooltips do not come back through executeCodeLensProvider: ask the provider itself.
    const doc = await vscode.workspace.openTextDocument(uri);
    const own = await Promise.all((await api.codeLens.provideCodeLenses(doc)).map((l) => api.codeLens.resolveCodeLens(l)));
    const tooltip = own.find((l) => l.range.start.line === 0 && l.command?.title === pin(0).title)?.command?.tooltip;
    assert.match(tooltip ?? '', /now points to sha256:[0-9a-f]{64}, built 2024-01-01T00:00:00Z; the pinned sha256:[0-9a-f]{64} was built 2024-06-01T00:00:00.000000002Z\. The pin is not offered to move\./);
    assert.equal(pin(1)?.title, '$(arrow-swap) same now points to another image of the same date', titles);
    assert.equal(pin(1).command?.command, '');
    assert.equal(pin(2)?.title, '$(arrow-swap) undated now points to another image — update the pin?', titles);
    assert.equal(pin(2).command?.command, 'imageRebase.updatePin', 'no dates: the user decides');
    // Newer by a nanosecond: a Date would call them equal.
    assert.equal(pin(3)?.title, '$(arrow-up) Newer base available (built 2024-06-01)', titles);
    assert.deepEqual(pin(3).command?.arguments?.slice(2), [pinned.digest, newer.digest]);
  });

  it('compares the dates of one platform of multi-platform pins, the FROM\'s --platform', async () => {
    const repo = 'lens/multi';
    // amd64 got newer and arm64 older between the pinned index and the tag's current one.
    const pinned = await craftIndex(repo, { amd64: '2024-01-01T00:00:00Z', arm64: '2024-09-01T00:00:00Z' }, 'pinned');
    await craftIndex(repo, { amd64: '2024-06-01T00:00:00Z', arm64: '2024-03-01T00:00:00Z' }, 'current', 'm');
    const uri = await dockerfile('multi-pin', [
      `FROM --platform=linux/amd64 ${REGISTRY}/${repo}:m@${pinned} AS amd`,
      `FROM --platform=linux/arm64 ${REGISTRY}/${repo}:m@${pinned} AS arm`,
      `FROM ${REGISTRY}/${repo}:m@${pinned}`,
    ]);
    const before = api.services.client.stats.total;
    const titles = (await lenses(uri)).map((l) => `${l.line}: ${l.title}`);
    assert.ok(titles.includes('0: $(arrow-up) Newer base available (built 2024-06-01)'), titles.join('\n'));
    assert.ok(titles.includes('1: $(history) m now points to an older image; pin kept'), titles.join('\n'));
    // Without --platform, the index's first platform is compared.
    assert.ok(titles.includes('2: $(arrow-up) Newer base available (built 2024-06-01)'), titles.join('\n'));
    // HEAD of the tag, both indexes, and a manifest and a config per platform and side, each once.
    const requests = api.services.client.stats.total - before;
    assert.ok(requests <= 12, `requests: ${requests}`);
  });

  it('takes a pin of one platform image of the tag\'s index as current, like a pin of the index', async () => {
    const mbase2 = await tagDigest('mbase', '2');
    // A tag that names one platform image of mbase:2: a pin of the index is as current.
    const amd = await fetch(`http://${REGISTRY}/v2/mbase/manifests/${SEED.mbase2Amd64}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const put = await fetch(`http://${REGISTRY}/v2/mbase/manifests/2-amd64-image`, { method: 'PUT', headers: { 'Content-Type': amd.headers.get('content-type')! }, body: await amd.text() });
    assert.equal(put.status, 201);
    const uri = await dockerfile('platform-pin', [
      `FROM ${REGISTRY}/mbase:2@${SEED.mbase2Amd64} AS child`,
      `FROM ${REGISTRY}/mbase:2@${mbase2} AS index`,
      `FROM ${REGISTRY}/mbase:2-amd64-image@${mbase2} AS parent`,
      `FROM ${REGISTRY}/mbase:1@${SEED.mbase2Arm64}`,
    ]);
    const all = await lenses(uri);
    const titles = all.map((l) => `${l.line}: ${l.title}`);
    assert.ok(titles.includes('0: $(check) pinned digest is current for 2 (its linux/amd64 image)'), titles.join('\n'));
    assert.ok(titles.includes('1: $(check) pinned digest is current for 2'), titles.join('\n'));
    assert.ok(titles.includes('2: $(check) pinned digest is current for 2-amd64-image (an index of its image)'), titles.join('\n'));
    // mbase:1 is another index: a platform image of mbase:2 is not current for it (newer or older
    // by build date: the fixtures build them at once).
    assert.ok(all.some((l) => l.line === 3 && /^\$\((arrow-up|history|arrow-swap)\) /.test(l.title) && !l.title.startsWith('$(check)')), titles.join('\n'));
  });

  it('hints at the newer tag of an unpinned FROM\'s line, one tag list per repository', async () => {
    const repo = 'lens/line';
    for (const tag of ['1-slim', '2-slim', '3', 'latest', '20240101', '20250101', '1.2', '1.10']) {
      await craftImage(repo, { created: '2024-01-01T00:00:00Z', note: tag, tag });
    }
    const uri = await dockerfile('line', [
      `FROM ${REGISTRY}/${repo}:1-slim AS slim`,
      `FROM ${REGISTRY}/${repo}:latest AS latest`,
      `FROM ${REGISTRY}/${repo}:20240101 AS dated`,
      `FROM ${REGISTRY}/${repo}:1.10 AS newest`,
      `FROM ${REGISTRY}/${repo}:1.2@${SEED.base1} AS pinned`,
      `FROM ${REGISTRY}/base:1`,
    ]);
    await vscode.commands.executeCommand('imageRebase.refreshCodeLenses');
    const before = tagRequests();
    const all = await lenses(uri);
    assert.deepEqual(
      all.map((l) => `${l.line}: ${l.title}`).filter((t) => /Newer base:|Rebase onto/.test(t)),
      ['0: $(arrow-up) Newer base: lens/line:2-slim', '2: $(arrow-up) Newer base: lens/line:20250101', '5: $(arrow-up) Newer base: base:2', '5: Rebase onto base:2…'],
    );
    assert.equal(tagRequests() - before, 2, 'lens/line and base, each read once');
    const hint = all.find((l) => l.title === '$(arrow-up) Newer base: base:2')!;
    assert.deepEqual(hint.command?.arguments, [`${REGISTRY}/base:2`]);
    assert.equal(hint.command?.command, 'imageRebase.openManifestOf');
    const onto = all.find((l) => l.title === 'Rebase onto base:2…')!;
    assert.equal(onto.command?.command, 'imageRebase.rebaseFromDockerfile');
    assert.deepEqual(onto.command?.arguments, [uri.toString(), `${REGISTRY}/base:2`]);
    await lenses(uri);
    assert.equal(tagRequests() - before, 2, 'looking again reads no tag list');
  });

  it('sees a newer tag pushed later once the lenses are refreshed', async () => {
    const repo = 'lens/later';
    await craftImage(repo, { created: '2024-01-01T00:00:00Z', note: 'one', tag: '1' });
    const uri = await dockerfile('later', [`FROM ${REGISTRY}/${repo}:1`]);
    const hinted = async () => (await lenses(uri)).some((l) => l.title === '$(arrow-up) Newer base: lens/later:2');
    assert.equal(await hinted(), false);
    await craftImage(repo, { created: '2024-02-01T00:00:00Z', note: 'two', tag: '2' });
    assert.equal(await hinted(), false, 'the tag list is kept for a while');
    await vscode.commands.executeCommand('imageRebase.refreshCodeLenses');
    assert.equal(await hinted(), true);
  });

  it('"Rebase onto base:2…" starts the Rebase Image flow with base:2 as the new base', async () => {
    const uri = await dockerfile('rebase-newer', [`FROM ${REGISTRY}/base:1`, 'COPY hello.txt /app/']);
    const onto = (await lenses(uri)).find((l) => l.title === 'Rebase onto base:2…');
    assert.ok(onto);
    await api.services.context.workspaceState.update(`imageRebase.builtImage:${uri.toString()}`, `${REGISTRY}/app:1`);
    // The detected old base and the suggested target are taken, as Enter would.
    const panel = await runTakingOffers<{ session: { model: PreviewModel }; panel: vscode.WebviewPanel }>(onto.command!.command, ...(onto.command!.arguments ?? []));
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.newBase.reference, `${REGISTRY}/base:2`);
    assert.equal(panel.session.model.source.reference, `${REGISTRY}/app:1`);
    panel.panel.dispose();
  });

  it('says briefly when the base needs sign-in or its registry is down', async () => {
    const uri = await dockerfile('problems', [`FROM ${BASIC}/private/base:1`, 'FROM 127.0.0.1:9/nothing/here:1']);
    const all = await lenses(uri);
    assert.deepEqual(all.map((l) => `${l.line}: ${l.title}`), [
      `0: base: sign in to ${BASIC}`,
      '1: $(git-pull-request-go-to-changes) Rebase image onto this base…',
      '1: base: 127.0.0.1:9 unreachable — retry',
    ]);
    assert.deepEqual(all[0].command?.command, 'imageRebase.signIn');
    assert.deepEqual(all[2].command?.command, 'imageRebase.refreshCodeLenses');
  });

  it('starts the Rebase Image flow with the FROM as the new base', async () => {
    const uri = await dockerfile('rebase', [`FROM ${REGISTRY}/base:2`, 'COPY hello.txt /app/']);
    const rebaseLens = (await lenses(uri)).find((l) => l.title.includes('Rebase image onto this base'))!;
    // Which pushed image this Dockerfile builds is asked once and remembered per Dockerfile.
    await api.services.context.workspaceState.update(`imageRebase.builtImage:${uri.toString()}`, `${REGISTRY}/app:1`);
    // The detected old base and the suggested target are taken, as Enter would.
    const panel = await runTakingOffers<{ session: { model: PreviewModel }; panel: vscode.WebviewPanel }>(rebaseLens.command!.command, ...(rebaseLens.command!.arguments ?? []));
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.newBase.reference, `${REGISTRY}/base:2`);
    assert.equal(panel.session.model.source.reference, `${REGISTRY}/app:1`);
    assert.equal(panel.session.model.target.reference, `${REGISTRY}/app:1-rebased`);
    panel.panel.dispose();
  });

  it('follows the imageRebase.codeLens.enabled setting and its toggle command', async () => {
    const uri = await dockerfile('toggle', [`FROM ${REGISTRY}/base:2`]);
    assert.equal((await lenses(uri)).length, 2);
    assert.equal(await vscode.commands.executeCommand('imageRebase.toggleCodeLens'), false);
    try {
      assert.equal((await lenses(uri)).length, 0);
    } finally {
      assert.equal(await vscode.commands.executeCommand('imageRebase.toggleCodeLens'), true);
    }
    assert.equal((await lenses(uri)).length, 2);
  });
});
