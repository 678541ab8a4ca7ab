import * as vscode from 'vscode';
import { RebasePlan } from '../../core/rebase/plan';

export const PLAN_SCHEME = 'image-rebase-plan';

/**
 * The old and new manifest + config of planned rebases, for VS Code's diff editor. The new side
 * exists nowhere else before the push, so it is served from memory.
 */
export class PlanDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly plans = new Map<string, RebasePlan>();
  private next = 1;

  add(plan: RebasePlan): string {
    const id = String(this.next++);
    this.plans.set(id, plan);
    return id;
  }

  remove(id: string): void {
    this.plans.delete(id);
  }

  uris(id: string, plan: RebasePlan): { left: vscode.Uri; right: vscode.Uri; title: string } {
    const name = plan.target.reference.replace(/[^A-Za-z0-9._-]+/g, '-');
    return {
      left: vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${id}/before-${name}.json`, query: `id=${id}&side=old` }),
      right: vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${id}/after-${name}.json`, query: `id=${id}&side=new` }),
      title: `Rebase ${plan.source.reference} → ${plan.target.reference} (manifest and config)`,
    };
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const q = new URLSearchParams(uri.query);
    const plan = this.plans.get(q.get('id') ?? '');
    if (!plan) return '// This rebase preview is closed.\n';
    const doc = q.get('side') === 'old' ? { manifest: plan.oldManifest, config: plan.oldConfig } : { manifest: plan.newManifest, config: plan.newConfig };
    return JSON.stringify(doc, null, 2) + '\n';
  }
}
