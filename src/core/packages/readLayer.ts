/**
 * Reads one layer as it streams in, once: gzip (node:zlib) or plain tar, told apart by their
 * first bytes, parsed by tar-stream, keeping only the tracked files (each bounded) and the
 * whiteouts that can hide them. Nothing else of the layer is held: bodies of other entries are
 * drained as they pass.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { LayerScan, ScanMode, emptyScan } from './layerScan';
import { FILE_CAPS, formatSize, parseTracked, tooLarge } from './parseTracked';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, normalizeEntryPath, touchesTracked, trackedKind } from './paths';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** zstd layers are said to be unread: Node 20 has no stable zstd API, and a native module would not run everywhere VS Code does. */
export const ZSTD_NOTE = 'not read (zstd): Node.js 20 has no zstd decompressor';
const GiB = 1024 ** 3;

export interface ReadLayerOptions {
  mode: ScanMode;
  /** Compressed size, to bound how far the layer may expand (a decompression bomb). */
  size: number;
  /** Told every compressed chunk's size, for progress. */
  onBytes?: (n: number) => void;
  /** Decompressed bytes past which a gzip layer is taken for a bomb (default: see below). */
  expansionLimit?: number;
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
    if (startsWith(head, ZSTD_MAGIC)) return emptyScan([ZSTD_NOTE]);
    const gzip = startsWith(head, GZIP_MAGIC);
    const extract = tarExtract();
    const fail = (e: unknown): void => void extract.destroy(e as Error);
    source.on('error', fail);
    // Only now: a 'data' listener would have set the stream flowing before the peek.
    if (opts.onBytes) source.on('data', (c: Buffer) => opts.onBytes!(c.length));
    if (gzip) {
      const gunzip = createGunzip();
      gunzip.on('error', (e) => fail(e instanceof LayerFormatError ? e : new LayerFormatError(`it is not valid gzip (${e.message})`)));
      // Real layers expand a few times, text-heavy ones perhaps 20 times; far beyond is a bomb,
      // which would otherwise keep the CPU busy for as long as it expands.
      const limit = opts.expansionLimit ?? Math.max(GiB, opts.size * 100);
      let expanded = 0;
      gunzip.on('data', (c: Buffer) => {
        expanded += c.length;
        if (expanded > limit) gunzip.destroy(new LayerFormatError(`it expands to more than ${formatSize(limit)}, which no real layer does`));
      });
      source.pipe(gunzip).pipe(extract);
    } else {
      source.pipe(extract);
    }
    return await scanEntries(extract, opts.mode);
  } catch (e) {
    if (sourceError) throw sourceError;
    if (e instanceof LayerFormatError) throw e;
    throw new LayerFormatError(`it is not a readable tar archive (${(e as Error).message})`);
  } finally {
    source.destroy();
  }
}

type Extract = ReturnType<typeof tarExtract>;
type Entry = Extract extends AsyncIterable<infer E> ? E : never;

async function scanEntries(extract: Extract, mode: ScanMode): Promise<LayerScan> {
  const scan = emptyScan();
  for await (const entry of extract) {
    await record(entry, scan, mode);
    // Whatever was not read is drained: the next entry only comes once this one is consumed.
    entry.resume();
  }
  return scan;
}

/** What one entry means for the scan; its body is read only for a tracked file to parse. */
async function record(entry: Entry, scan: LayerScan, mode: ScanMode): Promise<void> {
  const h = entry.header;
  const path = h.name ? normalizeEntryPath(h.name) : undefined;
  if (!path) return;
  const base = posix.basename(path);
  if (base.startsWith(WHITEOUT_PREFIX)) return recordWhiteout(scan, path, base);
  const kind = trackedKind(path);
  if (!kind) return;
  if (h.type === 'symlink' || h.type === 'link') {
    // A symlink target is relative to its directory; a hard link names a path from the root.
    const link = h.linkname ?? '';
    const target = normalizeEntryPath(h.type === 'symlink' && !link.startsWith('/') ? posix.join(posix.dirname(path), link) : link);
    if (target) scan.files[path] = { type: 'link', target };
    return;
  }
  if (h.type !== 'file' && h.type !== 'contiguous-file') return;
  if (mode === 'headers') {
    scan.files[path] = { type: 'present' };
  } else if (kind === 'rpm-unsupported') {
    scan.files[path] = { type: 'unsupported', what: path.endsWith('.db') ? 'ndb' : 'Berkeley DB' };
  } else if ((h.size ?? 0) > FILE_CAPS[kind]) {
    scan.files[path] = tooLarge(kind, h.size ?? 0);
  } else {
    scan.files[path] = await parseTracked(kind, await readBody(entry, h.size ?? 0));
  }
}

function recordWhiteout(scan: LayerScan, path: string, base: string): void {
  const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
  if (base === OPAQUE_MARKER) {
    if (dir && touchesTracked(dir)) scan.opaque.push(dir);
    return;
  }
  const name = base.slice(WHITEOUT_PREFIX.length);
  const target = dir ? `${dir}/${name}` : name;
  if (touchesTracked(target)) scan.deleted.push(target);
}

/** The body of an entry whose size the header gave (and the cap bounded). */
async function readBody(entry: Entry, size: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    chunk.copy(body, at);
    at += chunk.length;
  }
  return body.subarray(0, at);
}
