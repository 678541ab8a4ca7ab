import { FetchedManifest, ImageConfig, ImageIndex, ImageManifest } from '../../core/manifest';
import { isIndexType } from '../../core/mediaTypes';
import { RegistryClient, RepositoryName } from '../../core/registry/client';
import { memoized } from '../../core/util/memo';

export interface ImageRef extends RepositoryName {
  /** Tag or digest. */
  reference: string;
}

export function refKey(r: ImageRef): string {
  return `${r.registry}/${r.repository}${r.reference.includes(':') ? '@' : ':'}${r.reference}`;
}

/**
 * Manifests and configs fetched for the UI, each requested once however many views ask. Tags
 * move, so entries by tag are dropped on refresh; entries by digest never change.
 */
export class ImageCache {
  private readonly manifests = new Map<string, Promise<FetchedManifest>>();
  private readonly configs = new Map<string, Promise<ImageConfig>>();

  constructor(private readonly client: RegistryClient) {}

  manifest(ref: ImageRef): Promise<FetchedManifest> {
    return memoized(this.manifests, refKey(ref), () => this.client.getManifest(ref, ref.reference));
  }

  config(repo: RepositoryName, digest: string): Promise<ImageConfig> {
    return memoized(this.configs, `${repo.registry}/${repo.repository}@${digest}`, () =>
      this.client.getBlob(repo, digest).then((b) => JSON.parse(b.toString('utf8')) as ImageConfig),
    );
  }

  async image(ref: ImageRef): Promise<{ manifest: FetchedManifest<ImageManifest>; config: ImageConfig } | undefined> {
    const m = await this.manifest(ref);
    if (isIndexType(m.mediaType)) return undefined;
    const manifest = m as FetchedManifest<ImageManifest>;
    return { manifest, config: await this.config(ref, manifest.manifest.config.digest) };
  }

  async index(ref: ImageRef): Promise<FetchedManifest<ImageIndex> | undefined> {
    const m = await this.manifest(ref);
    return isIndexType(m.mediaType) ? (m as FetchedManifest<ImageIndex>) : undefined;
  }

  /** Forgets what a tag pointed to, under a repository or everywhere. */
  invalidate(repo?: RepositoryName): void {
    for (const key of [...this.manifests.keys()]) {
      if (key.includes('@')) continue;
      if (!repo || key.startsWith(`${repo.registry}/${repo.repository}:`)) this.manifests.delete(key);
    }
  }
}
