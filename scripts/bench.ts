/**
 * `npm run bench`: what a rebase costs on a real local registry, request by request, beside what
 * copying the whole image would move. Figures, not pass/fail: goals are checked by reading them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startRegistry } from '../test/harness/registry';
import { buildImage, pushImage, OciLayoutImage } from '../test/harness/fixtures';
import { RegistryClient } from '../src/core/registry/client';
import { executeRebase, isIndexRebase, prepareAnyRebase, prepareRebase } from '../src/core/rebase/rebase';
import { pushIndexPlan } from '../src/core/rebase/push';
import { craftImage, entryFor, mountBlob, pushIndexOf, type PlatformFields, type RawImage, type RawLayer } from '../test/harness/multiPlatform';
import { uploadBlob } from '../test/harness/rawRegistry';
import { startLatencyProxy } from '../test/harness/latencyProxy';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

const LAYER_BYTES = 256 * 1024;

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

const PLATFORMS: PlatformFields[] = [
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

interface IndexRow {
  platforms: number;
  layersPerImage: number;
  wallMs: number[];
  requests: number;
  layerBytesMoved: number;
}

/**
 * idx/base:old and idx/base:new (8-platform indexes of `baseLayers` layers each) and idx/app:1 (8
 * app images of `appLayers` more layers on the old base). Crafted through the API: a benchmark of
 * manifests and mounts needs real blobs, not unpackable ones.
 */
async function seedEightPlatforms(host: string, baseLayers: number, appLayers: number): Promise<void> {
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

/** Rebases idx/app:1 into a fresh repository: one platform (`--platform linux/amd64`) or all of them. */
async function rebaseIndexOnce(host: string, all: boolean, run: string, childConcurrency?: number): Promise<{ ms: number; requests: number; moved: number }> {
  const client = new RegistryClient();
  const req = {
    source: `${host}/idx/app:1`,
    target: `${host}/idx/${all ? 'all' : 'one'}${run}:rebased`,
    newBase: `${host}/idx/base:new`,
    oldBase: `${host}/idx/base:old`,
    ...(all ? {} : { platform: 'linux/amd64' }),
  };
  const t0 = performance.now();
  const prepared = all ? await prepareAnyRebase(client, req) : await prepareRebase(client, req);
  if (childConcurrency !== undefined && isIndexRebase(prepared)) await pushIndexPlan(client, prepared.plan, { childConcurrency });
  else await executeRebase(client, prepared);
  return { ms: performance.now() - t0, requests: client.stats.total, moved: client.stats.layerBytesMoved };
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

const INDEX_BASE_LAYERS = 5;
const INDEX_APP_LAYERS = 10;
const REMOTE_RTT_MS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const reg = await startRegistry();
  try {
    const rows: Row[] = [];
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
    await seedEightPlatforms(reg.host, INDEX_BASE_LAYERS, INDEX_APP_LAYERS);
    const proxy = await startLatencyProxy(reg.host, REMOTE_RTT_MS);
    let indexRows;
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
    if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, index: indexRows }, null, 2));
  } finally {
    await reg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
