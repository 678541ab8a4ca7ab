/**
 * Reads one layer as it streams in, once: gzip (node:zlib) or plain tar, told apart by their
 * first bytes, parsed by tar-stream, keeping only the tracked files (each bounded) and the
 * whiteouts that can hide them. Nothing else of the layer is held: bodies of other entries are
 * drained as they pass.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { LayerScan, ScanMode, emptyScan } from './layerScan';
import { FILE_CAPS, formatSize, parseTracked, tooLarge } from './parseTracked';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, normalizeEntryPath, touchesTracked, trackedKind } from './paths';
import { posix } from 'node:path';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const GiB = 1024 ** 3;

export interface ReadLayerOptions {
  mode: ScanMode;
  /** Compressed size, to bound how far the layer may expand (a decompression bomb). */
  size: number;
  /** Told every compressed chunk's size, for progress. */
  onBytes?: (n: number) => void;
}

/** Marks an error of the layer's own data (not gzip, not tar), as opposed to its download. */
export class LayerFormatError extends Error {}

/** The first `n` bytes of a stream, put back so that the stream still starts with them. */
function peek(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const finish = (ended: boolean): void => {
      cleanup();
      const head = Buffer.concat(chunks);
      if (!ended && head.length) stream.unshift(head);
      resolve(head.subarray(0, n));
    };
    const onReadable = (): void => {
      let c: Buffer | null;
      while ((c = stream.read()) !== null) {
        chunks.push(c);
        have += c.length;
        if (have >= n) return finish(false);
      }
    };
    const onEnd = (): void => finish(true);
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

const startsWith = (b: Buffer, magic: number[]): boolean => magic.every((m, i) => b[i] === m);

/**
 * Scans a layer stream. Errors of the stream itself (network, digest, cancel) are rethrown as
 * they are; data that is not a readable layer becomes a LayerFormatError.
 */
export async function readLayer(source: Readable, opts: ReadLayerOptions): Promise<LayerScan> {
  let sourceError: unknown;
  source.on('error', (e) => (sourceError ??= e));
  try {
    const head = await peek(source, 4);
    if (head.length === 0) return emptyScan();
    if (startsWith(head, ZSTD_MAGIC)) return emptyScan(['not read (zstd): Node.js 20 has no zstd decompressor']);
    const gzip = startsWith(head, GZIP_MAGIC);
    const extract = tarExtract();
    const fail = (e: unknown): void => void extract.destroy(e as Error);
    source.on('error', fail);
    // Only now: a 'data' listener would have set the stream flowing before the peek.
    if (opts.onBytes) source.on('data', (c: Buffer) => opts.onBytes!(c.length));
    if (gzip) {
      const gunzip = createGunzip();
      gunzip.on('error', (e) => fail(new LayerFormatError(`it is not valid gzip (${e.message})`)));
      source.pipe(gunzip).pipe(extract);
    } else {
      source.pipe(extract);
    }
    return await scanEntries(extract, opts);
  } catch (e) {
    if (sourceError) throw sourceError;
    if (e instanceof LayerFormatError) throw e;
    throw new LayerFormatError(`it is not a readable tar archive (${(e as Error).message})`);
  } finally {
    source.destroy();
  }
}

type Extract = ReturnType<typeof tarExtract>;

async function scanEntries(extract: Extract, opts: ReadLayerOptions): Promise<LayerScan> {
  const scan = emptyScan();
  // Real layers expand a few times, text-heavy ones perhaps 20 times; far beyond is a bomb.
  const maxExpanded = Math.max(GiB, opts.size * 100);
  let expanded = 0;
  for await (const entry of extract) {
    const h = entry.header;
    expanded += h.size ?? 0;
    if (expanded > maxExpanded) {
      entry.resume();
      throw new LayerFormatError(`it expands to more than ${formatSize(maxExpanded)}, which no real layer does`);
    }
    const path = h.name ? normalizeEntryPath(h.name) : undefined;
    const kind = path ? trackedKind(path) : undefined;
    if (!path || (!kind && !posix.basename(path).startsWith(WHITEOUT_PREFIX))) {
      entry.resume();
      continue;
    }
    const base = posix.basename(path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
      if (base === OPAQUE_MARKER) {
        if (dir && touchesTracked(dir)) scan.opaque.push(dir);
      } else {
        const target = dir ? `${dir}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length);
        if (touchesTracked(target)) scan.deleted.push(target);
      }
      entry.resume();
      continue;
    }
    if (h.type === 'symlink' || h.type === 'link') {
      // A symlink target is relative to its directory; a hard link names a path from the root.
      const target = h.type === 'symlink' ? normalizeEntryPath(h.linkname?.startsWith('/') ? h.linkname : posix.join(posix.dirname(path), h.linkname ?? '')) : normalizeEntryPath(h.linkname ?? '');
      if (target) scan.files[path] = { type: 'link', target };
      entry.resume();
      continue;
    }
    if (h.type !== 'file' && h.type !== 'contiguous-file') {
      entry.resume();
      continue;
    }
    if (opts.mode === 'headers') {
      scan.files[path] = { type: 'present' };
      entry.resume();
      continue;
    }
    if (kind === 'rpm-unsupported') {
      scan.files[path] = { type: 'unsupported', what: path.endsWith('.db') ? 'ndb' : 'Berkeley DB' };
      entry.resume();
      continue;
    }
    const size = h.size ?? 0;
    if (size > FILE_CAPS[kind!]) {
      scan.files[path] = tooLarge(kind!, size);
      entry.resume();
      continue;
    }
    const body = Buffer.allocUnsafe(size);
    let at = 0;
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      chunk.copy(body, at);
      at += chunk.length;
    }
    scan.files[path] = await parseTracked(kind!, body.subarray(0, at));
  }
  return scan;
}
