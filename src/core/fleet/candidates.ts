import { UserError, isUserError } from '../errors';
import { ImageManifest } from '../manifest';
import { ImageReference, formatReference } from '../reference';
import { RegistryClient, RepositoryName } from '../registry/client';
import { mapLimit } from '../util/concurrency';
import { basePrefixLength } from '../rebase/baseIdentity';
import { ScanMemo, PlatformImage } from './memo';

/** Tags read per base repository: the search is a fixed cost per base, so it must stay bounded. */
export const BASE_TAG_LIMIT = 1000;

export interface Candidate {
  repo: RepositoryName;
  tag: string;
  image: PlatformImage;
  /** The tag names this image itself, not an index listing it. */
  direct: boolean;
}

export interface Match {
  candidate: Candidate;
  /** Layers of the image that are the candidate's. */
  length: number;
}

interface BaseRepository {
  repo: RepositoryName;
  /** Tags named with --base, in the order given: an image found by search is judged against them. */
  named: string[];
  candidates: Candidate[];
}

function key(repo: RepositoryName): string {
  return `${repo.registry}/${repo.repository}`;
}

/**
 * The images of the `--base` repositories, read once per scan: every tag's manifest (an index's
 * image entries too), never a config. Layer digests are all a prefix match needs.
 */
export class BaseCandidates {
  private readonly repos = new Map<string, BaseRepository>();
  readonly notices: string[] = [];

  constructor(refs: ImageReference[]) {
    for (const ref of refs) {
      const repo = { registry: ref.registry, repository: ref.repository };
      const entry = this.repos.get(key(repo)) ?? { repo, named: [], candidates: [] };
      if (ref.tag && !entry.named.includes(ref.tag)) entry.named.push(ref.tag);
      this.repos.set(key(repo), entry);
    }
  }

  get size(): number {
    return this.repos.size;
  }

  isBaseRepository(repo: RepositoryName): boolean {
    return this.repos.has(key(repo));
  }

  namedTags(repo: RepositoryName): string[] {
    return this.repos.get(key(repo))?.named ?? [];
  }

  async load(client: RegistryClient, memo: ScanMemo, concurrency: number, signal?: AbortSignal): Promise<void> {
    // Repositories side by side; a base's tags share the concurrency within it.
    await mapLimit([...this.repos.values()], 4, async (base) => {
      const listed = await memo.tags(client, base.repo, BASE_TAG_LIMIT + 1, signal);
      if (listed.length > BASE_TAG_LIMIT) {
        this.notices.push(`Only the first ${BASE_TAG_LIMIT} tags of ${key(base.repo)} were searched for bases.`);
      }
      const tags = [...new Set([...listed.slice(0, BASE_TAG_LIMIT), ...base.named])];
      const read = await mapLimit(tags, concurrency, async (tag) => {
        try {
          const top = await memo.manifest(client, base.repo, tag, signal);
          const images = await memo.images(client, base.repo, top, signal);
          return images.map((image): Candidate => ({ repo: base.repo, tag, image, direct: !image.descriptor }));
        } catch (e) {
          // A named tag must exist; any other tag that cannot be read (an artifact, a tag deleted
          // while we list) is just not a candidate.
          if (base.named.includes(tag) && isUserError(e) && e.code === 'not-found') {
            throw new UserError('not-found', `The base ${formatReference({ ...base.repo, tag })} does not exist; check --base.`);
          }
          if (isUserError(e) && (e.code === 'unsupported' || e.code === 'not-found' || e.code === 'registry')) return [];
          throw e;
        }
      });
      base.candidates = read.flat();
    });
  }

  /**
   * The candidate whose layers are the longest proper prefix of `image`'s. On a tie (one base
   * image under several tags) a tag named with --base wins, then a tag of the image itself
   * rather than of an index listing it, then the registry's order.
   */
  best(image: ImageManifest): Match | undefined {
    let best: Match | undefined;
    const rank = (c: Candidate) => (this.namedTags(c.repo).includes(c.tag) ? 2 : 0) + (c.direct ? 1 : 0);
    for (const base of this.repos.values()) {
      for (const candidate of base.candidates) {
        const length = basePrefixLength(image, candidate.image.manifest.manifest);
        if (length === 0) continue;
        if (!best || length > best.length || (length === best.length && rank(candidate) > rank(best.candidate))) best = { candidate, length };
      }
    }
    return best;
  }

  /** The tags naming `digest` in `repo`: those of the image itself first. */
  tagsOf(repo: RepositoryName, digest: string): string[] {
    const all = (this.repos.get(key(repo))?.candidates ?? []).filter((c) => c.image.manifest.digest === digest);
    return [...new Set([...all.filter((c) => c.direct), ...all.filter((c) => !c.direct)].map((c) => c.tag))];
  }
}
