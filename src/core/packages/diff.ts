/**
 * The package comparison of two bases: reads each needed layer once (or takes it from the
 * cache), stacks each base's layers, compares the package databases and says what could not be
 * read. Pure of any UI: progress goes to callbacks, cancellation comes through the AbortSignal,
 * and the estimate (bytes to download) is available before anything is downloaded.
 */
import { shortDigest } from '../digest';
import { cancelledError } from '../errors';
import type { RegistryClient } from '../registry/client';
import { throwIfCancelled } from '../util/abort';
import { mapLimit } from '../util/concurrency';
import { formatBytes } from '../../shared/format';
import type { ProgressListener } from '../rebase/progress';
import { LayerCache } from './cache';
import { comparePackages } from './compare';
import { LayerScan, emptyScan } from './layerScan';
import { ImageContents, imageContents } from './merge';
import { LayerFormatError, ZSTD_NOTE, readLayer } from './readLayer';
import { BaseImage, PackageDiffRequest } from './request';
import { appLayerWarnings } from './appLayers';
import { DEFAULT_LIMITS, LayerWork, PackageDiffEstimate, PackageDiffLimits, estimateWork } from './work';
import { OsRelease, PackageDiff } from './types';

export interface PackageDiffOptions {
  /** Where layer scans are cached; none when undefined. */
  cacheDir?: string;
  signal?: AbortSignal;
  /** One event per layer read, with bytes done and in all. */
  onProgress?: ProgressListener;
  /** Compressed bytes received so far and to receive in all, as they stream. */
  onBytes?: (done: number, total: number) => void;
  limits?: Partial<PackageDiffLimits>;
}

export function setup(opts: PackageDiffOptions): { limits: PackageDiffLimits; cache: LayerCache } {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  return { limits, cache: new LayerCache(opts.cacheDir, limits.cacheBytes) };
}

/** What the comparison will download, from the cache alone: no registry request. */
export function estimatePackageDiff(req: PackageDiffRequest, opts: PackageDiffOptions = {}): Promise<PackageDiffEstimate> {
  const { limits, cache } = setup(opts);
  return estimateWork(req, cache, limits);
}

export async function diffPackages(client: RegistryClient, req: PackageDiffRequest, opts: PackageDiffOptions = {}): Promise<PackageDiff> {
  const { limits, cache } = setup(opts);
  const plan = await estimateWork(req, cache, limits);
  if (plan.windows) return windowsDiff(req);
  const { scans, download } = await readLayers(client, plan, cache, limits, opts);

  const warnings: string[] = [];
  const contents = (side: BaseImage, label: string): ImageContents => {
    const c = stackedContents(side, plan, scans);
    for (const n of c.notes) warnings.push(`${label} ${side.reference}: ${n}`);
    return c;
  };
  const oldContents = contents(req.old, 'Old base');
  const newContents = contents(req.new, 'New base');
  const cmp = comparePackages(oldContents, newContents);

  if (!oldContents.databases.length && !newContents.databases.length) {
    warnings.push('Neither base has a package database that can be read (dpkg, apk or rpm), so only the OS release is compared.');
  } else if (!newContents.databases.length || !oldContents.databases.length) {
    const which = newContents.databases.length ? 'old' : 'new';
    warnings.push(`The ${which} base has no package database that can be read, so every package of the ${which === 'old' ? 'new base is listed as added' : 'old base is listed as removed'}.`);
  }
  if (cmp.downgraded.length) {
    const list = cmp.downgraded.slice(0, 5).map((c) => `${c.name} ${c.from} → ${c.to}`).join(', ');
    warnings.push(`The new base downgrades ${cmp.downgraded.length} package(s): ${list}${cmp.downgraded.length > 5 ? ', …' : ''}; check that it is the base you meant.`);
  }
  if (req.app) warnings.push(...appLayerWarnings(req.app, plan, scans));
  return { os: { old: oldContents.os ?? null, new: newContents.os ?? null }, ...cmp, warnings, download };
}

/**
 * One image's layers stacked, with a note for each layer that was not read (foreign, zstd, or
 * unreadable): what it installed is missing, and the user has to know that.
 */
