import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateImagePackages, imagePackages } from '../../src/core/packages';
import type { BaseImage } from '../../src/core/packages';
import type { RegistryClient } from '../../src/core/registry/client';
import { tarOf, type TarEntry } from '../harness/tarLayers';
import { debianOsRelease, dpkgStatus } from '../harness/packageDbs';

const GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
const repo = { registry: 'registry.test', repository: 'deb/base' };

async function layer(entries: TarEntry[]): Promise<{ digest: string; size: number; data: Buffer }> {
  const data = gzipSync(await tarOf(entries));
  return { digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length, data };
}

/** A registry of these blobs only, counting GETs: enough for the engine's one request kind. */
function fakeClient(blobs: Array<{ digest: string; data: Buffer }>): { client: RegistryClient; gets: string[] } {
  const gets: string[] = [];
  const client = {
    getBlobStream: async (_repo: unknown, digest: string) => {
      gets.push(digest);
      const b = blobs.find((x) => x.digest === digest);
      if (!b) throw new Error(`no blob ${digest}`);
      return { stream: Readable.from([b.data]), size: b.data.length };
    },
  } as unknown as RegistryClient;
  return { client, gets };
}

describe('one image\'s packages', () => {
  test('stacks the layers (a later status replaces the first), reads the point release, caches each layer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pkg-image-'));
    try {
      const l1 = await layer([
        { path: 'etc/os-release', content: debianOsRelease('12', 'bookworm') },
        { path: 'etc/debian_version', content: '12.8\n' },
        { path: 'var/lib/dpkg/status', content: dpkgStatus([{ name: 'libc6', version: '2.36-9+deb12u9' }]) },
      ]);
      const l2 = await layer([{ path: 'var/lib/dpkg/status', content: dpkgStatus([{ name: 'libc6', version: '2.36-9+deb12u9' }, { name: 'curl', version: '7.88.1-10+deb12u5' }]) }]);
      const image: BaseImage = { reference: 'registry.test/deb/base:12.8', repo, os: 'linux', layers: [l1, l2].map(({ digest, size }) => ({ mediaType: GZ, digest, size })) };
      const { client, gets } = fakeClient([l1, l2]);

      const before = await estimateImagePackages(image, { cacheDir: dir });
      assert.deepEqual([before.downloads, before.cached, before.bytes], [2, 0, l1.size + l2.size]);
      const first = await imagePackages(client, image, { cacheDir: dir });
      assert.equal(first.os?.release, '12.8');
      assert.deepEqual(first.databases.map((d) => [d.format, d.path, d.packages.map((p) => `${p.name} ${p.version}`)]), [['dpkg', 'var/lib/dpkg/status', ['libc6 2.36-9+deb12u9', 'curl 7.88.1-10+deb12u5']]]);
      assert.deepEqual(first.notes, []);
      assert.deepEqual(first.download, { layers: 2, bytes: l1.size + l2.size, cachedLayers: 0 });
      assert.equal(gets.length, 2);

      assert.equal((await estimateImagePackages(image, { cacheDir: dir })).cached, 2);
      const second = await imagePackages(client, image, { cacheDir: dir });
      assert.equal(gets.length, 2, 'the second read takes both layers from the cache');
      assert.deepEqual(second.databases, first.databases);
      assert.deepEqual(second.download, { layers: 0, bytes: 0, cachedLayers: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an image without a database says so; Windows reads nothing and names its update level', async () => {
    const l = await layer([{ path: 'app/run.sh', content: 'echo\n' }]);
    const { client, gets } = fakeClient([l]);
    const bare = await imagePackages(client, { reference: 'r/x:1', repo, os: 'linux', layers: [{ mediaType: GZ, digest: l.digest, size: l.size }] });
    assert.deepEqual(bare.databases, []);
    assert.match(bare.notes.join(' '), /No package database/);
    const win = await imagePackages(client, { reference: 'r/w:1', repo, os: 'windows', osVersion: '10.0.17763.5329', layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: l.digest, size: l.size }] });
    assert.equal(win.os?.release, '10.0.17763.5329');
    assert.equal(gets.length, 1, 'no Windows layer was fetched');
  });
});
