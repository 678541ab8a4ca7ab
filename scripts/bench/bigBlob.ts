/**
 * A big layer written straight into a Distribution registry's filesystem storage, generated as a
 * stream: a valid gzip'd tar holding one file of random bytes, made in seconds with little memory.
 * The gzip uses stored (uncompressed) deflate blocks: random data would not shrink anyway, and
 * real deflate would cost a minute of CPU per GiB. Both digests are computed on the way.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { RawLayer } from '../../test/harness/multiPlatform';

const CHUNK = 1 << 20;
const STORED_MAX = 65535;

/** A ustar header for one regular file. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (off: number, len: number, value: string): void => void h.write(value, off, len, 'ascii');
  const octal = (off: number, len: number, n: number): void => field(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 1_500_000_000);
  field(148, 8, '        '); // checksum placeholder: spaces while summing
  field(156, 1, '0');
  field(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** `data` as deflate stored blocks (none final; see `finalBlock`). */
function storedBlocks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += STORED_MAX) {
    const part = data.subarray(off, off + STORED_MAX);
    const head = Buffer.alloc(5);
    head[0] = 0; // BFINAL=0, BTYPE=00 (stored)
    head.writeUInt16LE(part.length, 1);
    head.writeUInt16LE(~part.length & 0xffff, 3);
    parts.push(head, part);
  }
  return Buffer.concat(parts);
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const FINAL_BLOCK = Buffer.from([1, 0, 0, 0xff, 0xff]);

/** Blob paths of Distribution's filesystem driver (what its path mapper uses). */
function v2(storageDir: string): string {
  return join(storageDir, 'docker', 'registry', 'v2');
}

/**
 * Writes a layer of `fileBytes` random bytes (a multiple of 512) into the registry's blob store and
 * links it into `repo`, as if it had been pushed there. Returns its descriptor and diff_id.
 * `after`: small files that follow the big one in the archive (a reader must stream past it).
 */
export async function writeBigLayer(storageDir: string, repo: string, fileBytes: number, after: Array<{ name: string; data: Buffer }> = []): Promise<RawLayer> {
  if (fileBytes % 512 !== 0) throw new Error('writeBigLayer: fileBytes must be a multiple of 512');
  const tmp = join(v2(storageDir), `big-layer-${process.pid}.tmp`);
  await mkdir(v2(storageDir), { recursive: true });
  const fh = await open(tmp, 'w');
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(CHUNK);
  let crc = 0;
  let tarBytes = 0;
  let gzBytes = 0;
  const emit = async (buf: Buffer): Promise<void> => {
    gzHash.update(buf);
    gzBytes += buf.length;
    await fh.write(buf);
  };
  const tar = async (buf: Buffer): Promise<void> => {
    tarHash.update(buf);
    crc = crc32(buf, crc);
    tarBytes += buf.length;
    await emit(storedBlocks(buf));
  };
  try {
    await emit(GZIP_HEADER);
    await tar(tarHeader('big.bin', fileBytes));
    for (let left = fileBytes; left > 0; left -= CHUNK) await tar(cipher.update(zeros.subarray(0, Math.min(CHUNK, left))));
    for (const f of after) await tar(Buffer.concat([tarHeader(f.name, f.data.length), f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512)]));
    await tar(Buffer.alloc(1024)); // end-of-archive: two zero records
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(tarBytes % 2 ** 32, 4);
    await emit(Buffer.concat([FINAL_BLOCK, trailer]));
  } finally {
    await fh.close();
  }
  const hex = gzHash.digest('hex');
  const dir = join(v2(storageDir), 'blobs', 'sha256', hex.slice(0, 2), hex);
  await mkdir(dir, { recursive: true });
  await rename(tmp, join(dir, 'data'));
  const link = join(v2(storageDir), 'repositories', repo, '_layers', 'sha256', hex);
  await mkdir(link, { recursive: true });
  await writeFile(join(link, 'link'), `sha256:${hex}`);
  return {
    descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size: gzBytes },
    diffId: `sha256:${tarHash.digest('hex')}`,
    createdBy: `COPY big.bin /  # ${fileBytes} random bytes`,
    foreign: false,
  };
}
