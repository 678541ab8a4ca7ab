/**
 * `npm run bench`: what a rebase costs on a real local registry, request by request, beside what
 * copying the whole image would move; then the network sections (scripts/bench/): the 8-platform
 * index rebase through a proxy that faults 5 % of requests, and a cross-registry copy of a 1 GiB
 * layer by the built CLI next to skopeo (results also in test-artifacts/bench-network.json).
 * Last, the OS package comparison of two bases over 100 MB each (scripts/bench/packageDiff.ts).
 * Figures, not pass/fail: goals are checked by reading them. `--network` runs only the network part,
 * `--packages` only the package comparison, `--scan` only the fleet scan (scripts/bench/scan.ts).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRegistry } from '../test/harness/registry';
import { buildImage, pushImage, OciLayoutImage } from '../test/harness/fixtures';
import { RegistryClient } from '../src/core/registry/client';
import { executeRebase, prepareRebase } from '../src/core/rebase/rebase';
import { startLatencyProxy } from '../test/harness/latencyProxy';
import { INDEX_APP_LAYERS, INDEX_BASE_LAYERS, LAYER_BYTES, PLATFORMS, rebaseIndexOnce, seedEightPlatforms } from './bench/indexRebase';
import { faultBench, type FaultBench } from './bench/faults';
import { bigLayerBench, type BigLayerResult } from './bench/bigLayer';
import { printBigLayer, printFaultBench, sourceState, writeNetworkJson } from './bench/networkReport';
import { kib, median } from './bench/format';
import { packageDiffBench, printPackageDiff, type PackageDiffBench } from './bench/packageDiff';
import { printScanBench, scanBench, type ScanBench } from './bench/scan';
import { printSyncBench, syncBench, type SyncBench } from './bench/sync';

const ROOT = resolve(__dirname, '..');
const NETWORK_JSON = join(ROOT, 'test-artifacts', 'bench-network.json');
/** `--network`: only the network sections (faults, 1 GiB copy). */
const NETWORK_ONLY = process.argv.includes('--network');
/** `--packages`: only the package comparison. */
const PACKAGES_ONLY = process.argv.includes('--packages');
/** `--scan`: only the fleet scan of 1,000 tags. */
const SCAN_ONLY = process.argv.includes('--scan');

function layer(name: string): Record<string, string> {
  // Random content so gzip cannot shrink layers to nothing: byte counts stay meaningful.
  return { [`/${name}.bin`]: randomBytes(LAYER_BYTES / 2).toString('hex') };
}

async function buildStack(prefix: string, count: number, base?: OciLayoutImage): Promise<OciLayoutImage> {
  return buildImage({ base, layers: Array.from({ length: count }, (_, i) => ({ files: layer(`${prefix}${i}`), createdBy: `COPY ${prefix}${i}` })) });
}

interface Row {
  scenario: string;
  layers: number;
  wallMs: number;
  requests: Record<string, number>;
  totalRequests: number;
  bytesSent: number;
  bytesReceived: number;
  layerBytesMoved: number;
  fullCopyBytes: number;
}

async function scenario(name: string, host: string, baseLayers: number, appLayers: number, targetRepo: string): Promise<Row> {
  const [oldBase, newBase] = await Promise.all([buildStack(`${name}-old`, baseLayers), buildStack(`${name}-new`, baseLayers)]);
  const app = await buildStack(`${name}-app`, appLayers, oldBase);
  await Promise.all([pushImage(oldBase, `${host}/${name}/base:old`), pushImage(newBase, `${host}/${name}/base:new`)]);
  await pushImage(app, `${host}/${name}/app:1`);

  const client = new RegistryClient();
  const t0 = performance.now();
  const prepared = await prepareRebase(client, {
    source: `${host}/${name}/app:1`,
    target: `${host}/${targetRepo}:rebased`,
    newBase: `${host}/${name}/base:new`,
    oldBase: `${host}/${name}/base:old`,
  });
  await executeRebase(client, prepared);
  const wallMs = performance.now() - t0;

  const plan = prepared.plan;
  const imageBytes = plan.newManifest.layers.reduce((n, l) => n + l.size, 0) + plan.newConfigBytes.length + plan.newManifestBytes.length;
  const stats = client.stats.toJSON() as { requests: Record<string, number>; totalRequests: number };
  await Promise.all([oldBase.cleanup(), newBase.cleanup(), app.cleanup()]);
  return {
    scenario: `${name} → ${targetRepo === `${name}/app` ? 'same repository' : 'other repository'}`,
    layers: plan.newManifest.layers.length,
    wallMs,
    requests: stats.requests,
    totalRequests: stats.totalRequests,
    bytesSent: client.stats.bytesSent,
    bytesReceived: client.stats.bytesReceived,
    layerBytesMoved: client.stats.layerBytesMoved,
    // A pull-and-push copy moves every byte down and up again.
    fullCopyBytes: imageBytes * 2,
  };
}

// ---- multi-platform: one platform of an index vs all eight ---------------------------------------

interface IndexRow {
  platforms: number;
  layersPerImage: number;
  wallMs: number[];
  requests: number;
  layerBytesMoved: number;
}

