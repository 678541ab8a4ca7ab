/**
 * `npm run bench`: what a rebase costs on a real local registry, request by request, beside what
 * copying the whole image would move. Figures, not pass/fail: goals are checked by reading them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startRegistry } from '../test/harness/registry';
import { buildImage, pushImage, OciLayoutImage } from '../test/harness/fixtures';
import { RegistryClient } from '../src/core/registry/client';
import { executeRebase, prepareRebase } from '../src/core/rebase/rebase';

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
    if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  } finally {
    await reg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
