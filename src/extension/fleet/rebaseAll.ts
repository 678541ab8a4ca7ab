import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { SyncTargetMode, checkSuffix, planSyncWork } from '../../core/fleet/syncJobs';
import { prepareAnyRebase } from '../../core/rebase/rebase';
import { mapLimit } from '../../core/util/concurrency';
import { FleetItem } from '../../shared/fleetProtocol';
import { Services } from '../services';
import { FleetPanel } from './panel';
import { plannedItem, unplannedItem } from './planModel';
import { FleetSession, PlannedJob } from './session';
import { FleetStore } from './store';

export interface RebaseAllArgs {
  mode?: SyncTargetMode;
}

const PLAN_CONCURRENCY = 4;

/** In place, or a new tag beside each image: the same choice as `sync --in-place | --tag-suffix`. */
async function pickMode(): Promise<SyncTargetMode | undefined> {
  const inPlace = { label: 'In place', detail: 'Push each rebased image to its own tag (Undo Rebase puts the previous digest back).' };
  const suffix = { label: 'New tag with a suffix…', detail: 'Push app:1 to app:1-rebased, leaving app:1 as it is.' };
  const picked = await vscode.window.showQuickPick([inPlace, suffix], { title: 'Rebase Outdated Images: where to push' });
  if (!picked) return undefined;
  if (picked === inPlace) return { inPlace: true };
  const s = await vscode.window.showInputBox({
    title: 'Rebase Outdated Images: tag suffix',
    value: '-rebased',
    validateInput: (v) => {
      try {
        checkSuffix(v);
        return undefined;
      } catch (e) {
        return (e as Error).message.replace('--tag-suffix', 'The suffix');
      }
    },
  });
  return s ? { suffix: s } : undefined;
}

/** Rebase Outdated Images…: plans every outdated image of the last checks and opens one preview. */
export async function rebaseOutdated(services: Services, store: FleetStore, onChanged: (targets: string[], images: string[], how: 'pushed' | 'undone') => void, args: RebaseAllArgs = {}): Promise<FleetPanel | undefined> {
  if (!store.outdated().length) {
    services.showInfo('No outdated images known: run Check Base Updates on a registry or repository first.');
    return undefined;
  }
  const mode = args.mode ?? (await pickMode());
  if (!mode) return undefined;
  try {
    const work = planSyncWork(store.results(), mode);
    const planned = new Map<string, PlannedJob>();
    const items: FleetItem[] = [];
    const jobs = work.flatMap((w) => ('job' in w ? [w.job] : []));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Planning ${jobs.length} ${jobs.length === 1 ? 'rebase' : 'rebases'} (dry run)`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let done = 0;
        const made = await mapLimit(jobs, PLAN_CONCURRENCY, async (job) => {
          try {
            const prepared = await prepareAnyRebase(
              services.client,
              { source: job.source, target: job.target, newBase: job.newBase, oldBase: job.oldBase, keepUnmatched: job.index, keepConfig: services.settings.keepConfig },
              { signal: controller.signal },
            );
            planned.set(job.image, { job, prepared });
            return plannedItem(job, prepared);
          } catch (e) {
            if (isUserError(e) && e.code === 'cancelled') throw e;
            return unplannedItem(job.image, job.target, job.newBase, isUserError(e) ? e.message : String((e as Error)?.message ?? e));
          } finally {
            progress.report({ message: `${++done} of ${jobs.length}`, increment: 100 / Math.max(1, jobs.length) });
          }
        });
        items.push(...made);
      },
    );
    // Outdated tags sync would not touch (named by digest, base tag gone) are listed, not pushed.
    const outdated = new Set(store.outdated().map((o) => o.image));
    for (const w of work) if ('entry' in w && w.entry.error && outdated.has(w.entry.image)) items.push(unplannedItem(w.entry.image, w.entry.target, '', w.entry.error));
    const label = 'inPlace' in mode ? 'in place' : `tag suffix ${mode.suffix}`;
    const session = new FleetSession(services, { targetMode: label, items }, planned, onChanged);
    return new FleetPanel(services.context.extensionUri, session);
  } catch (e) {
    if (isUserError(e) && e.code === 'cancelled') return undefined;
    services.showError(e);
    return undefined;
  }
}
