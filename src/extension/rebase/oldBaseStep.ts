import { shortDigest } from '../../core/digest';
import { isUserError } from '../../core/errors';
import { DiscoveredBase, discoverOldBase } from '../../core/rebase/discover';
import { fetchImage, formatPlatform } from '../../core/rebase/fetchImage';
import { ImageDocuments } from '../../core/rebase/plan';
import { formatReference } from '../../core/reference';
import { FlowInput, PickItem } from './flowInput';
import { FlowState, referenceProblem, stepProblem, stepTitle } from './flowState';
import { StepResult } from './newBaseStep';
import { FlowContext, readTags } from './offers';
import { completeReference } from './shortName';
import { speak } from './speak';

const FOUND_BY: Record<DiscoveredBase['foundBy'], string> = { argument: 'argument', annotation: 'annotation', provenance: 'provenance attestation', search: 'layer search' };

/**
 * Step 3: the old base, detected (annotations, provenance, layer search) and offered to confirm
 * with the other tags whose layers the source starts with. A base the source is not built on is
 * caught here, where its layers are already at hand, and the step is shown again with the reason
 * and the candidates, instead of failing after the target step.
 */
export async function oldBaseStep(ctx: FlowContext, input: FlowInput, state: FlowState): Promise<StepResult> {
  const source = state.source!;
  const platform = state.sourcePlatform!;
  const newBaseRef = state.newBaseRef!;
  let detected: DiscoveredBase | undefined;
  let notice: string | undefined;
  const title = stepTitle(state, 'old base the image was built on');
  input.enter(title, 3);
  try {
    detected = await input.work(`Looking for the image ${state.sourceName} was built on…`, (signal) => discoverOldBase(ctx.client, source, newBaseRef, platform, { signal, memo: ctx.memo }));
  } catch (e) {
    if (!isUserError(e) || e.code !== 'not-based-on') throw e;
    notice = speak(e.message);
  }
  const found: PickItem[] = detected ? [{ label: detected.docs.reference, description: `$(search) found by ${FOUND_BY[detected.foundBy]}`, detail: detected.note }] : [];
  const candidates = async (signal: AbortSignal): Promise<PickItem[]> => {
    const items: PickItem[] = [];
    const rows = await readTags(ctx, newBaseRef, platform, source, signal).catch(() => []);
    for (const r of rows.filter((x) => x.prefix > 0).sort((a, b) => b.prefix - a.prefix)) {
      if (r.reference === detected?.docs.reference) continue;
      items.push({ label: r.reference, description: `$(layers) its ${r.prefix} layer${r.prefix === 1 ? ' is' : 's are'} the image's lower layers${r.digest ? ` · ${shortDigest(r.digest)}` : ''}` });
    }
    return items;
  };
  for (;;) {
    const answer = await input.ask({
      title,
      step: 3,
      placeholder: detected ? 'Confirm the detected base, pick another candidate, or type the image the source was built FROM' : 'Pick or type the image the source was built FROM',
      value: state.oldBaseText,
      notice,
      loading: `Reading the candidate bases in ${newBaseRef.registry}/${newBaseRef.repository}…`,
      items: found,
      more: candidates,
      validate: referenceProblem,
    });
    if (answer.kind === 'back') return 'back';
    state.oldBaseText = answer.value;
    try {
      const { ref } = await input.work(`Reading ${answer.value}…`, (signal) => completeReference(ctx, answer.value, signal));
      const old = await input.work(`Checking that ${state.sourceName} is built on ${formatReference(ref)}…`, (signal) =>
        fetchImage(ctx.client, ref, { ...platform, osVersionRule: 'exact' }, signal, ctx.memo),
      );
      const problem = builtOnProblem(source, old);
      if (problem) {
        notice = `${problem} Pick one of the bases below, or type another.`;
        // The rejected name would filter the candidates away; the notice names it.
        state.oldBaseText = undefined;
        ctx.services.lastError = notice;
        ctx.services.log.error(notice);
        continue;
      }
      state.oldBaseText = formatReference(ref);
      state.discovery = detected && old.manifest.digest === detected.docs.manifest.digest && answer.value === detected.docs.reference ? { foundBy: detected.foundBy, note: detected.note } : undefined;
      return 'next';
    } catch (e) {
      notice = stepProblem(ctx.services, e);
    }
  }
}

/**
 * Why `source` is not built on `base`, in the planner's terms (its lower layers must be all of the
 * base's, with app layers left above), or undefined when it is.
 */
export function builtOnProblem(source: ImageDocuments, base: ImageDocuments): string | undefined {
  const img = source.manifest.manifest.layers;
  const layers = base.manifest.manifest.layers;
  const name = `${source.reference} is not built on ${base.reference}`;
  if (layers.length === 0) return `${base.reference} has no layers, so it cannot be the base of ${source.reference}.`;
  if (layers.length >= img.length) return `${name}: the base has ${layers.length} layers and the image only ${img.length}, so no app layers would remain.`;
  const i = layers.findIndex((l, n) => l.digest !== img[n].digest);
  if (i >= 0) return `${name} (${formatPlatform(base.config)}): layer ${i + 1} differs (image has ${shortDigest(img[i].digest)}, base has ${shortDigest(layers[i].digest)}).`;
  return undefined;
}
