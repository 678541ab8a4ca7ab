/**
 * Layer scans cached on disk by layer digest: a layer's content never changes, so a second
 * preview of the same base reads no layer at all. Bounded in size, oldest-used first out (use
 * refreshes a file's mtime). The directory belongs to the host: the CLI's cache directory, or the
 * extension's global storage. The cache only ever saves work; a failure to read or write it is
 * never an error of the comparison.
 */
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LayerScan, ScanMode } from './layerScan';

/** Bumped whenever what a scan holds, or how files are parsed, changes: old entries are then ignored. */
const FORMAT = 1;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class LayerCache {
  constructor(
    readonly dir: string | undefined,
    private readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  private file(digest: string, mode: ScanMode): string | undefined {
    // Only digests that are safe as file names (they come from registry documents).
    const m = /^([a-z0-9]+):([a-f0-9]{32,128})$/.exec(digest);
    return this.dir && m ? join(this.dir, `${m[1]}-${m[2]}.${mode}.v${FORMAT}.json`) : undefined;
  }

  async has(digest: string, mode: ScanMode): Promise<boolean> {
    const f = this.file(digest, mode);
    return f ? stat(f).then(() => true, () => false) : false;
  }

  async get(digest: string, mode: ScanMode): Promise<LayerScan | undefined> {
    const f = this.file(digest, mode);
    if (!f) return undefined;
    try {
      const scan = JSON.parse(await readFile(f, 'utf8')) as LayerScan;
      if (!scan || typeof scan.files !== 'object' || !Array.isArray(scan.deleted) || !Array.isArray(scan.opaque) || !Array.isArray(scan.notes)) return undefined;
      const now = new Date();
      await utimes(f, now, now).catch(() => undefined);
      return scan;
    } catch {
      return undefined;
    }
  }

  async put(digest: string, mode: ScanMode, scan: LayerScan): Promise<void> {
    const f = this.file(digest, mode);
    if (!f || !this.dir) return;
    const body = JSON.stringify(scan);
    // One entry bigger than the whole cache would only push everything else out.
    if (body.length > this.maxBytes / 4) return;
    try {
      await mkdir(this.dir, { recursive: true });
      const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, f);
      await this.prune();
    } catch {
      // A full disk or a read-only home: the comparison goes on uncached.
    }
  }

  /** Removes the least recently used entries until the cache fits its bound. */
  private async prune(): Promise<void> {
    const dir = this.dir!;
    const entries = await Promise.all(
      (await readdir(dir)).filter((n) => n.endsWith('.json') || n.endsWith('.tmp')).map(async (name) => {
        const s = await stat(join(dir, name)).catch(() => undefined);
        return s ? { name, size: s.size, mtime: s.mtimeMs } : undefined;
      }),
    );
    const live = entries.filter((e): e is NonNullable<typeof e> => e !== undefined);
    let total = live.reduce((n, e) => n + e.size, 0);
    if (total <= this.maxBytes) return;
    live.sort((a, b) => a.mtime - b.mtime);
    for (const e of live) {
      if (total <= this.maxBytes) break;
      await rm(join(dir, e.name), { force: true });
      total -= e.size;
    }
  }
}
