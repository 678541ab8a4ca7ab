import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { makeReport, SyncReportEntry } from '../../core/fleet/report';
import { rollbackReport } from '../../core/fleet/rollback';
import { currentDigest } from '../../core/fleet/sync';
import { SyncJob } from '../../core/fleet/syncJobs';
import { AnyPreparedRebase, executeRebase } from '../../core/rebase/rebase';
import { mapLimit } from '../../core/util/concurrency';
import { FleetItem, FleetModel, FleetRowStatus, FleetState } from '../../shared/fleetProtocol';
import { oneLine } from '../../shared/sanitize';
import { Services } from '../services';

/** Pushes at once: enough to overlap round trips, few enough that progress reads row by row. */
const PUSH_CONCURRENCY = 4;

export interface PlannedJob {
  job: SyncJob;
  prepared: AnyPreparedRebase;
}

/**
 * The plans the user saw in one fleet preview, and what happened to them: Push all rebases the
 * ticked ones (each atomic on its own, one failure does not stop the others), and Undo puts every
 * tag it changed back to the digest it held before, as `rebase-image rollback` does with a report.
 */
export class FleetSession implements vscode.Disposable {
  private stateValue: FleetState;
  private readonly changed = new vscode.EventEmitter<FleetState>();
  readonly onDidChange = this.changed.event;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  /** The report of the push: what Undo reads (kept in memory, never written to a file). */
  entries: SyncReportEntry[] = [];

  constructor(
    readonly services: Services,
    readonly model: FleetModel,
    private readonly planned: Map<string, PlannedJob>,
    /** Tags changed: the caller refreshes the tree, and drops (pushed) or brings back (undone) their marks. */
    private readonly onChanged: (targets: string[], images: string[], how: 'pushed' | 'undone') => void,
  ) {
    const rows = model.items.map((i): FleetRowStatus => (i.error ? { id: i.id, phase: 'failed', message: i.error } : { id: i.id, phase: 'planned' }));
    this.stateValue = { phase: 'preview', excluded: [], rows };
  }

  get state(): FleetState {
    return this.stateValue;
  }

  setIncluded(id: string, included: boolean): void {
    if (this.stateValue.phase !== 'preview' || !this.planned.has(id)) return;
    const excluded = this.stateValue.excluded.filter((e) => e !== id);
    if (!included) excluded.push(id);
    this.update({ excluded, rows: this.stateValue.rows.map((r) => (r.id === id && this.planned.has(id) ? { id, phase: included ? 'planned' : 'excluded' } : r)) });
  }

  /** The ticked, plannable items, in the preview's order. */
  included(): FleetItem[] {
    return this.model.items.filter((i) => this.planned.has(i.id) && !this.stateValue.excluded.includes(i.id));
  }

  cancel(): void {
    this.controller?.abort();
  }

  /** Pushes once; a second click while pushing joins the first. */
  pushAll(): Promise<void> {
    if (this.stateValue.phase !== 'preview') return this.running ?? Promise.resolve();
    this.running = this.runPush().finally(() => (this.running = undefined));
    return this.running;
  }

