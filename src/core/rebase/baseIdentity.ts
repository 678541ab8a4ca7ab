import { FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { isIndexType } from '../mediaTypes';

/**
 * When two digests name the same base image. A multi-platform base is written down by its index
 * digest (crane, ko and this tool) or by the digest of one of its platform images (older tools,
 * BuildKit materials pinned to a platform, Dockerfile pins copied from `docker inspect`): both
 * describe one release of the base, so neither "is my base outdated?" nor old-base discovery may
 * tell them apart.
 */
export interface BaseIdentity {
  digest: string;
  /** For an index: the digests of its entries. */
  children?: readonly string[];
}

export function identityOf(m: Pick<FetchedManifest, 'digest' | 'mediaType' | 'manifest'>): BaseIdentity {
  if (!isIndexType(m.mediaType)) return { digest: m.digest };
  // Every entry counts, not only those for a known platform: a pin names whatever it names.
  return { digest: m.digest, children: ((m.manifest as ImageIndex).manifests ?? []).map((d) => d.digest) };
}

/** Same digest, or one is an index that lists the other. */
export function sameBase(a: BaseIdentity, b: BaseIdentity): boolean {
  if (a.digest === b.digest) return true;
  return Boolean(a.children?.includes(b.digest) || b.children?.includes(a.digest));
}


/** Number of leading layers `base` shares with `image`, when all of base is a proper prefix. */
export function basePrefixLength(image: ImageManifest, base: ImageManifest): number {
  if (base.layers.length === 0 || base.layers.length >= image.layers.length) return 0;
  return base.layers.every((l, i) => l.digest === image.layers[i].digest) ? base.layers.length : 0;
}
