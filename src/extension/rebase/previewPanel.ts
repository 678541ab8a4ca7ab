import * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';
import { HostMessage, WebviewMessage } from '../../shared/previewProtocol';
import { PackageChanges } from './packageChanges';
import { PlanDocumentProvider } from './planDocuments';
import { RebaseSession } from './session';

/**
 * The Rebase Preview: a webview that shows the plan and asks for consent. Everything it shows is
 * sent as data and rendered by webview/main.ts as text; the HTML here holds no registry string.
 */
export class PreviewPanel implements vscode.Disposable {
  static readonly viewType = 'imageRebase.preview';
  readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly planId: string;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;
  /** The "Package changes" section; it starts loading as the panel opens. */
  readonly packages: PackageChanges;

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly session: RebaseSession,
    private readonly documents: PlanDocumentProvider,
  ) {
    this.planId = documents.add(session.prepared);
    this.panel = vscode.window.createWebviewPanel(PreviewPanel.viewType, `Rebase Preview: ${shortName(session.prepared.plan.target.reference)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'image-rebase.svg');
    this.panel.webview.html = this.html();
    this.packages = new PackageChanges(session.services, session.prepared);
    this.disposables.push(
      this.packages,
      this.packages.onDidChange((packages) => this.post({ type: 'packages', packages })),
      this.panel.webview.onDidReceiveMessage((m: WebviewMessage) => void this.handle(m)),
      session.onDidChangeStatus((status) => this.post({ type: 'status', status })),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The same entry point the webview's buttons use; tests call it to act as the user would. */
  async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.post({ type: 'model', model: this.session.model, status: this.session.status });
        await this.post({ type: 'packages', packages: this.packages.state });
        break;
      case 'comparePackages':
        await this.packages.compare();
        break;
      case 'cancelPackages':
        this.packages.cancel();
        break;
      case 'push':
        await this.session.push();
        break;
      case 'cancel':
        if (this.session.status.phase === 'pushing') this.session.cancel();
        else this.panel.dispose();
        break;
      case 'openRawDiff': {
        const { left, right, title } = this.documents.uris(this.planId, this.session.prepared);
        await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true, viewColumn: vscode.ViewColumn.Beside });
        break;
      }
    }
  }

  private post(message: HostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.extensionUri, { script: 'webview.js', styles: ['preview.css'], title: 'Rebase Preview' });
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.documents.remove(this.planId);
    this.session.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
    this.disposables.length = 0;
    this.closed.fire();
    this.closed.dispose();
    this.panel.dispose();
  }
}

function shortName(reference: string): string {
  return reference.split('/').slice(-1)[0];
}
