/**
 * Layers written entry by entry with tar-stream, for what umoci cannot make on request: binary
 * files (rpmdb.sqlite), symlinks, hard links, opaque directories, uncompressed and zstd layers.
 * Uploaded straight into the registry and assembled with craftImage.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { uploadBlob } from './rawRegistry';
import { craftImage, type PlatformFields, type RawImage, type RawLayer } from './multiPlatform';
import { run, makeTempDir, removeTempDir } from './tools';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type TarEntry =
  | { path: string; content: string | Buffer }
  | { path: string; symlink: string }
  | { path: string; hardlink: string }
  | { path: string; dir: true };

export type Compression = 'gzip' | 'none' | 'zstd';

const MEDIA: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  none: 'application/vnd.oci.image.layer.v1.tar',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  const mtime = new Date('2024-01-01T00:00:00Z');
  for (const e of entries) {
    if ('content' in e) p.entry({ name: e.path, mode: 0o644, mtime }, Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content));
    else if ('symlink' in e) p.entry({ name: e.path, type: 'symlink', linkname: e.symlink, mtime });
    else if ('hardlink' in e) p.entry({ name: e.path, type: 'link', linkname: e.hardlink, mtime });
    else p.entry({ name: e.path, type: 'directory', mode: 0o755, mtime });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function zstdOf(data: Buffer): Promise<Buffer> {
  const dir = makeTempDir('zstd');
  try {
    await writeFile(join(dir, 'layer.tar'), data);
    await run('zstd', ['-q', '-3', join(dir, 'layer.tar'), '-o', join(dir, 'layer.tar.zst')]);
    return await readFile(join(dir, 'layer.tar.zst'));
  } finally {
    await removeTempDir(dir);
  }
}

/** A layer of these entries, uploaded to `repo`. */
export async function uploadTarLayer(host: string, repo: string, entries: TarEntry[], compression: Compression = 'gzip', createdBy = 'crafted layer'): Promise<RawLayer> {
  const tar = await tarOf(entries);
  const blob = compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? await zstdOf(tar) : tar;
  const digest = await uploadBlob(host, repo, blob);
  return {
    descriptor: { mediaType: MEDIA[compression], digest, size: blob.length },
    diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}`,
    createdBy,
    foreign: false,
  };
}

const LINUX: PlatformFields = { os: 'linux', architecture: 'amd64' };

/** An OCI image of already uploaded layers (in `repo`), tagged `tag`. */
export function imageOfLayers(host: string, repo: string, tag: string, layers: RawLayer[]): Promise<RawImage> {
  return craftImage({ host, repo, tag, platform: LINUX, layers, format: 'oci', config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] } });
}
