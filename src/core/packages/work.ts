/**
 * Which layers a package comparison reads, decided before anything is downloaded: each distinct
 * layer once, cached ones from the cache, foreign (Windows) and zstd layers never. This is the
 * estimate a host shows (and asks about) before starting.
 */
import { Descriptor } from '../manifest';
import { isForeignLayerType } from '../mediaTypes';
import type { RepositoryName } from '../registry/client';
import { LayerCache } from './cache';
import { ScanMode } from './layerScan';
import { PackageDiffRequest } from './request';

export interface PackageDiffLimits {
  /** App layers are scanned (headers only, but still downloaded) only when those to download total at most this. */
  appScanBytes: number;
  /** Bound of the on-disk cache. */
  cacheBytes: number;
  /** Layers streamed at once. */
  concurrency: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_LIMITS: PackageDiffLimits = { appScanBytes: 256 * MiB, cacheBytes: 64 * MiB, concurrency: 2 };

export type LayerStatus = 'download' | 'cached' | 'skipped';

export interface LayerWork {
  descriptor: Descriptor;
  repo: RepositoryName;
  role: 'base' | 'app';
  mode: ScanMode;
  status: LayerStatus;
  /** Why a skipped layer is not read ("foreign", "zstd"). */
  skipped?: 'foreign' | 'zstd' | 'over-limit' | 'windows';
}

export interface PackageDiffEstimate {
  /** Compressed bytes to download (layers not in the cache). */
  bytes: number;
  /** Layers to download, and read from the cache. */
  downloads: number;
  cached: number;
  /** Every distinct layer of both bases (and of the app, when checked), with what happens to it. */
  layers: LayerWork[];
  /** Whether the app layers are checked for package databases of their own. */
  appCheck: 'checked' | 'over-limit' | 'none';
  /** The app layer bytes above which they are not checked. */
  appScanLimit: number;
  /** Windows bases: nothing is read, os.version is the update level. */
  windows: boolean;
}

function unreadable(d: Descriptor): LayerWork['skipped'] {
  if (isForeignLayerType(d.mediaType) || (d.urls?.length ?? 0) > 0) return 'foreign';
  if (d.mediaType.endsWith('+zstd') || d.mediaType.endsWith('.zstd')) return 'zstd';
  return undefined;
}

export async function estimateWork(req: PackageDiffRequest, cache: LayerCache, limits: PackageDiffLimits): Promise<PackageDiffEstimate> {
  const windows = req.old.os === 'windows' || req.new.os === 'windows';
  const layers: LayerWork[] = [];
  const seen = new Set<string>();
  const add = async (descriptor: Descriptor, repo: RepositoryName, role: 'base' | 'app'): Promise<LayerWork | undefined> => {
    if (seen.has(descriptor.digest)) return undefined;
    seen.add(descriptor.digest);
    const mode: ScanMode = role === 'base' ? 'full' : 'headers';
    const skipped = windows ? 'windows' : unreadable(descriptor);
    const status: LayerStatus = skipped ? 'skipped' : (await cache.has(descriptor.digest, mode)) ? 'cached' : 'download';
    const w: LayerWork = { descriptor, repo, role, mode, status, ...(skipped ? { skipped } : {}) };
    layers.push(w);
    return w;
  };
  for (const d of req.old.layers) await add(d, req.old.repo, 'base');
  for (const d of req.new.layers) await add(d, req.new.repo, 'base');

  let appCheck: PackageDiffEstimate['appCheck'] = 'none';
  if (req.app && !windows && req.app.layers.length) {
    const app: LayerWork[] = [];
    for (const l of req.app.layers) {
      const w = await add(l.descriptor, req.app.repo, 'app');
      if (w) app.push(w);
    }
    const toDownload = app.filter((w) => w.status === 'download').reduce((n, w) => n + w.descriptor.size, 0);
    appCheck = toDownload <= limits.appScanBytes ? 'checked' : 'over-limit';
    if (appCheck === 'over-limit') for (const w of app) if (w.status !== 'skipped') Object.assign(w, { status: 'skipped', skipped: 'over-limit' });
  }
  const downloads = layers.filter((w) => w.status === 'download');
  return {
    bytes: downloads.reduce((n, w) => n + w.descriptor.size, 0),
    downloads: downloads.length,
    cached: layers.filter((w) => w.status === 'cached').length,
    layers,
    appCheck,
    appScanLimit: limits.appScanBytes,
    windows,
  };
}
