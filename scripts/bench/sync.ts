/**
 * Fleet sync (`rebase-image sync --tag-suffix`): 100 outdated images, each in its own repository,
 * rebased onto the current image of their base tag. The goal: under 15 s, zero layer bytes moved
 * (base layers are mounted, app layers are already there) and requests within 10 % of 100 × the
 * single-image minimum, measured the same way: a sync whose target is one such image.
 * The app images are pushed once and linked under every repository straight in the registry's
 * storage (as the scan bench does), which serves them like pushed ones.
 */
import { performance } from 'node:perf_hooks';
import { RegistryClient } from '../../src/core/registry/client';
import { syncImages } from '../../src/core/fleet/sync';
import { inBatches, linkTag } from '../../test/harness/bulkStorage';
import { startRegistry } from '../../test/harness/registry';
import { ANN_DIGEST, ANN_NAME, craft, namedLayer } from '../../test/harness/scanFixtures';

const IMAGES = 100;

export interface SyncRun {
  wallMs: number;
  requests: number;
  layerBytesMoved: number;
  rebased: number;
  failed: number;
}

export interface SyncBench {
  images: number;
  one: SyncRun;
  all: SyncRun;
}

async function seed(host: string, storageDir: string): Promise<void> {
  const os = namedLayer('sync bench os');
  const v1 = await craft(host, { repo: 'sync-base/deb', tag: 'stable', layers: [os, namedLayer('sync bench patch 1')] });
  const app = await craft(host, {
    repo: 'sync-seed/app',
    tag: '1',
    format: 'oci',
    layers: [...v1.layers, namedLayer('sync bench app', 'oci')],
    annotations: { [ANN_NAME]: `${host}/sync-base/deb:stable`, [ANN_DIGEST]: v1.digest },
  });
  // The base tag moves on: every app is now outdated.
  await craft(host, { repo: 'sync-base/deb', tag: 'stable', layers: [os, namedLayer('sync bench patch 2')], created: '2024-02-01T00:00:00Z' });
  const m = (await (await fetch(`http://${host}/v2/sync-seed/app/manifests/${app.digest}`, { headers: { Accept: app.mediaType } })).json()) as { config: { digest: string } };
  const blobs = [m.config.digest, ...app.layers.map((l) => l.descriptor.digest)];
  const repos = ['sync-one/app', ...Array.from({ length: IMAGES }, (_, i) => `sync-apps/app${String(i).padStart(3, '0')}`)];
  await inBatches(repos, 32, (repo) => linkTag(storageDir, repo, '1', app.digest, blobs));
}

async function run(target: string): Promise<SyncRun> {
  const client = new RegistryClient();
  const t0 = performance.now();
  const s = await syncImages(client, { targets: [target], mode: { suffix: '-synced' } });
  const wallMs = performance.now() - t0;
  const n = (status: string) => s.entries.filter((e) => e.status === status).length;
  return { wallMs, requests: client.stats.total, layerBytesMoved: client.stats.layerBytesMoved, rebased: n('rebased'), failed: n('failed') };
}

export async function syncBench(): Promise<SyncBench> {
  const reg = await startRegistry();
  try {
    await seed(reg.host, reg.storageDir);
    const one = await run(`${reg.host}/sync-one/`);
    const all = await run(`${reg.host}/sync-apps/`);
    return { images: IMAGES, one, all };
  } finally {
    await reg.stop();
  }
}

export function printSyncBench(b: SyncBench): void {
  const budget = b.images * b.one.requests;
  console.log(`\nsync: ${b.images} outdated images (one per repository) --tag-suffix, loopback registry`);
  console.log(`  one image        ${b.one.wallMs.toFixed(0).padStart(5)} ms   ${b.one.requests} requests   layer bytes moved ${b.one.layerBytesMoved}   rebased ${b.one.rebased}`);
  console.log(`  ${b.images} images       ${b.all.wallMs.toFixed(0).padStart(5)} ms   ${b.all.requests} requests   layer bytes moved ${b.all.layerBytesMoved}   rebased ${b.all.rebased}, failed ${b.all.failed}`);
  console.log(
    `  goals: under 15 s (${b.all.wallMs < 15000 ? 'met' : 'MISSED'}); zero layer bytes moved (${b.all.layerBytesMoved === 0 ? 'met' : 'MISSED'}); ` +
      `requests ${b.all.requests} vs ${b.images} × ${b.one.requests} = ${budget}: ${((b.all.requests / budget) * 100).toFixed(1)} % (${b.all.requests <= budget * 1.1 ? 'met' : 'MISSED'}, within 110 %)`,
  );
}

if (process.argv[1]?.endsWith('sync.ts')) {
  syncBench().then(printSyncBench, (e) => {
    console.error(e);
    process.exit(1);
  });
}
