import { ImageReference, formatReference, parseReferenceWithDefaultTag } from '../../core/reference';
import { RegistryClient } from '../../core/registry/client';
import { newestOfLine, parseTagVersion } from '../../core/tags/tagLines';

/** A newer tag of the line a FROM's tag is on (see src/core/tags/tagLines.ts). */
export interface NewerTag {
  /** Fully qualified, e.g. "127.0.0.1:5000/base:2". */
  reference: string;
  tag: string;
  /** The tag list was cut at TAG_LIMIT: a newer tag may lie beyond it. */
  truncated: boolean;
}

/** What is known of a FROM's line now, without waiting. */
export interface LineState {
  newer?: NewerTag;
  /** False while nothing was read yet or what was read is older than the TTL. */
  fresh: boolean;
}

/**
 * Tags read per repository: a bound on the work (a few pages), not a promise of the newest.
 * Registries list tags sorted as text, so in a repository with more, later ones go unseen; the
 * hint then says "among its first N tags".
 */
export const TAG_LIMIT = 5000;
const TTL_MS = 5 * 60 * 1000;

interface Entry {
  at: number;
  /** Undefined until the first list arrives; a failed read counts as an empty list (no hint). */
  tags?: string[];
  truncated?: boolean;
  pending?: Promise<void>;
}

/**
 * The newer tags of FROM lines, for the CodeLens. One tag list per repository and TTL through the
 * extension's one registry client, shared by every FROM of that repository; peek answers from
 * what was read, refresh reads (one request in flight per repository, however many callers).
 */
export class NewerTags {
  private readonly byRepo = new Map<string, Entry>();

  constructor(
    private readonly client: () => RegistryClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a reference's tag is on a line at all: only those are worth a tag list. */
  static onLine(reference: string): boolean {
    const tag = parseReferenceWithDefaultTag(reference).tag;
    return Boolean(tag && parseTagVersion(tag));
  }

  peek(reference: string): LineState {
    const ref = parseReferenceWithDefaultTag(reference);
    const entry = this.byRepo.get(repoKey(ref));
    if (!entry?.tags) return { fresh: false };
    return { newer: pick(ref, entry), fresh: this.now() - entry.at < TTL_MS };
  }

  /**
   * Reads the repository's tags (once, however many callers) and tells whether the newer tag of
   * `reference` changed from what peek said before, so the caller redraws only then.
   */
  async refresh(reference: string): Promise<boolean> {
    const ref = parseReferenceWithDefaultTag(reference);
    const key = repoKey(ref);
    const entry = this.byRepo.get(key) ?? { at: 0 };
    this.byRepo.set(key, entry);
    const before = entry.tags ? pick(ref, entry)?.reference : undefined;
    entry.pending ??= this.client()
      .allTags({ registry: ref.registry, repository: ref.repository }, TAG_LIMIT + 1)
      .then(
        (tags) => ({ tags: tags.slice(0, TAG_LIMIT), truncated: tags.length > TAG_LIMIT }),
        // Sign-in and reachability problems are the base lens's to tell; this one stays quiet.
        () => ({ tags: [] as string[], truncated: false }),
      )
      .then(({ tags, truncated }) => {
        Object.assign(entry, { tags, truncated, at: this.now(), pending: undefined });
      });
    await entry.pending;
    return pick(ref, entry)?.reference !== before;
  }

  /** When every list being read has arrived (tests wait on it, then look at the lenses). */
  async settled(): Promise<void> {
    await Promise.all([...this.byRepo.values()].map((e) => e.pending));
  }

  /** Forgets every list (after sign-in, or when the user asks to retry). */
  clear(): void {
    this.byRepo.clear();
  }
}

function repoKey(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

function pick(ref: ImageReference, entry: Entry): NewerTag | undefined {
  const tag = ref.tag && newestOfLine(ref.tag, entry.tags ?? []);
  if (!tag) return undefined;
  return { reference: formatReference({ registry: ref.registry, repository: ref.repository, tag }), tag, truncated: Boolean(entry.truncated) };
}
