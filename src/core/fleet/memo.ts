import { Descriptor, FetchedManifest, ImageConfig, ImageIndex, ImageManifest } from '../manifest';
import { isImageManifestType, isIndexType } from '../mediaTypes';
import { RegistryClient, RepositoryName } from '../registry/client';
import { validateConfig } from '../registry/validate';
import { mapLimit } from '../util/concurrency';
import { memoized } from '../util/memo';
import { FetchMemo } from '../rebase/fetchImage';
import { isImageManifest, looksLikeImageEntry } from '../rebase/indexEntries';
import { PlatformLike, choosePlatform } from '../rebase/platformMatch';

export interface PlatformImage {
  manifest: FetchedManifest<ImageManifest>;
  /** The index entry it was reached through, with its platform; absent for a tag of one image. */
  descriptor?: Descriptor;
}

/**
 * The fetch cache of one scan. A base is read by tag (its candidates, "where does the tag point
 * now") and then by digest (what an annotation recorded): FetchMemo answers the second from the
 * first, which keeps the base side a fixed cost.
 */
export class ScanMemo extends FetchMemo {
  private readonly configs = new Map<string, Promise<ImageConfig>>();

  /** An image's config, validated; for `created` and a platform no index entry states. */
  config(client: RegistryClient, repo: RepositoryName, m: FetchedManifest<ImageManifest>, signal?: AbortSignal): Promise<ImageConfig> {
    const digest = m.manifest.config.digest;
    return memoized(this.configs, `${repo.registry}/${repo.repository}@${digest}`, async () => {
      const bytes = await this.blob(client, repo, digest, signal);
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      return validateConfig(parsed, `the config of ${repo.registry}/${repo.repository}@${m.digest}`);
    });
  }

  /** The image entries of an index, each with its manifest; artifacts and non-images left out. */
  async children(client: RegistryClient, repo: RepositoryName, index: FetchedManifest, signal?: AbortSignal): Promise<PlatformImage[]> {
    const entries = ((index.manifest as ImageIndex).manifests ?? []).filter(looksLikeImageEntry);
    const read = await mapLimit(entries, 4, async (d): Promise<PlatformImage | undefined> => {
      const m = await this.manifest(client, repo, d.digest, signal);
      return isImageManifestType(m.mediaType) && isImageManifest(m.manifest as ImageManifest) ? { manifest: m as FetchedManifest<ImageManifest>, descriptor: d } : undefined;
    });
    return read.filter((x): x is PlatformImage => x !== undefined);
  }

  /** Every image a tag's manifest stands for: itself, or its index's image entries. */
  async images(client: RegistryClient, repo: RepositoryName, top: FetchedManifest, signal?: AbortSignal): Promise<PlatformImage[]> {
    if (isIndexType(top.mediaType)) return this.children(client, repo, top, signal);
    if (isImageManifestType(top.mediaType) && isImageManifest(top.manifest as ImageManifest)) return [{ manifest: top as FetchedManifest<ImageManifest> }];
    return [];
  }

  /**
   * The image `top` offers for `want`, chosen as a rebase chooses a new base (Windows: the same
   * build, newest revision); undefined when it has none for that platform.
   */
  async imageFor(client: RegistryClient, repo: RepositoryName, top: FetchedManifest, want: PlatformLike | undefined, signal?: AbortSignal): Promise<PlatformImage | undefined> {
    const images = await this.images(client, repo, top, signal);
    if (!isIndexType(top.mediaType)) return images[0];
    const offered = images.filter((i) => i.descriptor?.platform).map((i) => ({ platform: i.descriptor!.platform!, item: i }));
    if (!want) return offered.length === 1 ? offered[0].item : undefined;
    const match = choosePlatform(want, offered, { osVersion: 'newest', allowReleaseChange: false });
    return match.matched ? match.item : undefined;
  }
}

export function platformString(p: PlatformLike | undefined): string | null {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : null;
}

/** The platform fields of a config, as an index entry would state them. */
export function configPlatform(c: ImageConfig): PlatformLike {
  return { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}), ...(c['os.version'] ? { 'os.version': c['os.version'] } : {}) };
}

/** How many leading layers two images share (not necessarily all of either). */
export function sharedLeadingLayers(a: ImageManifest, b: ImageManifest): number {
  let n = 0;
  while (n < a.layers.length && n < b.layers.length && a.layers[n].digest === b.layers[n].digest) n++;
  return n;
}
