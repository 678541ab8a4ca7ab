/**
 * The packages installed in ONE image (the Registries view's "Packages" node): the same layer
 * reading, cache and stacking as the comparison of two bases, without the comparison.
 */
import type { RegistryClient } from '../registry/client';
import { PackageDiffOptions, readLayers, setup, stackedContents, windowsRelease } from './diff';
import { BaseImage, PackageDiffRequest } from './request';
import { InstalledPackage, OsRelease, PackageDiff, PackageFormat } from './types';
import { PackageDiffEstimate, estimateWork } from './work';

export interface ImagePackages {
  os: OsRelease | null;
  /** Each database found, in the order the comparison reads them (dpkg, status.d, apk, rpm). */
  databases: Array<{ format: PackageFormat; path: string; packages: InstalledPackage[] }>;
  /** What could not be read, one sentence each. */
  notes: string[];
  download: PackageDiff['download'];
}

/**
 * The estimate needs a request of two sides; the image stands on both, and since every distinct
 * layer is planned once, that is exactly one image's layers.
 */
function asRequest(image: BaseImage): PackageDiffRequest {
  return { old: image, new: image };
}

/** What reading the image's packages will download, from the cache alone: no registry request. */
export function estimateImagePackages(image: BaseImage, opts: PackageDiffOptions = {}): Promise<PackageDiffEstimate> {
  const { limits, cache } = setup(opts);
  return estimateWork(asRequest(image), cache, limits);
}

export async function imagePackages(client: RegistryClient, image: BaseImage, opts: PackageDiffOptions = {}): Promise<ImagePackages> {
  const { limits, cache } = setup(opts);
  const plan = await estimateWork(asRequest(image), cache, limits);
  if (plan.windows) return { os: windowsRelease(image), databases: [], notes: [], download: { layers: 0, bytes: 0, cachedLayers: 0 } };
  const { scans, download } = await readLayers(client, plan, cache, limits, opts);
  const c = stackedContents(image, plan, scans);
  const notes = [...c.notes];
  if (!c.databases.length) notes.push('No package database that can be read (dpkg, apk or rpm) was found in this image.');
  return { os: c.os ?? null, databases: c.databases, notes, download };
}
