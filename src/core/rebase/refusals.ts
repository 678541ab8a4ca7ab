import { UserError } from '../errors';
import { shortDigest } from '../digest';
import { Descriptor } from '../manifest';
import { basePrefixLength } from './baseIdentity';
import { ImageDocuments } from './plan';

/**
 * Requests that would push something wrong or pointless, refused before planning: a new base that
 * is the source (or holds its app layers) would stack the app twice, and a new base that is the
 * old one would push a copy of the source.
 */

function containsRun(haystack: Descriptor[], run: Descriptor[]): boolean {
  if (run.length === 0 || run.length > haystack.length) return false;
  for (let i = 0; i + run.length <= haystack.length; i++) {
    if (run.every((d, j) => haystack[i + j].digest === d.digest)) return true;
  }
  return false;
}

/** The new base is the source (one image, or a whole index). */
export function sourceAsNewBase(sourceReference: string, newBaseReference: string): UserError {
  return new UserError(
    'unsupported',
    `The new base ${newBaseReference} is the image ${sourceReference} itself, so its app layers would be stacked twice; name the base image to move it onto with -b.`,
  );
}

/**
 * Checked as soon as the new base is known, before the old base is looked for: the new base is
 * the source, or was built on top of it (all of the source's layers come first in it).
 */
export function refuseSourceAsNewBase(source: ImageDocuments, newBase: ImageDocuments): void {
  const src = source.manifest.manifest.layers;
  const nb = newBase.manifest.manifest.layers;
  if (newBase.manifest.digest === source.manifest.digest) throw sourceAsNewBase(source.reference, newBase.reference);
  if (src.length > 0 && src.length <= nb.length && src.every((d, i) => nb[i].digest === d.digest)) {
    throw new UserError(
      'unsupported',
      `The new base ${newBase.reference} is built on ${source.reference} and already holds all of its layers, so they would be stacked twice; name the base image to move it onto with -b.`,
    );
  }
}

/** Once the old base is known: the new base holds the source's app layers (it is a rebased copy of it, or built from it). */
export function refuseAppLayersInNewBase(source: ImageDocuments, oldBase: ImageDocuments, newBase: ImageDocuments): void {
  // An old base that is no prefix has its own, clearer refusal in the planner.
  const n = basePrefixLength(source.manifest.manifest, oldBase.manifest.manifest);
  if (n === 0) return;
  const app = source.manifest.manifest.layers.slice(n);
  if (containsRun(newBase.manifest.manifest.layers, app)) {
    throw new UserError(
      'unsupported',
      `The new base ${newBase.reference} already contains the app layers of ${source.reference} (it is that image or one made from it), so they would be stacked twice; name the base image itself with -b.`,
    );
  }
}

/** The old base is the new base's image for this platform: there is nothing to rebase. */
export function isAlreadyOnBase(oldBase: ImageDocuments, newBase: ImageDocuments): boolean {
  return oldBase.manifest.digest === newBase.manifest.digest;
}

export function alreadyOnBase(sourceReference: string, newBase: { reference: string; digest: string }, everyPlatform = false): UserError {
  const what = everyPlatform ? 'what each of its platforms was built on' : 'the image it was built on';
  return new UserError(
    'already-on-base',
    `${sourceReference} is already on that base: ${newBase.reference} (${shortDigest(newBase.digest)}) is ${what}, so there is nothing to rebase and nothing was written.`,
  );
}
