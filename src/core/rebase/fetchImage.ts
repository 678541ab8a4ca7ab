import { memoized } from '../util/memo';
import { UserError } from '../errors';
import { Descriptor, FetchedManifest, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest';
import { isImageManifestType, isIndexType } from '../mediaTypes';
import { ImageReference, formatReference } from '../reference';
import { RegistryClient, RepositoryName } from '../registry/client';
import { validateConfig } from '../registry/validate';
import { ImageDocuments } from './plan';
import { choosePlatform } from './platformMatch';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
  /** Windows: the os.version to match (same build, see platformMatch.ts). */
  'os.version'?: string;
  /** How to use os.version: 'newest' revision of the build (new bases) or 'exact' first (old bases). */
  osVersionRule?: 'newest' | 'exact';
}

/**
 * Memoises manifest and config fetches for the duration of one operation (an index rebase looks
 * at the same base index once per platform). Digest-addressed blobs never change; a tag is only
 * read once per operation, which is also what keeps one run consistent.
 */
export class FetchMemo {
  private readonly manifests = new Map<string, Promise<FetchedManifest>>();
  private readonly blobs = new Map<string, Promise<Buffer>>();
  private readonly tagLists = new Map<string, Promise<string[]>>();

  tags(client: RegistryClient, repo: RepositoryName, limit: number, signal?: AbortSignal): Promise<string[]> {
    return memoized(this.tagLists, `${repo.registry}/${repo.repository}#${limit}`, () => client.allTags(repo, limit, signal));
  }

  /** A read by tag also answers later reads of the digest it gave: the same document. */
  manifest(client: RegistryClient, repo: RepositoryName, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const at = (r: string) => `${repo.registry}/${repo.repository}@${r}`;
    const p = memoized(this.manifests, at(reference), () => client.getManifest(repo, reference, signal));
    p.then(
      (m) => {
        if (m.digest !== reference && !this.manifests.has(at(m.digest))) this.manifests.set(at(m.digest), p);
      },
      () => undefined,
    );
    return p;
  }

  blob(client: RegistryClient, repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<Buffer> {
    return memoized(this.blobs, `${repo.registry}/${repo.repository}@${digest}`, () => client.getBlob(repo, digest, signal));
  }

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


/**
 * Fetches an image manifest. An index is resolved to the child for `platform`; without one, an
 * index with a single image is taken and any other is refused with the list of platforms.
 */
export async function resolveManifest(
  client: RegistryClient,
  ref: ImageReference,
  platform: PlatformSpec | undefined,
  signal?: AbortSignal,
  memo?: FetchMemo,
): Promise<FetchedManifest<ImageManifest>> {
  const repo = repoOf(ref);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const get = (r: string) => (memo ? memo.manifest(client, repo, r, signal) : client.getManifest(repo, r, signal));
  let fetched = await get(reference);
  if (isIndexType(fetched.mediaType)) {
    const children = imageChildren(fetched.manifest as ImageIndex);
    let chosen: Descriptor | undefined;
    if (platform) {
      const match = choosePlatform(platform, children.map((c) => ({ platform: c.platform!, item: c })), {
        variant: 'lenient',
        osVersion: platform.osVersionRule ?? 'newest',
        baseName: formatReference(ref),
      });
      if (!match.matched) throw new UserError('platform', `${match.reason}; choose an image built for that platform.`);
      chosen = match.item;
    } else if (children.length === 1) {
      chosen = children[0];
    }
    if (!chosen) {
      const available = children.map((c) => formatPlatform(c.platform!)).join(', ') || 'none';
      throw new UserError(
        'platform',
        `${formatReference(ref)} is a multi-platform image (${available}); choose one with --platform, e.g. --platform ${formatPlatform(children[0]?.platform ?? { os: 'linux', architecture: 'amd64' })}.`,
      );
    }
    fetched = await get(chosen.digest);
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
  memo?: FetchMemo,
): Promise<ImageDocuments> {
  const manifest = await resolveManifest(client, ref, platform, signal, memo);
  return imageDocuments(client, ref, manifest, signal, memo);
}

/**
 * Starts reading an image's manifest and, for a single-platform image, its config into `memo`,
 * without waiting: a later fetchImage of the same reference finds them there. Which child of an
 * index is wanted depends on the platform, known later, so an index stops at its top manifest.
 * Failures are left for that later fetch to meet and report.
 */
export function warmImage(client: RegistryClient, ref: ImageReference, memo: FetchMemo, signal?: AbortSignal): void {
  const repo = repoOf(ref);
  memo
    .manifest(client, repo, ref.digest ?? ref.tag ?? 'latest', signal)
    .then((m) => {
      const config = isImageManifestType(m.mediaType) ? (m.manifest as ImageManifest).config?.digest : undefined;
      if (config) return memo.blob(client, repo, config, signal);
    })
    .catch(() => undefined);
}

/** Reads the config of an already fetched image manifest and checks that it is an image. */
export async function imageDocuments(
  client: RegistryClient,
  ref: ImageReference,
  manifest: FetchedManifest<ImageManifest>,
  signal?: AbortSignal,
  memo?: FetchMemo,
): Promise<ImageDocuments> {
  const repo = repoOf(ref);
  const digest = manifest.manifest.config?.digest;
  if (!digest) {
    throw new UserError('unsupported', `${formatReference(ref)} has no config; it is not a container image.`);
  }
  const configBytes = memo ? await memo.blob(client, repo, digest, signal) : await client.getBlob(repo, digest, signal);
  let parsed: unknown;
  try {
    parsed = JSON.parse(configBytes.toString('utf8'));
  } catch {
    throw new UserError('unsupported', `The config of ${formatReference(ref)} is not valid JSON; it is not a container image.`);
  }
  // Without these fields it is an artifact (a Helm chart, a signature), not a broken image: say so.
  const fields = parsed as Partial<Record<'rootfs' | 'os' | 'architecture', unknown>> | null;
  if (typeof parsed !== 'object' || !fields || fields.rootfs == null || fields.os == null || fields.architecture == null) {
    throw new UserError('unsupported', `${formatReference(ref)} is not a container image (its config has no rootfs, os or architecture); only images can be rebased.`);
  }
  const config: ImageConfig = validateConfig(parsed, `the config of ${formatReference(ref)}`);
  return { reference: formatReference(ref), repo, manifest, config };
}

/** The platform to look for in bases of this image: its own, with os.version for Windows. */
export function platformOf(config: ImageConfig, osVersionRule: 'newest' | 'exact' = 'newest'): PlatformSpec {
  return {
    os: config.os,
    architecture: config.architecture,
    variant: config.variant,
    ...(config['os.version'] ? { 'os.version': config['os.version'], osVersionRule } : {}),
  };
}
