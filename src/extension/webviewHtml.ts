import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** Bundle under dist/, e.g. 'webview.js'. */
  script: string;
  /** Stylesheets under media/. */
  styles: string[];
  title: string;
}

/**
 * The HTML shell of every webview of the extension: one script allowed by a fresh nonce, styles
 * and fonts only from the extension, nothing inline. The page's own script renders the rest as
 * text, so registry strings never pass through an HTML parser.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', page.script));
  const styles = page.styles.map((f) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', f)));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource}`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((s) => `<link rel="stylesheet" href="${s}">`).join('\n')}
<title>${page.title}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
