import * as vscode from 'vscode';
import { FetchMemo } from '../../core/rebase/fetchImage';
import { formatReference } from '../../core/reference';
import { Services } from '../services';
import { FlowInput, PickItem } from './flowInput';
import { referenceProblem } from './flowState';
import { FlowContext, recentItems, repositoryItems, tagItems } from './offers';
import { RecentImages } from './recent';
import { completeReference } from './shortName';
import { announce } from './sourceStep';

export interface PickImageOptions {
  title: string;
  placeholder?: string;
  value?: string;
  /** Offered before the recent images and the repositories (e.g. tags of the same repository). */
  first?: (ctx: FlowContext, signal: AbortSignal) => Promise<PickItem[]>;
}

/**
 * Any image of the Registries view, chosen without typing (recent images, then each repository
 * opening into its tags), or typed: a short name is completed against the configured registries.
 * Returns the full reference, or undefined when the user backed out.
 */
export async function pickImage(services: Services, opts: PickImageOptions): Promise<string | undefined> {
  const ctx: FlowContext = { services, client: services.client, memo: new FetchMemo() };
  const recent = new RecentImages(services.context.globalState, 'imageRebase.recentImages').list();
  const input = new FlowInput();
  try {
    let notice: string | undefined;
    for (;;) {
      const answer = await input.ask({
        title: opts.title,
        step: 1,
        placeholder: opts.placeholder ?? 'Pick an image, choose a repository to see its tags, or type a reference',
        value: opts.value,
        notice,
        loading: 'Reading the repositories of your registries…',
        items: async (signal) => [
          ...((await opts.first?.(ctx, signal).catch(() => [])) ?? []),
          ...recentItems(recent, 'recent'),
          ...(await repositoryItems(ctx, signal, (repo, s) => tagItems(ctx, repo, undefined, undefined, s))),
        ],
        validate: referenceProblem,
      });
      if (answer.kind === 'back') continue;
      try {
        const { ref, note } = await input.work(`Reading ${answer.value}…`, (signal) => completeReference(ctx, answer.value, signal));
        if (note) announce(ctx, note);
        return formatReference(ref);
      } catch (e) {
        if (e instanceof vscode.CancellationError) throw e;
        notice = (e as Error).message;
      }
    }
  } catch (e) {
    if (e instanceof vscode.CancellationError) return undefined;
    throw e;
  } finally {
    input.dispose();
  }
}
