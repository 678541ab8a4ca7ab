import { UserError } from '../errors';
import { sha256Digest } from '../digest';
import { Descriptor, FetchedManifest, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest';
import { MediaTypes, isForeignLayerType } from '../mediaTypes';
import { RepositoryName } from '../registry/client';
import type { ManifestCopy } from '../rebase/planIndex';
import { formatPlatformLike, normalizeVariant } from '../rebase/platformMatch';

/** One image of the list, fetched. */
export interface ListChildInput {
  /** As the user named it. */
  reference: string;
  repo: RepositoryName;
  manifest: FetchedManifest<ImageManifest>;
  config: ImageConfig;
  /** Platform fields the spec gives; the others are read from the config. */
  platform?: Partial<Platform>;
}

export interface ListChildPlan {
  reference: string;
  digest: string;
  mediaType: string;
  platform: Platform;
  /** Which platform fields came from the spec and which from the image's config. */
  platformFrom: Record<string, 'spec' | 'config'>;
  /** Set when the image lives in another repository and must be copied into the target's first. */
  copy?: ManifestCopy;
}

export interface ManifestListPlan {
  target: { reference: string; repo: RepositoryName; tag: string };
  /** Extra tags of the target repository pointing to the same list. */
  tags: string[];
  children: ListChildPlan[];
  index: ImageIndex;
  bytes: Buffer;
  digest: string;
  mediaType: string;
  warnings: string[];
}

const FIELDS = ['architecture', 'os', 'os.version', 'os.features', 'variant', 'features'] as const;

/**
 * Builds a manifest list from fetched images alone (pure): a Docker manifest list when every image
 * is Docker schema 2, else an OCI index; each entry's platform as given, completed from the image's
 * config. Images from other repositories become copies (their blobs mounted, the manifest PUT by
 * digest) because a registry accepts a list only when the repository holds every manifest in it.
 */
export function planManifestList(
  target: { reference: string; repo: RepositoryName; tag: string },
  tags: string[],
  children: ListChildInput[],
): ManifestListPlan {
  if (children.length === 0) throw new UserError('usage', 'A manifest list needs at least one image; name the images to put in it.');
  const warnings: string[] = [];
  const planned: ListChildPlan[] = children.map((c) => {
    const platform: Platform = { architecture: '', os: '' };
    const from: Record<string, 'spec' | 'config'> = {};
    for (const f of FIELDS) {
      const given = c.platform?.[f];
      const own = f === 'features' ? undefined : (c.config[f] as Platform[typeof f] | undefined);
      const value = given ?? own;
      if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
      (platform as unknown as Record<string, unknown>)[f] = Array.isArray(value) ? [...value] : value;
      from[f] = given !== undefined ? 'spec' : 'config';
    }
    if (!platform.os || !platform.architecture) {
      throw new UserError('usage', `The config of ${c.reference} names no ${platform.os ? 'architecture' : 'os'}; give the platform of this image in the spec.`);
    }
    if ((c.platform?.os && c.platform.os !== c.config.os) || (c.platform?.architecture && c.platform.architecture !== c.config.architecture)) {
      throw new UserError(
        'platform',
        `The spec says ${c.reference} is ${formatPlatformLike(platform, false)}, but its config says ${c.config.os}/${c.config.architecture}; correct the platform in the spec, or leave it out to read it from the image.`,
      );
    }
    if (c.platform?.variant && c.config.variant && c.platform.variant !== c.config.variant) {
      warnings.push(`The spec gives ${c.reference} variant ${c.platform.variant}, but its config says ${c.config.variant}; the spec's is used.`);
    }
    if (c.platform?.['os.version'] && c.config['os.version'] && c.platform['os.version'] !== c.config['os.version']) {
      warnings.push(`The spec gives ${c.reference} os.version ${c.platform['os.version']}, but its config says ${c.config['os.version']}; the spec's is used.`);
    }
    const same = c.repo.registry === target.repo.registry && c.repo.repository === target.repo.repository;
    return {
      reference: c.reference,
      digest: c.manifest.digest,
      mediaType: c.manifest.mediaType,
      platform,
      platformFrom: from,
      ...(same ? {} : { copy: copyOf(c) }),
    };
  });

  const seen = new Map<string, string>();
  for (const c of planned) {
    const key = [c.platform.os, c.platform.architecture, normalizeVariant(c.platform.architecture, c.platform.variant), c.platform['os.version'] ?? ''].join('|');
    const other = seen.get(key);
    if (other) {
      throw new UserError('usage', `${other} and ${c.reference} are both ${formatPlatformLike(c.platform)}; a manifest list has one image per platform, so drop one of them.`);
    }
    seen.set(key, c.reference);
  }

  const docker = planned.every((c) => c.mediaType === MediaTypes.dockerManifest);
  const mediaType = docker ? MediaTypes.dockerManifestList : MediaTypes.ociIndex;
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType,
    manifests: planned.map((c): Descriptor => ({ mediaType: c.mediaType, digest: c.digest, size: children.find((x) => x.manifest.digest === c.digest)!.manifest.bytes.length, platform: c.platform })),
  };
  const bytes = Buffer.from(JSON.stringify(index), 'utf8');
  return { target, tags: [...new Set(tags.filter((t) => t !== target.tag))], children: planned, index, bytes, digest: sha256Digest(bytes), mediaType, warnings };
}

function copyOf(c: ListChildInput): ManifestCopy {
  const m = c.manifest.manifest;
  const seen = new Set<string>();
  const blobs = [m.config, ...m.layers]
    .filter((d) => !isForeignLayerType(d.mediaType) && !(seen.has(d.digest) || !seen.add(d.digest)))
    .map((descriptor) => ({ descriptor, from: c.repo }));
  return { digest: c.manifest.digest, mediaType: c.manifest.mediaType, bytes: c.manifest.bytes, from: c.repo, blobs, label: `image ${c.reference}` };
}
