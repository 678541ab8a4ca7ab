/**
 * The checks planRebase makes before computing anything: the image really sits on the old base,
 * and the new base is built for the same platform (and, on Windows, the same base family).
 * Mismatches that would make a broken image are refused with a UserError; platform changes the
 * user should know about become warnings.
 */
import { UserError } from '../errors';
import { shortDigest } from '../digest';
import { ANNOTATION_BASE_NAME, ImageConfig } from '../manifest';
import type { ImageDocuments } from './plan';
import { windowsBuild, windowsFamily } from './platformMatch';

export function checkPrefix(source: ImageDocuments, oldBase: ImageDocuments): void {
  const img = source.manifest.manifest.layers;
  const base = oldBase.manifest.manifest.layers;
  if (base.length === 0) {
    throw new UserError('not-based-on', `${oldBase.reference} has no layers, so it cannot be the base of ${source.reference}; name the image it was built FROM.`);
  }
  if (base.length >= img.length) {
    throw new UserError(
      'not-based-on',
      `Image ${source.reference} is not built on ${oldBase.reference}: the base has ${base.length} layers and the image only ${img.length}, so no app layers would remain; name the image it was built FROM.`,
    );
  }
  for (let i = 0; i < base.length; i++) {
    if (img[i].digest !== base[i].digest) {
      throw new UserError(
        'not-based-on',
        `Image ${source.reference} is not built on ${oldBase.reference}: layer ${i + 1} differs (image has ${shortDigest(img[i].digest)}, base has ${shortDigest(base[i].digest)}); name the exact base it was built FROM with -s.`,
      );
    }
  }
}

function platformString(c: ImageConfig): string {
  return [c.os, c.architecture, c.variant].filter(Boolean).join('/');
}

export function checkPlatform(source: ImageDocuments, oldBase: ImageDocuments, newBase: ImageDocuments, warnings: string[]): void {
  const s = source.config;
  const nb = newBase.config;
  if (s.os !== nb.os || s.architecture !== nb.architecture) {
    throw new UserError(
      'platform',
      `The new base ${newBase.reference} is ${platformString(nb)} but image ${source.reference} is ${platformString(s)}; choose a new base built for ${platformString(s)}.`,
    );
  }
  if ((s.variant ?? '') !== (nb.variant ?? '')) {
    warnings.push(`The CPU variant changes from "${s.variant ?? 'none'}" to "${nb.variant ?? 'none'}".`);
  }
  const ov = oldBase.config['os.version'];
  const nv = nb['os.version'];
  if (s.os === 'windows') {
    checkWindowsFamily(source, oldBase, newBase);
    if (windowsBuild(ov) !== undefined && windowsBuild(nv) !== undefined && windowsBuild(ov) !== windowsBuild(nv)) {
      warnings.push(
        `The Windows release changes from ${ov} to ${nv} (new base ${newBase.reference}): the rebased image needs a ${windowsBuild(nv)} host (or Hyper-V isolation), and app layers built for ${windowsBuild(ov)} are not rebuilt for it.`,
      );
    } else if ((ov ?? '') !== (nv ?? '')) {
      warnings.push(`The OS version changes from ${ov ?? 'unset'} to ${nv ?? 'unset'}; app layers are not rebuilt for it.`);
    }
    warnings.push(
      `Windows app layers carry file and registry changes recorded against the old base ${oldBase.reference}; they may not fit ${newBase.reference}, so test the rebased image on a Windows host.`,
    );
  } else if ((ov ?? '') !== (nv ?? '')) {
    warnings.push(`The OS version changes from ${ov ?? 'unset'} to ${nv ?? 'unset'}; app layers are not rebuilt for it.`);
  }
}

/**
 * nanoserver and servercore differ in system files and registry hives, and Windows app layers
 * are deltas against them: moving between the two families is refused when the names tell.
 */
function checkWindowsFamily(source: ImageDocuments, oldBase: ImageDocuments, newBase: ImageDocuments): void {
  const from = windowsFamily(oldBase.reference) ?? windowsFamily(source.manifest.manifest.annotations?.[ANNOTATION_BASE_NAME]);
  const to = windowsFamily(newBase.reference);
  if (from && to && from !== to) {
    throw new UserError(
      'platform',
      `Image ${source.reference} is built on Windows ${from} (${oldBase.reference}) and ${newBase.reference} is Windows ${to}: Windows app layers record file and registry changes against their own base family, so they cannot be moved to another; choose a ${from} new base or rebuild the image.`,
    );
  }
}
