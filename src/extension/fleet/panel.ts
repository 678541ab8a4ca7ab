import * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';
import { FleetHostMessage, FleetWebviewMessage } from '../../shared/fleetProtocol';
import { FleetSession } from './session';

/**
 * "Rebase Outdated Images": one webview for every planned rebase. The HTML holds no registry
 * string; the model goes over as data and webview/fleet/main.ts renders it as text.
 */
export class FleetPanel implements vscode.Disposable {
  static readonly viewType = 'imageRebase.fleetPreview';
  readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly session: FleetSession,
  ) {
    this.panel = vscode.window.createWebviewPanel(FleetPanel.viewType, `Rebase Outdated Images (${session.model.items.length})`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'image-rebase.svg');
    this.panel.webview.html = this.html();
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: FleetWebviewMessage) => void this.handle(m)),
      session.onDidChange((state) => void this.post({ type: 'state', state })),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The entry point of the webview's controls; tests call it to act as the user would. */
  async handle(message: FleetWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.post({ type: 'model', model: this.session.model, state: this.session.state });
        break;
      case 'setIncluded':
        if (typeof message.id === 'string') this.session.setIncluded(message.id, message.included === true);
        break;
      case 'pushAll':
        await this.session.pushAll();
        break;
      case 'undo':
        await this.session.undo();
        break;
      case 'cancel':
        if (this.session.state.phase === 'pushing') this.session.cancel();
        else if (this.session.state.phase === 'preview') this.panel.dispose();
        break;
    }
  }

  private post(message: FleetHostMessage): Thenable<boolean> {
    return this.disposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.extensionUri, { script: 'fleet.js', styles: ['preview.css', 'fleet.css'], title: 'Rebase Outdated Images' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // A push under way goes on (each image is atomic); only the view goes.
    vscode.Disposable.from(...this.disposables).dispose();
    this.panel.dispose();
  }
}
