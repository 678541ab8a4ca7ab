import * as vscode from 'vscode';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { oneLine } from '../../shared/sanitize';

/** Short, actionable lens text for a failed lookup: no notification, the lens says it. */
export function problemCommand(reference: string, code: string, message: string): vscode.Command {
  const registry = parseReferenceWithDefaultTag(reference).registry;
  if (code === 'auth' || code === 'denied') {
    return { title: `base: sign in to ${registry}`, tooltip: message, command: 'imageRebase.signIn', arguments: [registry] };
  }
  if (code === 'unreachable') {
    return { title: `base: ${registry} unreachable — retry`, tooltip: message, command: 'imageRebase.refreshCodeLenses' };
  }
  if (code === 'not-found') return { title: 'base: not found in its registry', tooltip: message, command: '' };
  return { title: `base: ${oneLine(message, 80)}`, tooltip: message, command: '' };
}
