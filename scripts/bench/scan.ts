/**
 * The fleet scan (`rebase-image scan`): 1,000 tags across 100 repositories on 3 bases × 3
 * versions, on a loopback registry and through a proxy adding 20 ms to every request. Bases are
 * pushed through the API; the 18 app images (9 base versions, annotated or not) are pushed once
 * and linked under every tag straight in the registry's storage, which serves them like pushed
 * ones: the scanner reads each repository's tags on their own (its cache is per repository).
 * The annotations name the registry by its loopback address, so through the proxy the annotated
 * bases are read once more under that name: a few more base requests, not more per tag.
 */
import { performance } from 'node:perf_hooks';
import { RegistryClient } from '../../src/core/registry/client';
import { scanImages, DEFAULT_SCAN_CONCURRENCY } from '../../src/core/fleet/scan';
import { ScanStatus } from '../../src/core/fleet/types';
import { inBatches, linkTag } from '../../test/harness/bulkStorage';
import { startLatencyProxy } from '../../test/harness/latencyProxy';
import { startRegistry } from '../../test/harness/registry';
import { ANN_DIGEST, ANN_NAME, craft, namedLayer, type Crafted } from '../../test/harness/scanFixtures';
import { median } from './format';

const REPOS = 100;
const TAGS_PER_REPO = 10;
const BASES = 3;
const VERSIONS = 3;
const RTT_MS = 20;
const RUNS = 3;

export interface ScanRun {
  wallMs: number;
  totalRequests: number;
  /** Requests to the base repositories: the fixed cost per base. */
  baseRequests: number;
  /** Catalog pages: a fixed cost per registry. */
  catalogRequests: number;
  /** App tag lists and manifests, per scanned tag. */
  perTag: number;
  statuses: Record<ScanStatus, number>;
}

export interface ScanBench {
  tags: number;
  repositories: number;
  seedMs: number;
  concurrency: number;
  loopback: ScanRun;
  remote: ScanRun;
}

export async function seedScanFleet(host: string, storageDir: string): Promise<void> {
  const variants: Crafted[] = [];
  for (let b = 0; b < BASES; b++) {
    const os = namedLayer(`bench os ${b}`);
    const versions: Crafted[] = [];
    for (let v = 1; v <= VERSIONS; v++) {
      versions.push(await craft(host, { repo: `bench-base/b${b}`, tag: `v${v}`, layers: [os, namedLayer(`bench base ${b} patch ${v}`)], created: `2024-0${v}-01T00:00:00Z` }));
    }
    // `stable` is the newest version: apps on v1 and v2 are outdated.
    await craft(host, { repo: `bench-base/b${b}`, tag: 'stable', layers: versions[VERSIONS - 1].layers, created: `2024-0${VERSIONS}-01T00:00:00Z` });
    for (const [v, base] of versions.entries()) {
      for (const annotated of [true, false]) {
        const annotations = annotated ? { [ANN_NAME]: `${host}/bench-base/b${b}:stable`, [ANN_DIGEST]: base.digest } : undefined;
        const layers = [...base.layers, namedLayer(`app on ${b}.${v} ${annotated}`, annotated ? 'oci' : 'docker')];
        variants.push(await craft(host, { repo: 'bench-seed/app', tag: `b${b}v${v}${annotated ? 'a' : ''}`, layers, format: annotated ? 'oci' : 'docker', annotations }));
      }
    }
  }
  const configs = new Map<string, string>();
  for (const v of variants) {
    const m = await (await fetch(`http://${host}/v2/bench-seed/app/manifests/${v.digest}`, { headers: { Accept: v.mediaType } })).json();
    configs.set(v.digest, (m as { config: { digest: string } }).config.digest);
  }
  const links = [];
  for (let r = 0; r < REPOS; r++) for (let t = 0; t < TAGS_PER_REPO; t++) links.push({ r, t, v: variants[(r * TAGS_PER_REPO + t) % variants.length] });
  await inBatches(links, 64, ({ r, t, v }) =>
    linkTag(storageDir, `bench-apps/app${String(r).padStart(3, '0')}`, `1.${t}`, v.digest, [configs.get(v.digest)!, ...v.layers.map((l) => l.descriptor.digest)]),
  );
}

async function scanOnce(host: string): Promise<ScanRun> {
  let baseRequests = 0;
  const client = new RegistryClient({ log: (line) => (baseRequests += /\/v2\/bench-base\//.test(line) ? 1 : 0) });
  const t0 = performance.now();
  const summary = await scanImages(client, { targets: [`${host}/bench-apps/`], bases: Array.from({ length: BASES }, (_, b) => `${host}/bench-base/b${b}:stable`) });
  const wallMs = performance.now() - t0;
  const catalogRequests = client.stats.byKind.get('catalog') ?? 0;
  const statuses = { 'up-to-date': 0, outdated: 0, 'unknown-base': 0, error: 0 } as Record<ScanStatus, number>;
  for (const r of summary.results) statuses[r.status]++;
  const total = client.stats.total;
  return { wallMs, totalRequests: total, baseRequests, catalogRequests, perTag: (total - baseRequests - catalogRequests) / (REPOS * TAGS_PER_REPO), statuses };
}

async function medianRun(host: string): Promise<ScanRun> {
  await scanOnce(host); // warm-up: connections, the registry's own caches
  const runs: ScanRun[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await scanOnce(host));
  const mid = median(runs.map((r) => r.wallMs));
  return runs.find((r) => r.wallMs === mid)!;
}

export async function scanBench(): Promise<ScanBench> {
  const reg = await startRegistry();
  try {
    const t0 = performance.now();
    await seedScanFleet(reg.host, reg.storageDir);
    const seedMs = performance.now() - t0;
    const loopback = await medianRun(reg.host);
    const proxy = await startLatencyProxy(reg.host, RTT_MS);
    let remote: ScanRun;
    try {
      remote = await medianRun(proxy.host);
    } finally {
      await proxy.stop();
    }
    return { tags: REPOS * TAGS_PER_REPO, repositories: REPOS, seedMs, concurrency: DEFAULT_SCAN_CONCURRENCY, loopback, remote };
  } finally {
    await reg.stop();
  }
}

export function printScanBench(b: ScanBench): void {
  const line = (label: string, r: ScanRun) =>
    `  ${label.padEnd(26)} ${r.wallMs.toFixed(0).padStart(5)} ms   ${r.totalRequests} requests: ${r.perTag.toFixed(3)} per tag + ${r.baseRequests} for the ${BASES} base repositories + ${r.catalogRequests} catalog`;
  console.log(`\nscan: ${b.tags} tags in ${b.repositories} repositories on ${BASES} bases × ${VERSIONS} versions (seeded in ${b.seedMs.toFixed(0)} ms), concurrency ${b.concurrency}, median of ${RUNS}`);
  console.log(line('loopback', b.loopback));
  console.log(line(`through a ${RTT_MS} ms proxy`, b.remote));
  console.log(`  statuses                   ${Object.entries(b.loopback.statuses).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`  goals: under 5 s (${b.loopback.wallMs < 5000 ? 'met' : 'MISSED'}); at most 1.1 requests per tag (${b.loopback.perTag <= 1.1 ? 'met' : 'MISSED'}); ` +
    `proxy under 3× loopback: ${(b.remote.wallMs / b.loopback.wallMs).toFixed(2)}× (${b.remote.wallMs < 3 * b.loopback.wallMs ? 'met' : 'MISSED'})`);
}
