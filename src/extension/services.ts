import * as vscode from 'vscode';
import { ChainedCredentialStore } from '../core/auth/credentials';
import { DockerConfigCredentialStore } from '../core/auth/dockerConfigStore';
import { RegistryClient } from '../core/registry/client';
import type { RegistryClientOptions } from '../core/registry/clientOptions';
import { errorText } from '../core/errors';
import { OutputLog } from './log/outputLog';
import { SecretCredentialStore } from './auth/secretCredentials';
import { Settings, readSettings } from './settings';
import { ImageCache } from './registries/imageCache';

/**
 * What every feature shares: settings, the log, credentials and the one registry client. The
 * client is replaced when settings or sign-ins change, which also drops its cached tokens.
 */
export class Services implements vscode.Disposable {
  readonly log: OutputLog;
  readonly secrets: SecretCredentialStore;
  readonly dockerConfig = new DockerConfigCredentialStore();
  private current: { client: RegistryClient; cache: ImageCache } | undefined;
  private settingsValue: Settings;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the client was replaced: views should reload. */
  readonly onDidReset = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly context: vscode.ExtensionContext) {
    this.settingsValue = readSettings();
    this.log = new OutputLog(this.settingsValue.logLevel);
    this.secrets = new SecretCredentialStore(context.secrets);
    this.disposables.push(
      this.log,
      this.changed,
      this.secrets,
      this.secrets.onDidChange(() => this.reset()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('imageRebase')) return;
        this.settingsValue = readSettings();
        this.log.setLevel(this.settingsValue.logLevel);
        this.reset();
      }),
    );
  }

  /** The last error shown to the user (tests read it; the user reads the notification). */
  lastError: string | undefined;

  /** The last information message shown (tests read it, as lastError). */
  lastInfo: string | undefined;

  /** An outcome that is no failure ("already on that base"): a notification and the log. */
  showInfo(message: string): void {
    this.lastInfo = message;
    this.log.info(message);
    void vscode.window.showInformationMessage(message);
  }

  /** Every failure reaches the user the same way: one sentence, in a notification and the log. */
  showError(e: unknown): void {
    const message = errorText(e);
    this.lastError = message;
    this.log.error(message);
    void vscode.window.showErrorMessage(message);
  }

  get settings(): Settings {
    return this.settingsValue;
  }

  get client(): RegistryClient {
    return this.ensure().client;
  }

  /** Manifests and configs already fetched, shared by the tree, documents and commands. */
  get cache(): ImageCache {
    return this.ensure().cache;
  }

  reset(): void {
    this.current = undefined;
    this.changed.fire();
  }

  /** How every client of the extension talks to registries: settings, log, user agent. */
  clientOptions(): RegistryClientOptions {
    const { insecureRegistries, network } = this.settingsValue;
    return {
      insecureRegistries,
      log: (line) => this.log.debug(line),
      // Retries and rate-limit warnings are worth seeing at the default level.
      notice: (line) => this.log.info(line),
      retry: { retries: network.retries },
      timeouts: { connectMs: network.connectTimeoutMs, idleMs: network.idleTimeoutMs },
      userAgent: `image-rebase-vscode/${this.context.extension.packageJSON.version ?? '0'}`,
    };
  }

  private ensure(): { client: RegistryClient; cache: ImageCache } {
    if (!this.current) {
      const client = new RegistryClient({ ...this.clientOptions(), credentials: new ChainedCredentialStore([this.secrets, this.dockerConfig]) });
      this.current = { client, cache: new ImageCache(client) };
    }
    return this.current;
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
