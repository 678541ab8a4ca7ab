import { DEFAULT_REGISTRY, ImageReference, formatReference, parseReferenceWithDefaultTag } from '../../core/reference';
import { FlowContext } from './offers';
import { normaliseRegistry } from '../registries/treeProvider';

export interface Completed {
  ref: ImageReference;
  /** Said to the user when a short name was completed: which registry it chose, and why. */
  note?: string;
}

/** True when the text names no registry, so Docker would read it as Docker Hub's. */
export function isShortName(text: string): boolean {
  const first = text.split('/')[0];
  return !text.includes('/') || !(first === 'localhost' || first.includes('.') || first.includes(':') || first !== first.toLowerCase());
}

/**
 * `app:1` means an image of the registries the user works with before it means Docker Hub's
 * library/app: each configured registry is asked in order (the manifest read lands in the memo,
 * so the step after does not read it again), and Docker Hub is the fallback, as Docker would.
 */
export async function completeReference(ctx: FlowContext, text: string, signal: AbortSignal): Promise<Completed> {
  const value = text.trim();
  const plain = parseReferenceWithDefaultTag(value);
  if (!isShortName(value)) return { ref: plain };
  const registries = ctx.services.settings.registries.map(normaliseRegistry).filter((r) => r !== DEFAULT_REGISTRY);
  if (registries.length === 0) return { ref: plain };
  for (const registry of registries) {
    let ref: ImageReference;
    try {
      ref = parseReferenceWithDefaultTag(`${registry}/${value}`);
    } catch {
      continue;
    }
    try {
      await ctx.memo.manifest(ctx.client, { registry: ref.registry, repository: ref.repository }, ref.digest ?? ref.tag ?? 'latest', signal);
      return { ref, note: `${value} is ${formatReference(ref)}, found in ${registry} (a registry of the Registries view).` };
    } catch (e) {
      // Not there, or that registry is unreachable: either way the next one is asked.
      if (signal.aborted) throw e;
    }
  }
  return { ref: plain, note: `${value} is not in ${registries.join(', ')}; using Docker Hub's ${formatReference(plain)}.` };
}
