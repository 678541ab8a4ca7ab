import { isUserError, UserError } from '../../core/errors';
import { formatPlatform, imageChildren } from '../../core/rebase/fetchImage';
import { PlatformLike, platformAccepts } from '../../core/rebase/platformMatch';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { RegistryClient } from '../../core/registry/client';
import { memoized } from '../../core/util/memo';
import { BaseIdentity, identityOf } from '../../core/rebase/baseIdentity';
import { ImageCache, ImageRef } from '../registries/imageCache';

export interface ResolvedBase {
  digest: string;
  platforms: string[];
  /** For an index: its platform images, which name the same base as the index itself. */
  children?: Array<{ digest: string; platform: string }>;
}

export type Resolution = { ok: true; value: ResolvedBase } | { ok: false; error: UserError };

const TTL_MS = 5 * 60 * 1000;

/**
 * Looks up what a tag points to for the CodeLens. A tag costs one HEAD per TTL (a HEAD does not
 * count against Docker Hub's pull limit); what a digest names never changes, so its platforms
 * (and, for a pin, its build date) are fetched once and kept. Lookups of the same image share
 * one request.
 */
export class BaseResolver {
  private readonly byTag = new Map<string, { at: number; promise: Promise<Resolution> }>();
  /** By digest alone: the same content under many repositories is looked at once. */
  private readonly byDigest = new Map<string, Promise<Omit<ResolvedBase, 'digest'>>>();

  constructor(
    private readonly client: () => RegistryClient,
    /** Manifests and configs by digest never change: the extension's shared cache keeps them. */
    private readonly cache: () => ImageCache,
    private readonly now: () => number = Date.now,
  ) {}

  resolve(reference: string): Promise<Resolution> {
    const hit = this.byTag.get(reference);
    if (hit && this.now() - hit.at < TTL_MS) return hit.promise;
    const promise = this.lookup(reference);
    this.byTag.set(reference, { at: this.now(), promise });
    return promise;
  }

  /**
   * What a pinned digest of `reference`'s repository names: an index lists its platform images.
   * Undefined when it cannot be read (deleted, or not an image): the pin is then taken as is.
   */
  async pinned(reference: string, digest: string): Promise<BaseIdentity | undefined> {
    try {
      const ref = parseReferenceWithDefaultTag(reference);
      return identityOf(await this.cache().manifest({ registry: ref.registry, repository: ref.repository, reference: digest }));
    } catch {
      return undefined;
    }
  }

  /**
   * When the image `digest` names was built (`created` of its config), and for which platform.
   * Of an index, the image for `platform` (else its first) is read: the dates of one platform
   * compare like with like, and it costs one manifest and one config, both kept by the cache.
   * Undefined fields when it cannot be read (a deleted pin): nothing is claimed then.
   */
  async created(reference: string, digest: string, platform?: PlatformLike): Promise<{ created?: string; platform?: PlatformLike }> {
    try {
      const ref = parseReferenceWithDefaultTag(reference);
      const at = { registry: ref.registry, repository: ref.repository, reference: digest };
      const cache = this.cache();
      const index = await cache.index(at);
      let child = at;
      if (index) {
        const children = imageChildren(index.manifest);
        const chosen = (platform && children.find((c) => platformAccepts(platform, c.platform!))) ?? children[0];
        if (!chosen) return {};
        child = { ...at, reference: chosen.digest };
      }
      const image = await cache.image(child);
      if (!image) return {};
      const { os, architecture, variant } = image.config;
      return { created: image.config.created, platform: { os, architecture, variant } };
    } catch {
      return {};
    }
  }

  /** Forgets tag lookups (after sign-in, or when the user asks to retry). */
  clear(): void {
    this.byTag.clear();
  }

  private async lookup(reference: string): Promise<Resolution> {
    try {
      const ref = parseReferenceWithDefaultTag(reference);
      const repo = { registry: ref.registry, repository: ref.repository };
      const head = await this.client().headManifest(repo, ref.digest ?? ref.tag ?? 'latest');
      if (!head?.digest) throw new UserError('not-found', `${reference} was not found in its registry.`);
      const details = await memoized(this.byDigest, head.digest, () => this.details({ ...repo, reference: head.digest! }));
      return { ok: true, value: { digest: head.digest, ...details } };
    } catch (e) {
      if (isUserError(e)) return { ok: false, error: e };
      return { ok: false, error: new UserError('registry', String((e as Error)?.message ?? e)) };
    }
  }

  private async details(ref: ImageRef): Promise<Omit<ResolvedBase, 'digest'>> {
    const cache = this.cache();
    const index = await cache.index(ref);
    if (index) {
      // The platforms are in the index itself; dates are read only for a pin (see created()).
      const children = imageChildren(index.manifest);
      return {
        platforms: children.map((c) => formatPlatform(c.platform!)),
        children: children.map((c) => ({ digest: c.digest, platform: formatPlatform(c.platform!) })),
      };
    }
    const image = await cache.image(ref);
    return { platforms: image ? [formatPlatform(image.config)] : [] };
  }
}
