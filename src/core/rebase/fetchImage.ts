import { UserError } from '../errors';
import { Descriptor, FetchedManifest, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest';
import { isImageManifestType, isIndexType } from '../mediaTypes';
import { ImageReference, formatReference } from '../reference';
import { RegistryClient, RepositoryName } from '../registry/client';
import { ImageDocuments } from './plan';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(s: string): PlatformSpec {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new UserError('usage', `"${s}" is not a platform; write it as os/arch or os/arch/variant, e.g. linux/amd64 or linux/arm64/v8.`);
  }
  return { os: parts[0], architecture: parts[1], variant: parts[2] };
}

export function formatPlatform(p: PlatformSpec | Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function repoOf(ref: ImageReference): RepositoryName {
  return { registry: ref.registry, repository: ref.repository };
}

/** Index entries that are images, leaving out attestations and other artifacts. */
export function imageChildren(index: ImageIndex): Descriptor[] {
  return index.manifests.filter(
    (d) => isImageManifestType(d.mediaType) && d.platform && d.platform.os !== 'unknown' && d.platform.architecture !== 'unknown',
  );
}

function matches(p: Platform | undefined, want: PlatformSpec): boolean {
  if (!p || p.os !== want.os || p.architecture !== want.architecture) return false;
  // An unspecified variant matches any (as Docker treats arm64 and arm64/v8 alike).
  return !want.variant || !p.variant || p.variant === want.variant;
}

/**
 * Fetches an image manifest. An index is resolved to the child for `platform`; without one, an
 * index with a single image is taken and any other is refused with the list of platforms.
 */
export async function resolveManifest(
  client: RegistryClient,
  ref: ImageReference,
  platform: PlatformSpec | undefined,
  signal?: AbortSignal,
): Promise<FetchedManifest<ImageManifest>> {
  const repo = repoOf(ref);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let fetched = await client.getManifest(repo, reference, signal);
  if (isIndexType(fetched.mediaType)) {
    const children = imageChildren(fetched.manifest as ImageIndex);
    const chosen = platform ? children.find((c) => matches(c.platform, platform)) : children.length === 1 ? children[0] : undefined;
    if (!chosen) {
      const available = children.map((c) => formatPlatform(c.platform!)).join(', ') || 'none';
      throw new UserError(
        'platform',
        platform
          ? `${formatReference(ref)} has no image for ${formatPlatform(platform)} (it has: ${available}); choose an image built for that platform.`
          : `${formatReference(ref)} is a multi-platform image (${available}); choose one with --platform, e.g. --platform ${formatPlatform(children[0]?.platform ?? { os: 'linux', architecture: 'amd64' })}.`,
      );
    }
    fetched = await client.getManifest(repo, chosen.digest, signal);
    if (!isImageManifestType(fetched.mediaType)) {
      throw new UserError('unsupported', `${formatReference(ref)} lists ${chosen.digest} as an image, but it is a ${fetched.mediaType}; the index is malformed.`);
    }
  }
  return fetched as FetchedManifest<ImageManifest>;
}

/** Manifest and config of one image, ready for the planner. */
export async function fetchImage(
  client: RegistryClient,
  ref: ImageReference,
  platform: PlatformSpec | undefined,
  signal?: AbortSignal,
): Promise<ImageDocuments> {
  const repo = repoOf(ref);
  const manifest = await resolveManifest(client, ref, platform, signal);
  const configBytes = await client.getBlob(repo, manifest.manifest.config.digest, signal);
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8'));
  } catch {
    throw new UserError('unsupported', `The config of ${formatReference(ref)} is not valid JSON; it is not a container image.`);
  }
  if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids) || !config.os || !config.architecture) {
    throw new UserError('unsupported', `${formatReference(ref)} is not a container image (its config has no rootfs, os or architecture); only images can be rebased.`);
  }
  return { reference: formatReference(ref), repo, manifest, config };
}
