import * as vscode from 'vscode';
import { AnyPreparedRebase, isIndexRebase } from '../../core/rebase/rebase';

export const PLAN_SCHEME = 'image-rebase-plan';

/**
 * The old and new documents of planned rebases, for VS Code's diff editor: manifest + config of
 * one image, or for an index the index itself and the manifest + config of each rebased image,
 * by platform. The new side exists nowhere else before the push, so it is served from memory.
 */
export class PlanDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly plans = new Map<string, AnyPreparedRebase>();
  private next = 1;

  add(prepared: AnyPreparedRebase): string {
    const id = String(this.next++);
    this.plans.set(id, prepared);
    return id;
  }

  remove(id: string): void {
    this.plans.delete(id);
  }

  uris(id: string, prepared: AnyPreparedRebase): { left: vscode.Uri; right: vscode.Uri; title: string } {
    const plan = prepared.plan;
    const name = plan.target.reference.replace(/[^A-Za-z0-9._-]+/g, '-');
    return {
      left: vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${id}/before-${name}.json`, query: `id=${id}&side=old` }),
      right: vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${id}/after-${name}.json`, query: `id=${id}&side=new` }),
      title: `Rebase ${plan.source.reference} → ${plan.target.reference} (${isIndexRebase(prepared) ? 'index, manifests and configs' : 'manifest and config'})`,
    };
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const q = new URLSearchParams(uri.query);
    const prepared = this.plans.get(q.get('id') ?? '');
    if (!prepared) return '// This rebase preview is closed.\n';
    const old = q.get('side') === 'old';
    let doc: unknown;
    if (isIndexRebase(prepared)) {
      const plan = prepared.plan;
      // Keyed by platform on both sides, so the diff lines each image up with its rebased self.
      const images = Object.fromEntries(
        plan.children.map((c) => [c.platform, old ? { manifest: c.plan.oldManifest, config: c.plan.oldConfig } : { manifest: c.plan.newManifest, config: c.plan.newConfig }]),
      );
      doc = { index: old ? plan.oldIndex : plan.newIndex, images };
    } else {
      const plan = prepared.plan;
      doc = old ? { manifest: plan.oldManifest, config: plan.oldConfig } : { manifest: plan.newManifest, config: plan.newConfig };
    }
    return JSON.stringify(doc, null, 2) + '\n';
  }
}
