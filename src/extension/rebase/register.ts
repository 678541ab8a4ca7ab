import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { isIndexRebase } from '../../core/rebase/rebase';
import { anyPreviewModel } from '../../core/rebase/preview';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { Services } from '../services';
import { Node, PlatformNode, TagNode } from '../registries/nodes';
import { RegistriesTreeProvider } from '../registries/treeProvider';
import { revealTag } from '../registries/reveal';
import { collectRequest, RebaseArgs } from './flow';
import { PlanDocumentProvider, PLAN_SCHEME } from './planDocuments';
import { plannedDigest } from './planStep';
import { PreviewPanel } from './previewPanel';
import { RecentImages } from './recent';
import { RebaseSession } from './session';
import { spoken } from './speak';
import { undoSingleRebase } from '../fleet/undo';

/**
 * "Rebase Image": one flow for the palette, the tree (source prefilled) and the CodeLens (new
 * base prefilled). Plans with a dry run, shows the preview, pushes only from its Push button.
 */
export function register(services: Services, explorer: { tree: RegistriesTreeProvider; view: vscode.TreeView<Node> }): vscode.Disposable[] {
  const documents = new PlanDocumentProvider();
  const recent = {
    images: new RecentImages(services.context.globalState, 'imageRebase.recentImages'),
    bases: new RecentImages(services.context.globalState, 'imageRebase.recentBases'),
  };

  const run = async (arg?: Node | RebaseArgs): Promise<PreviewPanel | undefined> => {
    const args: RebaseArgs = arg instanceof TagNode ? { source: `${arg.ref.registry}/${arg.ref.repository}:${arg.ref.reference}` }
      : arg instanceof PlatformNode ? { source: `${arg.ref.registry}/${arg.ref.repository}@${arg.ref.reference}` }
      : arg instanceof Node ? {} : (arg ?? {});
    try {
      // The steps, then the dry run, all in one picker (planning included: it shows busy there).
      const collected = await collectRequest(services, recent, args);
      if (!collected) return undefined;
      const prepared = collected.prepared;
      if (collected.unchanged) {
        void nothingToPush(services, explorer, prepared.plan.target.reference, plannedDigest(prepared));
        return undefined;
      }
      if (collected.discovery && !isIndexRebase(prepared)) prepared.oldBase = collected.discovery;
      const model = anyPreviewModel(prepared, { existingTargetDigest: collected.existingTargetDigest, warnings: collected.warnings });
      // The digest the target held before: what Undo Rebase on the result notification puts back.
      const undo = collected.existingTargetDigest ? { source: prepared.plan.source.reference, previous: collected.existingTargetDigest } : undefined;
      const targetRef = parseReferenceWithDefaultTag(prepared.plan.target.reference);
      const session = new RebaseSession(
        services,
        prepared,
        model,
        (digest, note) => void afterPush(services, explorer, prepared.plan.target.reference, digest, undo, note),
        () => explorer.tree.refreshRepository({ registry: targetRef.registry, repository: targetRef.repository }),
      );
      return new PreviewPanel(services.context.extensionUri, session, documents);
    } catch (e) {
      if (e instanceof vscode.CancellationError || (isUserError(e) && e.code === 'cancelled')) return undefined;
      // A preview of a rebase that changes nothing would only invite a pointless push.
      if (isUserError(e) && e.code === 'already-on-base') {
        services.showInfo(e.message);
        return undefined;
      }
      services.showError(spoken(e));
      return undefined;
    }
  };

  return [
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, documents),
    vscode.commands.registerCommand('imageRebase.rebaseImage', run),
    // The tree's entry has its own title ("Rebase Image…") and is hidden from the palette.
    vscode.commands.registerCommand('imageRebase.rebaseImageFromTree', run),
  ];
}

/**
 * The target already holds exactly the image the rebase would push: a preview would only offer a
 * push that changes nothing, so say so, with what the push notification offers.
 */
async function nothingToPush(services: Services, explorer: { tree: RegistriesTreeProvider; view: vscode.TreeView<Node> }, target: string, digest: string): Promise<void> {
  const message = `${target} already holds the rebased image (${digest}): nothing would change, so there is nothing to push.`;
  services.lastInfo = message;
  services.log.info(message);
  const answer = await vscode.window.showInformationMessage(message, 'Reveal in Tree', 'Copy Digest');
  if (answer === 'Copy Digest') await vscode.env.clipboard.writeText(digest);
  if (answer === 'Reveal in Tree') await reveal(explorer, target);
}

async function reveal(explorer: { tree: RegistriesTreeProvider; view: vscode.TreeView<Node> }, target: string): Promise<void> {
  const ref = parseReferenceWithDefaultTag(target);
  const node = await revealTag(explorer.tree, explorer.view, ref.registry, ref.repository, ref.tag ?? 'latest');
  if (!node) void vscode.window.showInformationMessage(`${ref.registry} is not in the Registries view; add it to see ${target} there.`);
}

async function afterPush(services: Services, explorer: { tree: RegistriesTreeProvider; view: vscode.TreeView<Node> }, target: string, digest: string, undo?: { source: string; previous: string }, note?: string): Promise<void> {
  const ref = parseReferenceWithDefaultTag(target);
  explorer.tree.refreshRepository({ registry: ref.registry, repository: ref.repository });
  const answer = await vscode.window.showInformationMessage(`Pushed ${target}@${digest}${note ? `. ${note}` : ''}`, 'Copy Digest', 'Reveal in Tree', ...(undo ? ['Undo Rebase'] : []));
  if (answer === 'Undo Rebase' && undo) {
    await undoSingleRebase(services, undo.source, target, undo.previous, digest);
    explorer.tree.refreshRepository({ registry: ref.registry, repository: ref.repository });
  }
  if (answer === 'Copy Digest') await vscode.env.clipboard.writeText(digest);
  if (answer === 'Reveal in Tree') await reveal(explorer, target);
}
