import * as vscode from 'vscode';
import { StaticCredentialStore } from '../../core/auth/credentials';
import { RegistryClient } from '../../core/registry/client';
import { isUserError } from '../../core/errors';
import { Services } from '../services';
import { speak } from '../rebase/speak';
import { RegistryNode } from '../registries/nodes';
import { normaliseRegistry } from '../registries/treeProvider';

/**
 * Sign In / Sign Out. The credentials are checked against the registry before they are kept,
 * so a typo is caught at once rather than at the next rebase.
 */
export function register(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('imageRebase.signIn', async (target?: RegistryNode | string, given?: { username: string; password: string }) => {
      const registry = await registryArg(services, target, 'Sign in to which registry?');
      if (!registry) return false;
      let username: string | undefined;
      let password: string | undefined;
      // A wrong password asks again with the username kept, instead of starting over.
      for (let kept: string | undefined; ; ) {
        username =
          given?.username ??
          (await vscode.window.showInputBox({
            title: `Sign in to ${registry}`,
            prompt: 'Username',
            value: kept,
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? undefined : 'Enter a username.'),
          }));
        if (!username) return false;
        kept = username;
        password =
          given?.password ??
          (await vscode.window.showInputBox({ title: `Sign in to ${registry}`, prompt: `Password or access token for ${username.trim()}`, password: true, ignoreFocusOut: true }));
        if (!password) return false;
        const problem = await checkSignIn(services, registry, username.trim(), password);
        if (!problem) break;
        services.lastError = problem.message;
        services.log.error(problem.message);
        if (given || !problem.retry) {
          void vscode.window.showErrorMessage(problem.message);
          return false;
        }
        const again = await vscode.window.showErrorMessage(problem.message, 'Try Again');
        if (again !== 'Try Again') return false;
      }
      await services.secrets.store(registry, { username: username!.trim(), password: password! });
      services.log.info(`Signed in to ${registry} as ${username!.trim()}`);
      void vscode.window.showInformationMessage(`Signed in to ${registry} as ${username!.trim()}.`);
      return true;
    }),
    vscode.commands.registerCommand('imageRebase.signOut', async (target?: RegistryNode | string) => {
      const registry = await registryArg(services, target, 'Sign out of which registry?');
      if (!registry) return false;
      await services.secrets.delete(registry);
      services.log.info(`Signed out of ${registry}`);
      return true;
    }),
  ];
}

/** Checks the credentials against the registry; a rejected password can be tried again. */
async function checkSignIn(services: Services, registry: string, username: string, password: string): Promise<{ message: string; retry: boolean } | undefined> {
  const probe = new RegistryClient({ credentials: new StaticCredentialStore({ [registry]: { username, password } }), ...services.clientOptions() });
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Signing in to ${registry}…` }, () => probe.ping(registry));
    return undefined;
  } catch (e) {
    if (isUserError(e) && e.code === 'auth') return { message: `Signing in to ${registry} as ${username} failed: the username or password was rejected.`, retry: true };
    return { message: isUserError(e) ? speak(e.message) : `Unexpected error: ${String((e as Error)?.message ?? e)}`, retry: isUserError(e) };
  }
}

async function registryArg(services: Services, target: RegistryNode | string | undefined, placeHolder: string): Promise<string | undefined> {
  if (target instanceof RegistryNode) return target.registry;
  if (typeof target === 'string' && target) return normaliseRegistry(target);
  const registries = services.settings.registries.map(normaliseRegistry);
  if (!registries.length) {
    void vscode.window.showInformationMessage('Add a registry first (Image Rebase: Add Registry…).');
    return undefined;
  }
  return vscode.window.showQuickPick(registries, { placeHolder });
}
