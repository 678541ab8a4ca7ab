import * as vscode from 'vscode';
import { errorText, isUserError } from '../../core/errors';
import { AnyPreparedRebase, isIndexRebase } from '../../core/rebase/rebase';
import { diffPackages, estimatePackageDiff, formatSize, requestFromPlan, type PackageDiffRequest } from '../../core/packages';
import { PackagesState, PreviewPackageResult } from '../../shared/previewProtocol';
import { oneLine } from '../../shared/sanitize';
import { Services } from '../services';
import { ensureSqlWasm, packageCacheDir } from '../packageSetup';
import { emptyResult, toResult } from './packageResult';

/** Progress reaches the webview at most this often: a fast local registry calls onBytes per chunk. */
const PROGRESS_MS = 150;

interface Job {
  platform?: string;
  request: PackageDiffRequest;
}

/**
 * The "Package changes" section of one preview: estimates from the cache, starts by itself when
 * the download is small (else waits for comparePackages), and runs cancellably. Everything it
 * hands the webview is one-line text: names, versions and warnings come from registries.
 */
export class PackageChanges implements vscode.Disposable {
  private stateValue: PackagesState = { phase: 'estimating' };
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private estimateText = '';
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<PackagesState>();
  readonly onDidChange = this.changed.event;
  private readonly jobs: Job[];
  /** Settles when the section has left 'estimating' and any automatic comparison has ended (tests wait on it). */
  readonly loaded: Promise<void>;

  constructor(
    private readonly services: Services,
    prepared: AnyPreparedRebase,
  ) {
    this.jobs = isIndexRebase(prepared)
      ? prepared.plan.children.map((c) => ({ platform: c.platform, request: requestFromPlan(c.plan) }))
      : [{ request: requestFromPlan(prepared.plan) }];
    this.loaded = this.estimate();
  }

  get state(): PackagesState {
    return this.stateValue;
  }

  private async estimate(): Promise<void> {
    try {
      const cacheDir = packageCacheDir(this.services.context);
      let bytes = 0;
      let downloads = 0;
      let cached = 0;
      for (const j of this.jobs) {
        const e = await estimatePackageDiff(j.request, { cacheDir });
        bytes += e.bytes;
        downloads += e.downloads;
        cached += e.cached;
      }
      this.estimateText = `${formatSize(bytes)} of layers to read (${downloads} layer${downloads === 1 ? '' : 's'}); cached: ${cached}`;
      if (this.disposed) return;
      if (bytes > this.services.settings.packagesConfirmAboveBytes) {
        this.set({ phase: 'ask', estimate: this.estimateText, bytes });
      } else {
        await this.compare();
      }
    } catch (e) {
      this.set({ phase: 'failed', message: messageOf(e) });
    }
  }

  /** Starts the comparison (the webview's button); a second call while it runs joins the first. */
  compare(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  cancel(): void {
    this.controller?.abort();
  }

  private async run(): Promise<void> {
    const controller = (this.controller = new AbortController());
    const cacheDir = packageCacheDir(this.services.context);
    ensureSqlWasm(this.services.context);
    const log = this.services.log;
    const results: PreviewPackageResult[] = [];
    let lastPost = 0;
    let message = 'Reading the package databases of the old and the new base…';
    this.set({ phase: 'running', estimate: this.estimateText, message, done: 0, total: 0 });
    try {
      for (const [i, job] of this.jobs.entries()) {
        const prefix = job.platform ? `${oneLine(job.platform, 60)} (${i + 1}/${this.jobs.length}): ` : '';
        const report = (done: number, total: number, force = false): void => {
          const now = Date.now();
          if (!force && now - lastPost < PROGRESS_MS) return;
          lastPost = now;
          this.set({ phase: 'running', estimate: this.estimateText, message: `${prefix}${message}`, done, total });
        };
        try {
          const diff = await diffPackages(this.services.client, job.request, {
            cacheDir,
            signal: controller.signal,
            onProgress: (e) => {
              log.info(e.message);
              message = oneLine(e.message, 200);
              report(e.done ?? 0, e.total ?? 0, true);
            },
            onBytes: (done, total) => report(done, total),
          });
          results.push(toResult(diff, job.platform));
        } catch (e) {
          if (controller.signal.aborted || (isUserError(e) && e.code === 'cancelled')) throw e;
          // One platform's failure does not hide the others' results.
          if (this.jobs.length === 1) throw e;
          log.error(`Package comparison of ${job.platform}: ${messageOf(e)}`);
          results.push({ ...emptyResult(job.platform), error: messageOf(e) });
        }
      }
      this.set({ phase: 'done', results });
    } catch (e) {
      const cancelled = controller.signal.aborted || (isUserError(e) && e.code === 'cancelled');
      if (cancelled) log.info('Package comparison cancelled');
      else log.error(`Package comparison failed: ${messageOf(e)}`);
      this.set(cancelled ? { phase: 'cancelled', message: `Cancelled. ${this.estimateText}.` } : { phase: 'failed', message: messageOf(e) });
    } finally {
      this.controller = undefined;
    }
  }

  private set(s: PackagesState): void {
    if (this.disposed) return;
    this.stateValue = s;
    this.changed.fire(s);
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
    this.changed.dispose();
  }
}

function messageOf(e: unknown): string {
  return oneLine(errorText(e), 1000);
}
