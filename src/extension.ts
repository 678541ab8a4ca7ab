import * as vscode from 'vscode';
import { Services } from './extension/services';
import * as registries from './extension/registries/register';
import * as auth from './extension/auth/register';
import * as documents from './extension/documents/register';
import * as rebase from './extension/rebase/register';
import * as codelens from './extension/codelens/register';
import * as manifestList from './extension/manifestList/register';
import * as fleet from './extension/fleet/register';
import type { FleetApi } from './extension/fleet/register';
import type { RegistriesTreeProvider } from './extension/registries/treeProvider';
import type { FromCodeLensProvider } from './extension/codelens/provider';

/** What activate() hands back: used by the extension-host tests, and nothing else. */
export interface ImageRebaseApi {
  services: Services;
  tree: RegistriesTreeProvider;
  codeLens: FromCodeLensProvider;
  fleet: FleetApi;
}

export function activate(context: vscode.ExtensionContext): ImageRebaseApi {
  const services = new Services(context);
  const explorer = registries.register(services);
  const lenses = codelens.register(services);
  const fleetFeature = fleet.register(services, explorer);
  context.subscriptions.push(
    services,
    ...explorer.disposables,
    ...auth.register(services),
    ...documents.register(services),
    ...rebase.register(services, explorer),
    ...lenses.disposables,
    ...manifestList.register(services, explorer.tree),
    ...fleetFeature.disposables,
  );
  services.log.info('Image Rebase activated');
  return { services, tree: explorer.tree, codeLens: lenses.provider, fleet: fleetFeature.api };
}

export function deactivate(): void {
  // Everything is in context.subscriptions, which VS Code disposes.
}