async function indexScenario(hosts: Array<{ label: string; host: string }>, runs = 5): Promise<Array<{ label: string; one: IndexRow; all: IndexRow; serial: IndexRow }>> {
  const out = [];
  for (const { label, host } of hosts) {
    const row = (platforms: number): IndexRow => ({ platforms, layersPerImage: INDEX_BASE_LAYERS + INDEX_APP_LAYERS, wallMs: [], requests: 0, layerBytesMoved: 0 });
    const rows = [row(1), row(PLATFORMS.length), row(PLATFORMS.length)];
    // A warm-up of each, then alternate so that neither side gets a warmer registry.
    await rebaseIndexOnce(host, false, `${label}w`);
    await rebaseIndexOnce(host, true, `${label}w`);
    for (let run = 1; run <= runs; run++) {
      for (const [i, all, one] of [[0, false, undefined], [1, true, undefined], [2, true, 1]] as const) {
        const r = await rebaseIndexOnce(host, all, `${label}${run}${i}`, one);
        rows[i].wallMs.push(r.ms);
        rows[i].requests = r.requests;
        rows[i].layerBytesMoved = r.moved;
      }
    }
    out.push({ label, one: rows[0], all: rows[1], serial: rows[2] });
  }
  return out;
}

const REMOTE_RTT_MS = 20;

async function main(): Promise<void> {
  if (PACKAGES_ONLY) {
    const packages = await packageDiffBench(ROOT);
    printPackageDiff(packages);
    if (process.argv.includes('--json')) console.log(JSON.stringify({ packages }, null, 2));
    return;
  }
  if (SCAN_ONLY) {
    const scan = await scanBench();
    printScanBench(scan);
    if (process.argv.includes('--json')) console.log(JSON.stringify({ scan }, null, 2));
    return;
  }
  if (process.argv.includes('--sync')) {
    const sync = await syncBench();
    printSyncBench(sync);
    if (process.argv.includes('--json')) console.log(JSON.stringify({ sync }, null, 2));
    return;
  }
  const reg = await startRegistry();
  const rows: Row[] = [];
  let indexRows;
  let faults: FaultBench | undefined;
  let bigLayer: BigLayerResult | undefined;
  try {
    if (!NETWORK_ONLY) {
      rows.push(await scenario('small', reg.host, 1, 2, 'small/app'));
      rows.push(await scenario('small2', reg.host, 1, 2, 'small2/elsewhere'));
      rows.push(await scenario('large', reg.host, 20, 40, 'large/app'));
      rows.push(await scenario('large2', reg.host, 20, 40, 'large2/elsewhere'));
      for (const r of rows) {
        console.log(`\n${r.scenario}: ${r.layers} layers after rebase`);
        console.log(`  wall time        ${r.wallMs.toFixed(0)} ms`);
        console.log(`  requests         ${r.totalRequests}  ${Object.entries(r.requests).map(([k, v]) => `${k}=${v}`).join(' ')}`);
        console.log(`  bytes sent       ${kib(r.bytesSent)}`);
        console.log(`  bytes received   ${kib(r.bytesReceived)}`);
        console.log(`  layer bytes moved ${kib(r.layerBytesMoved)}   (a full copy would move ${kib(r.fullCopyBytes)})`);
      }
    }
    await seedEightPlatforms(reg.host, INDEX_BASE_LAYERS, INDEX_APP_LAYERS);
    if (!NETWORK_ONLY) {
      const proxy = await startLatencyProxy(reg.host, REMOTE_RTT_MS);
      try {
        indexRows = await indexScenario([
          { label: 'local', host: reg.host },
          { label: 'remote', host: proxy.host },
        ]);
      } finally {
        await proxy.stop();
      }
      for (const { label, one, all, serial } of indexRows) {
        const where = label === 'local' ? 'local registry, no network' : `the same registry ${REMOTE_RTT_MS} ms away (every request delayed, as across a network)`;
        console.log(`\nmulti-platform index, ${all.platforms} platforms of ${all.layersPerImage} layers → other repository; ${where}; median of ${one.wallMs.length}`);
        console.log(`  one platform (--platform)  ${median(one.wallMs).toFixed(0).padStart(5)} ms   ${one.requests} requests   layer bytes moved ${kib(one.layerBytesMoved)}`);
        console.log(`  all ${all.platforms} platforms          ${median(all.wallMs).toFixed(0).padStart(5)} ms   ${all.requests} requests   layer bytes moved ${kib(all.layerBytesMoved)}`);
        console.log(`  ratio                      ${(median(all.wallMs) / median(one.wallMs)).toFixed(2)}×  (goal: under 2×, platforms pushed concurrently)`);
        console.log(`  (all ${all.platforms}, pushed one at a time: ${median(serial.wallMs).toFixed(0)} ms, ${(median(serial.wallMs) / median(one.wallMs)).toFixed(2)}×)`);
      }
    }
    faults = await faultBench(reg.host);
    printFaultBench(faults);
  } finally {
    await reg.stop();
  }
  let scan: ScanBench | undefined;
  if (!NETWORK_ONLY) {
    scan = await scanBench();
    printScanBench(scan);
  }
  let sync: SyncBench | undefined;
  if (!NETWORK_ONLY) {
    sync = await syncBench();
    printSyncBench(sync);
  }
  // Alone, after the registry above is gone: it measures memory and throughput.
  bigLayer = await bigLayerBench(ROOT);
  printBigLayer(bigLayer);
  let packages: PackageDiffBench | undefined;
  if (!NETWORK_ONLY) {
    packages = await packageDiffBench(ROOT);
    printPackageDiff(packages);
  }
  const source = await sourceState(ROOT);
  await writeNetworkJson(NETWORK_JSON, source, faults, bigLayer);
  const dirty = source.uncommittedSrc.length ? ` + uncommitted changes to ${source.uncommittedSrc.join(', ')}` : '';
  console.log(`\n(network results for src at ${source.commit}${dirty} written to ${NETWORK_JSON})`);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, index: indexRows, scan, sync, network: { faults, bigLayer }, packages }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
