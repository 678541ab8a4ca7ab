import * as vscode from 'vscode';
import { setSqlWasmPath } from '../core/packages';

/**
 * What the package features of the extension share: the layer-scan cache in global storage
 * (survives restarts, per user, outside any workspace) and sql.js's WASM, which the bundle
 * cannot find beside itself (it is dist/extension.js, not sql.js's own folder).
 */
let wasmSet = false;

export function ensureSqlWasm(context: vscode.ExtensionContext): void {
  if (wasmSet) return;
  wasmSet = true;
  setSqlWasmPath(context.asAbsolutePath('dist/sql-wasm.wasm'));
}

export function packageCacheDir(context: vscode.ExtensionContext): string {
  return vscode.Uri.joinPath(context.globalStorageUri, 'packages').fsPath;
}
