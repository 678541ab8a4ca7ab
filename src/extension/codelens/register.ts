import * as vscode from 'vscode';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { pickImage } from '../rebase/pickImage';
import { Services } from '../services';
import { documentUri } from '../documents/manifestDocuments';
import { BaseResolver } from './baseResolver';
import { NewerTags } from './newerTags';
import { FromCodeLensProvider } from './provider';

const BUILT_IMAGE_KEY = 'imageRebase.builtImage:';

/** The CodeLens above Dockerfile FROM lines, and the commands its lenses run. */
export function register(services: Services): { disposables: vscode.Disposable[]; provider: FromCodeLensProvider } {
  const enabled = () => vscode.workspace.getConfiguration('imageRebase').get<boolean>('codeLens.enabled', true);
  const resolver = new BaseResolver(() => services.client, () => services.cache);
  const newerTags = new NewerTags(() => services.client);
  const provider = new FromCodeLensProvider(resolver, enabled, newerTags);
  const refresh = () => {
    resolver.clear();
    newerTags.clear();
    provider.refresh();
  };

  const askBuiltImage = async (uri: string, current?: string): Promise<string | undefined> => {
    const name = vscode.Uri.parse(uri).path.split('/').pop();
    // The images of the Registries view are offered: the Dockerfile's image is usually one of them.
    const answer = await pickImage(services, {
      title: `Which pushed image does ${name} build?`,
      placeholder: 'The image to rebase, remembered for this Dockerfile: pick it, choose a repository to see its tags, or type it',
      value: current,
    });
    if (!answer) return undefined;
    await services.context.workspaceState.update(BUILT_IMAGE_KEY + uri, answer.trim());
    return answer.trim();
  };

  const disposables = [
    vscode.languages.registerCodeLensProvider({ language: 'dockerfile' }, provider),
    services.onDidReset(refresh),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('imageRebase.codeLens.enabled')) provider.refresh();
    }),
    vscode.commands.registerCommand('imageRebase.refreshCodeLenses', refresh),
    vscode.commands.registerCommand('imageRebase.toggleCodeLens', async () => {
      await vscode.workspace.getConfiguration('imageRebase').update('codeLens.enabled', !enabled(), vscode.ConfigurationTarget.Global);
      return enabled();
    }),
    vscode.commands.registerCommand('imageRebase.openManifestOf', async (reference: string) => {
      const ref = parseReferenceWithDefaultTag(reference);
      const doc = await vscode.workspace.openTextDocument(documentUri({ registry: ref.registry, repository: ref.repository, reference: ref.digest ?? ref.tag ?? 'latest' }, 'manifest'));
      return vscode.window.showTextDocument(doc, { preview: true });
    }),
    vscode.commands.registerCommand('imageRebase.updatePin', async (uri: string, range: [number, number, number, number], oldDigest: string, newDigest: string) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const r = new vscode.Range(...range);
      // The document may have changed since the lens was made: only replace what it pointed at.
      if (doc.getText(r) !== oldDigest) {
        void vscode.window.showWarningMessage('The pinned digest has changed since the lens was shown; nothing was edited.');
        return false;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, r, newDigest);
      const ok = await vscode.workspace.applyEdit(edit);
      if (ok) provider.refresh();
      return ok;
    }),
    vscode.commands.registerCommand('imageRebase.rebaseFromDockerfile', async (uri: string, newBase: string) => {
      const source = services.context.workspaceState.get<string>(BUILT_IMAGE_KEY + uri) ?? (await askBuiltImage(uri));
      if (!source) return undefined;
      return vscode.commands.executeCommand('imageRebase.rebaseImage', { source, newBase });
    }),
    vscode.commands.registerCommand('imageRebase.changeBuiltImage', async (uri?: vscode.Uri | string) => {
      const target = typeof uri === 'string' ? uri : (uri ?? vscode.window.activeTextEditor?.document.uri)?.toString();
      if (!target) return undefined;
      return askBuiltImage(target, services.context.workspaceState.get<string>(BUILT_IMAGE_KEY + target));
    }),
  ];
  return { disposables, provider };
}