export function stackedContents(side: BaseImage, plan: PackageDiffEstimate, scans: Map<string, LayerScan>): ImageContents {
  const skipped = new Map(plan.layers.filter((w) => w.status === 'skipped').map((w) => [w.descriptor.digest, w.skipped]));
  const c = imageContents(side.layers.map((d) => scans.get(d.digest) ?? emptyScan()));
  const notes = [...c.notes];
  side.layers.forEach((d, i) => {
    const why = skipped.get(d.digest);
    const layerNotes = why === 'foreign' ? ['not read (foreign layer, not in the registry)'] : why === 'zstd' ? [ZSTD_NOTE] : (scans.get(d.digest)?.notes ?? []);
    for (const n of layerNotes) notes.push(`layer ${i + 1} (${shortDigest(d.digest)}) ${n}; packages it installed are missing from the comparison.`);
  });
  return { ...c, notes };
}

/** Every layer that is not skipped, from the cache or the registry, a few at a time. */
export async function readLayers(
  client: RegistryClient,
  plan: PackageDiffEstimate,
  cache: LayerCache,
  limits: PackageDiffLimits,
  opts: PackageDiffOptions,
): Promise<{ scans: Map<string, LayerScan>; download: PackageDiff['download'] }> {
  const { signal, onProgress } = opts;
  const download = { layers: 0, bytes: 0, cachedLayers: 0 };
  if (plan.downloads) {
    const cached = plan.cached ? `, ${plan.cached} from the cache` : '';
    onProgress?.({ message: `Reading packages: ${plan.downloads} layer(s) to download (${formatBytes(plan.bytes)})${cached}`, done: 0, total: plan.bytes });
  }

  const fetchScan = async (w: LayerWork): Promise<LayerScan> => {
    throwIfCancelled(signal);
    const d = w.descriptor;
    onProgress?.({ message: `Reading ${w.role === 'app' ? 'app ' : ''}layer ${shortDigest(d.digest)} (${formatBytes(d.size)})`, done: download.bytes, total: plan.bytes });
    const { stream } = await client.getBlobStream(w.repo, d.digest, signal);
    download.layers++;
    const onBytes = (n: number): void => {
      download.bytes += n;
      opts.onBytes?.(download.bytes, plan.bytes);
    };
    let scan: LayerScan;
    try {
      scan = await readLayer(stream, { mode: w.mode, size: d.size, onBytes });
    } catch (e) {
      // A cancel breaks the stream too: say it was a cancel, not a broken download.
      if (signal?.aborted) throw cancelledError();
      if (!(e instanceof LayerFormatError)) throw e;
      // Unreadable data stays unreadable, but it may be a parser of ours that failed: not cached.
      return emptyScan([`not read: ${e.message}`]);
    }
    await cache.put(d.digest, w.mode, scan);
    return scan;
  };

  const scans = new Map<string, LayerScan>();
  await mapLimit(plan.layers.filter((w) => w.status !== 'skipped'), limits.concurrency, async (w) => {
    // An entry can go between the estimate and now (another process pruned it): then it is read.
    let scan = w.status === 'cached' ? await cache.get(w.descriptor.digest, w.mode) : undefined;
    if (scan) download.cachedLayers++;
    else scan = await fetchScan(w);
    scans.set(w.descriptor.digest, scan);
  });
  throwIfCancelled(signal);
  return { scans, download };
}

/** Windows base layers are foreign and never read: the os.version is the update level. */
export function windowsRelease(b: BaseImage): OsRelease | null {
  return b.os === 'windows' ? { id: 'windows', name: 'Windows', versionId: b.osVersion, release: b.osVersion, prettyName: b.osVersion ? `Windows ${b.osVersion}` : 'Windows' } : null;
}

function windowsDiff(req: PackageDiffRequest): PackageDiff {
  const os = windowsRelease;
  return {
    os: { old: os(req.old), new: os(req.new) },
    upgraded: [],
    downgraded: [],
    added: [],
    removed: [],
    unchanged: 0,
    formats: [],
    warnings: [],
    download: { layers: 0, bytes: 0, cachedLayers: 0 },
  };
}
