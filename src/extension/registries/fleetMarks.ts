import * as vscode from 'vscode';

/**
 * The hook through which another feature (Check Base Updates, src/extension/fleet/) marks tag
 * rows without the tree knowing about scans: it sets marks by "registry/repo:tag", the tag node
 * reads them when it draws itself, and the tree redraws when they change.
 */
export interface TagMark {
  /** Replaces the row's description, e.g. "outdated since 2024-06-01". */
  description: string;
  /** Added to the tooltip: names the base. */
  detail: string;
}

class FleetMarks {
  private marks = new Map<string, TagMark>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /** Replaces the marks of every tag under `scope` ("registry/" or "registry/repo:"), keeping others. */
  replace(scope: string, marks: Map<string, TagMark>): void {
    for (const key of [...this.marks.keys()]) if (key.startsWith(scope)) this.marks.delete(key);
    for (const [k, v] of marks) this.marks.set(k, v);
    this.changed.fire();
  }

  /** Drops one tag's mark (after it was rebased or put back its state is no longer known). */
  forget(keys: readonly string[]): void {
    let any = false;
    for (const k of keys) any = this.marks.delete(k) || any;
    if (any) this.changed.fire();
  }

  get(ref: { registry: string; repository: string; reference: string }): TagMark | undefined {
    return this.marks.get(`${ref.registry}/${ref.repository}:${ref.reference}`);
  }
}

export const fleetMarks = new FleetMarks();
