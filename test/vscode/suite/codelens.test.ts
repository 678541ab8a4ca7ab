import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageRebaseApi } from '../../../src/extension';
import type { PreviewModel } from '../../../src/shared/previewProtocol';

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

/** Lenses as VS Code computes them, resolved (what a user sees), as "line: title". */
async function lenses(uri: vscode.Uri): Promise<Array<{ line: number; title: string; command?: vscode.Command }>> {
  const result = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100)) as vscode.CodeLens[];
  // VS Code lists lenses that came resolved first and the others as they resolve: sort.
  return result
    .map((l) => ({ line: l.range.start.line, title: l.command?.title ?? '(unresolved)', command: l.command }))
    .sort((a, b) => a.line - b.line || a.title.localeCompare(b.title));
}

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
        `3: $(package) ${short(SEED.base1)}…  linux/amd64`,
        `7: $(package) ${short(SEED.multi)}…  linux/amd64, linux/arm64`,
        '9: base: ARG MISSING has no default value',
        '10: $(git-pull-request-go-to-changes) Rebase image onto this base…',
        `10: $(package) ${short(SEED.base2)}…  linux/amd64`,
      ],
    );
    assert.deepEqual(all[3].command?.arguments, [uri.toString(), `${REGISTRY}/base:2`]);
  });

  it('offers to update a pin when the tag now points elsewhere, as an edit', async () => {
    const uri = await dockerfile('pinned', [`FROM ${REGISTRY}/base:1@${SEED.base2} AS old`, 'RUN true', `FROM ${REGISTRY}/base:2@${SEED.base2}`]);
    const all = await lenses(uri);
    const newer = all.find((l) => l.title.startsWith('$(arrow-up) Newer base available (pushed '));
    assert.ok(newer, JSON.stringify(all.map((l) => l.title)));
    assert.equal(newer.line, 0);
    assert.ok(all.some((l) => l.line === 2 && l.title === '$(check) pinned digest is current for 2'));
    assert.equal(await vscode.commands.executeCommand(newer.command!.command, ...(newer.command!.arguments ?? [])), true);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.lineAt(0).text, `FROM ${REGISTRY}/base:1@${SEED.base1} AS old`);
    assert.ok(doc.isDirty, 'an edit in the editor, for the user to save');
    await vscode.commands.executeCommand('workbench.action.files.revert');
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
    // mbase:1 is another index: a platform image of mbase:2 is not current for it.
    assert.ok(all.some((l) => l.line === 3 && l.title.startsWith('$(arrow-up) Newer base available')), titles.join('\n'));
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
    let settled = false;
    const pending = Promise.resolve(vscode.commands.executeCommand(rebaseLens.command!.command, ...(rebaseLens.command!.arguments ?? []))).finally(() => (settled = true));
    // Accept the detected old base and the suggested target, as Enter would.
    while (!settled) {
      await new Promise((r) => setTimeout(r, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const panel = (await pending) as { session: { model: PreviewModel }; panel: vscode.WebviewPanel } | undefined;
    assert.ok(panel, api.services.lastError);
    assert.equal(panel.session.model.newBase.reference, `${REGISTRY}/base:2`);
    assert.equal(panel.session.model.source.reference, `${REGISTRY}/app:1`);
    assert.equal(panel.session.model.target.reference, `${REGISTRY}/app:1-rebased`);
    panel.panel.dispose();
  });

  it('follows the imageRebase.codeLens.enabled setting and its toggle command', async () => {
    const uri = await dockerfile('toggle', [`FROM ${REGISTRY}/base:1`]);
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
