import * as vscode from 'vscode';
import { ANNOTATION_BASE_NAME } from '../../core/manifest';
import { fetchImage } from '../../core/rebase/fetchImage';
import { refuseSourceAsNewBase } from '../../core/rebase/refusals';
import { ImageReference, formatReference, parseReference } from '../../core/reference';
import { FlowInput, PickItem } from './flowInput';
import { FlowState, referenceProblem, stepProblem, stepTitle } from './flowState';
import { checkIndexNewBase } from './indexCheck';
import { FlowContext, recentItems, repositoryItems, tagItems } from './offers';
import { announce } from './sourceStep';
import { completeReference } from './shortName';
import { speak } from './speak';

export interface NewBaseOptions {
  given?: string;
  recentBases: string[];
}

export type StepResult = 'next' | 'back' | 'stop';

/**
 * Step 2: the new base. Offers the base the source's annotation names, the tags of that base's
 * repository (or of the last base used) newest first with the current base marked, recent bases,
 * and every repository of the Registries view. The answer is checked at once for the source's
 * platform (every platform, for a whole index), so a wrong base is caught here, not after step 4.
 */
export async function newBaseStep(ctx: FlowContext, input: FlowInput, state: FlowState, opts: NewBaseOptions): Promise<StepResult> {
  const source = state.source!;
  const platform = state.sourcePlatform!;
  const annotated = source.manifest.manifest.annotations?.[ANNOTATION_BASE_NAME];
  const home = firstReference([annotated, ...opts.recentBases]);
  let given = opts.given;
  let notice: string | undefined;
  input.enter(stepTitle(state, 'new base image'), 2);
  for (;;) {
    let text = given;
    if (text === undefined) {
      const answer = await input.ask({
        title: stepTitle(state, 'new base image'),
        step: 2,
        placeholder: home ? `Tags of ${home.registry}/${home.repository}, newest first; or any image of your registries, or type one` : 'Choose a repository to see its tags, or type the new base',
        value: state.newBaseText,
        notice,
        loading: home ? `Reading the tags of ${home.registry}/${home.repository}…` : 'Reading the repositories of your registries…',
        items: async (signal) => {
          const items: PickItem[] = [];
          if (annotated && home && annotated === formatReference(home)) items.push({ label: annotated, description: "$(tag) named by the image's base annotation" });
          if (home) items.push(...(await tagItems(ctx, home, platform, source, signal).catch(() => [])));
          items.push(...recentItems(opts.recentBases, 'recent base'));
          items.push(...(await repositoryItems(ctx, signal, (repo, s) => tagItems(ctx, repo, platform, source, s))));
          return dedupe(items);
        },
        validate: referenceProblem,
      });
      if (answer.kind === 'back') return 'back';
      text = answer.value;
    }
    state.newBaseText = text;
    try {
      const { ref, note } = await input.work(`Reading ${text}…`, (signal) => completeReference(ctx, text!, signal));
      if (note) announce(ctx, note);
      if (state.sourceIndex) {
        const check = await input.work(`Matching the platforms of ${formatReference(ref)}…`, (signal) => checkIndexNewBase(ctx.client, state.sourceRef!, state.sourceIndex!, ref, ctx.memo, signal));
        if (check.problem && !state.keepUnmatched) {
          // The engine's own sentence, then: another new base, or keep what it lacks unchanged.
          notice = stepProblem(ctx.services, check.problem);
          void vscode.window.showErrorMessage(notice);
          if (given !== undefined) return 'stop';
          const keep = check.matched > 0 && (await askUnmatched(input, state, check.unmatched));
          given = undefined;
          if (!keep) continue;
          state.keepUnmatched = true;
        }
      } else {
        const where = `${formatReference(ref)} for ${[platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')}`;
        const nb = await input.work(`Reading the layers of ${where}…`, (signal) => fetchImage(ctx.client, ref, { ...platform, osVersionRule: 'newest' }, signal, ctx.memo));
        refuseSourceAsNewBase(source, nb);
        state.newBase = nb;
      }
      state.newBaseRef = ref;
      return 'next';
    } catch (e) {
      notice = stepProblem(ctx.services, e);
      if (given !== undefined) {
        void vscode.window.showErrorMessage(speak(notice));
        return 'stop';
      }
    }
    given = undefined;
  }
}

function firstReference(candidates: Array<string | undefined>): ImageReference | undefined {
  for (const c of candidates) {
    if (!c) continue;
    try {
      return parseReference(c);
    } catch {
      // not a usable suggestion
    }
  }
  return undefined;
}

function dedupe(items: PickItem[]): PickItem[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = i.value ?? i.label;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** After the engine's sentence about platforms the new base lacks: choose again, or keep them unchanged. */
async function askUnmatched(input: FlowInput, state: FlowState, unmatched: string[]): Promise<boolean> {
  const them = unmatched.length === 1 ? 'it' : 'them';
  const answer = await input.ask({
    title: `Rebase Image: the new base has no image for ${unmatched.join(', ')}`,
    step: 2,
    placeholder: `Choose another new base, or keep ${them} as ${unmatched.length === 1 ? 'it is' : 'they are'}`,
    items: [
      { label: 'Choose another new base', value: 'retry' },
      {
        label: `Keep ${unmatched.join(', ')} unchanged`,
        value: 'keep',
        detail: `Rebase the other platforms of ${state.sourceName}; the new index lists ${them} as ${unmatched.length === 1 ? 'it is' : 'they are'} now`,
      },
    ],
    validate: (v) => (v === 'retry' || v === 'keep' ? undefined : 'Pick one of the rows.'),
  });
  return answer.kind === 'value' && answer.value === 'keep';
}
