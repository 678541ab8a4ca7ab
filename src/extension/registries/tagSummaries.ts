/**
 * Tag row descriptions (digest, created, size, platforms) for the Registries view. Each needs a
 * manifest and a config, so they are fetched in the background a few at a time, after the page
 * of tags shows, and each row is redrawn alone when its summary arrives.
 */
import { isIndexType } from '../../core/mediaTypes';
import { ImageIndex, ImageManifest } from '../../core/manifest';
import { imageChildren, formatPlatform } from '../../core/rebase/fetchImage';
import type { ImageCache } from './imageCache';
import type { TagNode } from './nodes';

const SUMMARY_CONCURRENCY = 4;

export class TagSummaries {
  private readonly queue: TagNode[] = [];
  private running = 0;
  private generation = 0;

  constructor(
    private readonly cache: () => ImageCache,
    private readonly redraw: (tag: TagNode) => void,
  ) {}

  enqueue(tag: TagNode): void {
    this.queue.push(tag);
    this.pump();
  }

  /** The whole tree reloads: waiting tags are dropped, and summaries under way start no more. */
  restart(): void {
    this.generation++;
    this.queue.length = 0;
  }

  /** Drops the waiting tags. */
  clear(): void {
    this.queue.length = 0;
  }

  /** Fills in a tag's summary (digest, created, platforms) and redraws just that row. */
  async summarize(tag: TagNode): Promise<void> {
    try {
      const m = await this.cache().manifest(tag.ref);
      if (isIndexType(m.mediaType)) {
        const index = m.manifest as ImageIndex;
        tag.summary = { digest: m.digest, mediaType: m.mediaType, kind: 'index', platforms: imageChildren(index).map((d) => formatPlatform(d.platform!)) };
      } else {
        const manifest = m.manifest as ImageManifest;
        const config = await this.cache().config(tag.ref, manifest.config.digest);
        tag.summary = {
          digest: m.digest,
          mediaType: m.mediaType,
          kind: 'image',
          created: config.created,
          size: manifest.layers.reduce((n, l) => n + (l.size ?? 0), manifest.config.size ?? 0),
          platforms: [formatPlatform(config)],
        };
      }
    } catch (e) {
      tag.summaryError = (e as Error).message;
    }
    this.redraw(tag);
  }

  private pump(): void {
    const generation = this.generation;
    while (this.running < SUMMARY_CONCURRENCY && this.queue.length) {
      const tag = this.queue.shift()!;
      this.running++;
      void this.summarize(tag).finally(() => {
        this.running--;
        if (generation === this.generation) this.pump();
      });
    }
  }
}
