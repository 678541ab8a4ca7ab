/**
 * The multi-platform fixture of the bench: idx/base:old, idx/base:new (8-platform indexes) and
 * idx/app:1 (8 app images on the old base), crafted through the API, and one index rebase of it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { RegistryClient } from '../../src/core/registry/client';
import { executeRebase, isIndexRebase, prepareAnyRebase, prepareRebase } from '../../src/core/rebase/rebase';
import { pushIndexPlan } from '../../src/core/rebase/push';
import { craftImage, entryFor, mountBlob, pushIndexOf, type PlatformFields, type RawImage, type RawLayer } from '../../test/harness/multiPlatform';
import { uploadBlob } from '../../test/harness/rawRegistry';

export const LAYER_BYTES = 256 * 1024;
export const INDEX_BASE_LAYERS = 5;
export const INDEX_APP_LAYERS = 10;

export const PLATFORMS: PlatformFields[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'arm', variant: 'v6' },
  { os: 'linux', architecture: '386' },
  { os: 'linux', architecture: 'ppc64le' },
  { os: 'linux', architecture: 's390x' },
  { os: 'linux', architecture: 'riscv64' },
];

/** A random gzip'd layer uploaded as is (nothing unpacks it here), with its real diff_id. */
async function randomLayer(host: string, repo: string, name: string): Promise<RawLayer> {
  const raw = randomBytes(LAYER_BYTES);
  const gz = gzipSync(raw, { level: 1 });
  const digest = await uploadBlob(host, repo, gz);
  return { descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: gz.length }, diffId: `sha256:${createHash('sha256').update(raw).digest('hex')}`, createdBy: `COPY ${name}`, foreign: false };
}

/**
 * idx/base:old and idx/base:new (8-platform indexes of `baseLayers` layers each) and idx/app:1 (8
 * app images of `appLayers` more layers on the old base). Crafted through the API: a benchmark of
 * manifests and mounts needs real blobs, not unpackable ones.
 */
export async function seedEightPlatforms(host: string, baseLayers = INDEX_BASE_LAYERS, appLayers = INDEX_APP_LAYERS): Promise<void> {
  const bases: Record<string, RawImage[]> = { old: [], new: [] };
  const apps: RawImage[] = [];
  await Promise.all(
    PLATFORMS.map(async (platform, i) => {
      const tag = `${platform.architecture}${platform.variant ?? ''}`;
      for (const kind of ['old', 'new'] as const) {
        const layers = await Promise.all(Array.from({ length: baseLayers }, (_, n) => randomLayer(host, 'idx/base', `${kind}-${tag}-${n}`)));
        bases[kind][i] = await craftImage({ host, repo: 'idx/base', tag: `${kind}-${tag}`, platform, layers, format: 'oci', config: { Cmd: ['/bin/sh'] } });
      }
      const old = bases.old[i];
      await Promise.all(old.layers.map((l) => mountBlob(host, 'idx/app', l.descriptor.digest, 'idx/base')));
      const own = await Promise.all(Array.from({ length: appLayers }, (_, n) => randomLayer(host, 'idx/app', `app-${tag}-${n}`)));
      apps[i] = await craftImage({ host, repo: 'idx/app', tag: `1-${tag}`, platform, layers: [...old.layers, ...own], format: 'oci', config: { Cmd: ['/app'] } });
    }),
  );
  await pushIndexOf(host, 'idx/base', 'old', bases.old.map((b) => entryFor(b)));
  await pushIndexOf(host, 'idx/base', 'new', bases.new.map((b) => entryFor(b)));
  await pushIndexOf(host, 'idx/app', '1', apps.map((a) => entryFor(a)));
}

/** The rebase request of idx/app:1 onto idx/base:new, into `targetRepo:tag`, all through `host`. */
export function indexRequest(host: string, targetRepo: string, tag = 'rebased', platform?: string) {
  return {
    source: `${host}/idx/app:1`,
    target: `${host}/${targetRepo}:${tag}`,
    newBase: `${host}/idx/base:new`,
    oldBase: `${host}/idx/base:old`,
    ...(platform ? { platform } : {}),
  };
}

/** Rebases idx/app:1 into a fresh repository: one platform (`--platform linux/amd64`) or all of them. */
export async function rebaseIndexOnce(host: string, all: boolean, run: string, childConcurrency?: number): Promise<{ ms: number; requests: number; moved: number }> {
  const client = new RegistryClient();
  const req = indexRequest(host, `idx/${all ? 'all' : 'one'}${run}`, 'rebased', all ? undefined : 'linux/amd64');
  const t0 = performance.now();
  const prepared = all ? await prepareAnyRebase(client, req) : await prepareRebase(client, req);
  if (childConcurrency !== undefined && isIndexRebase(prepared)) await pushIndexPlan(client, prepared.plan, { childConcurrency });
  else await executeRebase(client, prepared);
  return { ms: performance.now() - t0, requests: client.stats.total, moved: client.stats.layerBytesMoved };
}
