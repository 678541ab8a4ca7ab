// Fixtures of the VS Code benchmarks: one registry with 5,000 repositories (bulk/r0000…) and one
// repository (tags/many) with 10,000 tags, all real entries the registry serves; and, for the
// Rebase Image benchmark, the standard base:1, base:2 and app:1 behind a proxy that holds every
// request 1.5 s, like a registry far away.
import { startRegistry } from '../../harness/registry';
import { buildImage, pushImage, seedStandardImages } from '../../harness/fixtures';
import { startLatencyProxy } from '../../harness/latencyProxy';
import { fetchManifest } from '../../harness/rawRegistry';
import { inBatches, linkTag } from '../../harness/bulkStorage';

export const REPOSITORIES = 5000;
export const TAGS = 10000;
const FAR_REGISTRY_DELAY_MS = 1500;

export async function setup() {
  const reg = await startRegistry();
  const img = await buildImage({ layers: [{ files: { '/hello': 'hi\n' }, createdBy: 'ADD hello /' }] });
  await pushImage(img, `${reg.host}/seed/image:1`);
  await img.cleanup();
  const m = await fetchManifest(reg.host, 'seed/image', '1');
  const blobs = [m.json.config.digest, ...m.json.layers.map((l) => l.digest)];
  const repos = Array.from({ length: REPOSITORIES }, (_, i) => `bulk/r${String(i).padStart(4, '0')}`);
  await inBatches(repos, 200, (r) => linkTag(reg.storageDir, r, '1', m.digest, blobs));
  const tags = Array.from({ length: TAGS }, (_, i) => `t${String(i).padStart(5, '0')}`);
  await inBatches(tags, 200, (t) => linkTag(reg.storageDir, 'tags/many', t, m.digest, blobs));
  const standard = await seedStandardImages(reg.host);
  const far = await startLatencyProxy(reg.host, FAR_REGISTRY_DELAY_MS);
  return {
    env: { IMAGE_REBASE_BENCH_REGISTRY: reg.host, IMAGE_REBASE_BENCH_FAR_REGISTRY: far.host, IMAGE_REBASE_BENCH_FAR_DELAY_MS: String(FAR_REGISTRY_DELAY_MS) },
    settings: { 'imageRebase.registries': [reg.host], 'imageRebase.pageSize': 100 },
    async teardown() {
      await far.stop();
      await standard.cleanup();
      await reg.stop();
    },
  };
}
