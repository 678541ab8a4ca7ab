import { isUserError, UserError } from '../../core/errors';
import { ImageConfig, ImageIndex, ImageManifest } from '../../core/manifest';
import { isIndexType } from '../../core/mediaTypes';
import { formatPlatform, imageChildren } from '../../core/rebase/fetchImage';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { RegistryClient } from '../../core/registry/client';

export interface ResolvedBase {
  digest: string;
  platforms: string[];
  /** `created` of the image (of its first platform for an index). */
  created?: string;
}

export type Resolution = { ok: true; value: ResolvedBase } | { ok: false; error: UserError };

const TTL_MS = 5 * 60 * 1000;

/**
 * Looks up what a tag points to for the CodeLens. A tag costs one HEAD per TTL (a HEAD does not
 * count against Docker Hub's pull limit); what a digest names never changes, so its platforms
 * and date are fetched once and kept. Lookups of the same image share one request.
 */
export class BaseResolver {
  private readonly byTag = new Map<string, { at: number; promise: Promise<Resolution> }>();
  private readonly byDigest = new Map<string, Promise<Omit<ResolvedBase, 'digest'>>>();

  constructor(
    private readonly client: () => RegistryClient,
    private readonly now: () => number = Date.now,
  ) {}

  resolve(reference: string): Promise<Resolution> {
    const hit = this.byTag.get(reference);
    if (hit && this.now() - hit.at < TTL_MS) return hit.promise;
    const promise = this.lookup(reference);
    this.byTag.set(reference, { at: this.now(), promise });
    return promise;
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
      const digest = head.digest;
      let details = this.byDigest.get(digest);
      if (!details) {
        details = this.details(repo, digest);
        details.catch(() => this.byDigest.delete(digest));
        this.byDigest.set(digest, details);
      }
      return { ok: true, value: { digest, ...(await details) } };
    } catch (e) {
      if (isUserError(e)) return { ok: false, error: e };
      return { ok: false, error: new UserError('registry', String((e as Error)?.message ?? e)) };
    }
  }

  private async details(repo: { registry: string; repository: string }, digest: string): Promise<Omit<ResolvedBase, 'digest'>> {
    const client = this.client();
    const m = await client.getManifest(repo, digest);
    if (isIndexType(m.mediaType)) {
      const children = imageChildren(m.manifest as ImageIndex);
      let created: string | undefined;
      if (children[0]) {
        const child = await client.getManifest(repo, children[0].digest);
        created = (await this.config(client, repo, (child.manifest as ImageManifest).config.digest)).created;
      }
      return { platforms: children.map((c) => formatPlatform(c.platform!)), created };
    }
    const config = await this.config(client, repo, (m.manifest as ImageManifest).config.digest);
    return { platforms: [formatPlatform(config)], created: config.created };
  }

  private async config(client: RegistryClient, repo: { registry: string; repository: string }, digest: string): Promise<ImageConfig> {
    return JSON.parse((await client.getBlob(repo, digest)).toString('utf8')) as ImageConfig;
  }
}
