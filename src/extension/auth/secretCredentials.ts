import * as vscode from 'vscode';
import { Credentials, CredentialStore } from '../../core/auth/credentials';

const KEY_PREFIX = 'imageRebase.credentials/';

/**
 * Credentials the user entered with "Sign In…", kept in VS Code's SecretStorage (the OS keychain
 * on desktop), never in settings. Consulted before ~/.docker/config.json.
 */
export class SecretCredentialStore implements CredentialStore {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(registry: string): Promise<Credentials | undefined> {
    const raw = await this.secrets.get(KEY_PREFIX + registry);
    if (!raw) return undefined;
    try {
      const c = JSON.parse(raw) as Credentials;
      return c.username || c.registryToken ? c : undefined;
    } catch {
      return undefined;
    }
  }

  async has(registry: string): Promise<boolean> {
    return (await this.secrets.get(KEY_PREFIX + registry)) !== undefined;
  }

  async store(registry: string, credentials: Credentials): Promise<void> {
    await this.secrets.store(KEY_PREFIX + registry, JSON.stringify(credentials));
    this.changed.fire(registry);
  }

  async delete(registry: string): Promise<void> {
    await this.secrets.delete(KEY_PREFIX + registry);
    this.changed.fire(registry);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