  undo(): Promise<void> {
    if (this.stateValue.phase !== 'pushed' || !this.entries.some((e) => e.status === 'rebased')) return this.running ?? Promise.resolve();
    this.running = this.runUndo().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runPush(): Promise<void> {
    const items = this.included();
    const ids = new Set(items.map((i) => i.id));
    this.update({ phase: 'pushing', rows: this.stateValue.rows.map((r) => (ids.has(r.id) ? { id: r.id, phase: 'waiting' } : r)) });
    const controller = (this.controller = new AbortController());
    const client = this.services.client;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Rebasing ${items.length} ${items.length === 1 ? 'image' : 'images'}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let done = 0;
      this.entries = await mapLimit(items, PUSH_CONCURRENCY, async (item): Promise<SyncReportEntry> => {
        const { job, prepared } = this.planned.get(item.id)!;
        const entry: SyncReportEntry = { image: job.image, target: job.target, previous: null, digest: null, status: 'failed', error: null };
        if (controller.signal.aborted) {
          Object.assign(entry, { status: 'skipped', error: 'not attempted: cancelled' });
        } else {
          this.setRow({ id: item.id, phase: 'pushing', message: `Pushing ${job.target}…` });
          try {
            // In place the tag held what was scanned; a suffix tag is asked right before the push.
            entry.previous = job.previous ?? (await currentDigest(client, job.targetRepo, job.targetTag, controller.signal));
            entry.digest = (await executeRebase(client, prepared, { signal: controller.signal })).digest;
            entry.status = 'rebased';
            this.services.log.info(`Pushed ${job.target}@${entry.digest} (was ${entry.previous ?? 'no tag'})`);
          } catch (e) {
            entry.error = isUserError(e) ? e.message : `unexpected failure (${String((e as Error)?.message ?? e)})`;
            if (isUserError(e) && e.code === 'cancelled') Object.assign(entry, { status: 'skipped', error: `cancelled; ${job.target} was not changed` });
            this.services.log.error(`${job.target}: ${entry.error}`);
          }
        }
        this.setRow({ id: item.id, phase: entry.status === 'rebased' ? 'rebased' : entry.status === 'skipped' ? 'skipped' : 'failed', digest: entry.digest ?? undefined, message: entry.error == null ? undefined : oneLine(entry.error, 1000) });
        progress.report({ message: `${++done} of ${items.length}: ${job.target}`, increment: 100 / Math.max(1, items.length) });
        return entry;
      });
    });
    this.controller = undefined;
    const count = (s: string) => this.entries.filter((e) => e.status === s).length;
    // Rows that could not be planned were never pushed: counted on their own, as the table says.
    const unplanned = this.model.items.filter((i) => i.error).length;
    const cannot = unplanned ? `, ${unplanned} cannot be rebased` : '';
    this.update({ phase: 'pushed', summary: `${count('rebased')} rebased, ${count('failed')} failed, ${count('skipped')} not attempted, ${this.stateValue.excluded.length} left out${cannot}.` });
    const pushed = this.entries.filter((e) => e.status === 'rebased');
    this.onChanged(pushed.map((e) => e.target!), pushed.map((e) => e.image), 'pushed');
  }

  private async runUndo(): Promise<void> {
    this.update({ phase: 'undoing' });
    const byTarget = new Map(this.entries.map((e) => [e.target, e.image]));
    const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Undoing the rebase' }, () =>
      rollbackReport(this.services.client, makeReport(this.entries, false)),
    );
    for (const r of results) {
      const id = byTarget.get(r.target);
      // A restored row says so with its digest; only a tag that was not put back needs the sentence.
      const back = r.status === 'restored' || r.status === 'unchanged';
      if (id) this.setRow({ id, phase: r.status === 'skipped' ? 'skipped' : r.status === 'failed' ? 'failed' : r.status, digest: back ? (r.previous ?? undefined) : undefined, message: back ? undefined : oneLine(r.message, 1000) });
      this.services.log.info(r.message);
    }
    const restored = results.filter((r) => r.status === 'restored' || r.status === 'unchanged');
    this.update({ phase: 'undone', summary: `${restored.length} of ${results.length} ${results.length === 1 ? 'tag' : 'tags'} put back to their previous digest.` });
    this.onChanged(restored.map((r) => r.target), restored.map((r) => byTarget.get(r.target)!).filter(Boolean), 'undone');
  }

  private setRow(row: FleetRowStatus): void {
    this.update({ rows: this.stateValue.rows.map((r) => (r.id === row.id ? row : r)) });
  }

  private update(part: Partial<FleetState>): void {
    this.stateValue = { ...this.stateValue, ...part };
    this.changed.fire(this.stateValue);
  }

  dispose(): void {
    this.cancel();
    this.changed.dispose();
  }
}
