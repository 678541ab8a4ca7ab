/**
 * A cross-registry rebase of an image with one 1 GiB layer, run by the built CLI in a child
 * process, next to `skopeo copy` of the same image: the layer must stream from one registry to
 * another, and what that costs in time and memory is the figure. Each side gets a fresh target
 * registry (a layer already there would be skipped).
 */
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../test/harness/registry';
import { craftImage, mountBlob, uploadedLayer, type PlatformFields } from '../../test/harness/multiPlatform';
import { makeTempDir, removeTempDir, run } from '../../test/harness/tools';
import { writeBigLayer } from './bigBlob';
import { measureChild, type ChildCost } from './childRss';
import { readTag, blobSize } from './registryRead';

export const BIG_LAYER_BYTES = 1 << 30;
/** The goal for the CLI's peak RSS during the copy. */
export const RSS_GOAL = 80 * 1024 * 1024;

export interface CopySide {
  tool: string;
  command: string;
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuMs?: number;
  peakRss: number;
  rssHow: string;
  /** MiB/s of layer data. */
  throughput: number;
}

export interface BigLayerResult {
  layerBytes: number;
  seedMs: number;
  /** `node -e 0`, and the CLI loaded but idle (`--version`): what any copy starts from. */
  nodeIdleRss: number;
  cliIdleRss: number;
  ours: CopySide;
  skopeo: CopySide;
  skipped?: string;
}

const PLATFORM: PlatformFields = { os: 'linux', architecture: 'amd64' };

/** big/base:old, big/base:new (one small layer each) and big/app:1 = old base + the big layer. */
async function seed(src: TestRegistry, bytes: number): Promise<void> {
  const config = { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] };
  const [oldLayer, newLayer] = await Promise.all([uploadedLayer(src.host, 'big/base', 'old', 'oci'), uploadedLayer(src.host, 'big/base', 'new', 'oci')]);
  await craftImage({ host: src.host, repo: 'big/base', tag: 'old', platform: PLATFORM, layers: [oldLayer], format: 'oci', config });
  await craftImage({ host: src.host, repo: 'big/base', tag: 'new', platform: PLATFORM, layers: [newLayer], format: 'oci', config });
  await mountBlob(src.host, 'big/app', oldLayer.descriptor.digest, 'big/base');
  const big = await writeBigLayer(src.storageDir, 'big/app', bytes);
  await craftImage({ host: src.host, repo: 'big/app', tag: '1', platform: PLATFORM, layers: [oldLayer, big], format: 'oci', config: { ...config, Cmd: ['/app'] } });
}

function side(tool: string, command: string, cost: ChildCost, ok: boolean, bytes: number, error?: string): CopySide {
  return { tool, command, ok, error, wallMs: cost.wallMs, cpuMs: cost.cpuMs, peakRss: cost.peakRss, rssHow: cost.how, throughput: bytes / 1024 / 1024 / (cost.wallMs / 1000) };
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop() ?? '';
}

export async function bigLayerBench(root: string, bytes = BIG_LAYER_BYTES): Promise<BigLayerResult> {
  const tmp = makeTempDir('bench-time');
  const free = await statfs(tmp).then((s) => s.bavail * s.bsize);
  const empty: CopySide = { tool: '', command: '', ok: false, wallMs: 0, peakRss: 0, rssHow: '', throughput: 0 };
  if (free < bytes * 3.5) {
    await removeTempDir(tmp);
    return { layerBytes: bytes, seedMs: 0, nodeIdleRss: 0, cliIdleRss: 0, ours: empty, skopeo: empty, skipped: `only ${(free / 2 ** 30).toFixed(1)} GiB free in ${tmp}; three copies of the layer need ${((bytes * 3.5) / 2 ** 30).toFixed(1)}` };
  }
  const registries: TestRegistry[] = [];
  try {
    await run('node', ['scripts/build.mjs'], { cwd: root });
    const cli = join(root, 'bin', 'rebase-image.js');
    const nodeIdle = await measureChild('node', ['-e', '0'], { tmpDir: tmp, timeoutMs: 30_000 });
    const idle = await measureChild('node', [cli, '--version'], { cwd: root, tmpDir: tmp, timeoutMs: 30_000 });
    for (let i = 0; i < 3; i++) registries.push(await startRegistry());
    const [src, dstOurs, dstSkopeo] = registries;
    const t0 = performance.now();
    await seed(src, bytes);
    const seedMs = performance.now() - t0;
    const big = (await readTag(src.host, 'big/app', '1'))!;

    // Each copy starts with no dirty pages left to write back from the step before it.
    await run('sync', []);
    const args = [cli, `${src.host}/big/app:1`, '-t', `${dstOurs.host}/big/app:rebased`, '-b', `${src.host}/big/base:new`, '-s', `${src.host}/big/base:old`];
    const ours = await measureChild('node', args, { cwd: root, tmpDir: tmp, timeoutMs: 300_000 });
    const pushed = /@(sha256:[0-9a-f]{64})\s*$/.exec(ours.stdout)?.[1];
    const held = await readTag(dstOurs.host, 'big/app', 'rebased');
    const oursOk = ours.code === 0 && pushed !== undefined && held?.digest === pushed && (await blobSize(dstOurs.host, 'big/app', big.json.layers[1].digest)) === big.json.layers[1].size;
    const command = `node bin/rebase-image.js SRC/big/app:1 -t DST/big/app:rebased -b SRC/big/base:new -s SRC/big/base:old`;

    await run('sync', []);
    const sargs = ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${src.host}/big/app:1`, `docker://${dstSkopeo.host}/big/app:1`];
    const sk = await measureChild('skopeo', sargs, { tmpDir: tmp, timeoutMs: 300_000 });
    const skHeld = await readTag(dstSkopeo.host, 'big/app', '1');
    const skOk = sk.code === 0 && skHeld?.digest === big.digest;
    return {
      layerBytes: bytes,
      seedMs,
      nodeIdleRss: nodeIdle.peakRss,
      cliIdleRss: idle.peakRss,
      ours: side('rebase-image', command, ours, oursOk, bytes, oursOk ? undefined : lastLine(ours.stderr) || `exit ${ours.code}`),
      skopeo: side('skopeo copy', 'skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false docker://SRC/big/app:1 docker://DST/big/app:1', sk, skOk, bytes, skOk ? undefined : lastLine(sk.stderr) || `exit ${sk.code}`),
    };
  } finally {
    // The registries' storage (three copies of the layer) goes with them.
    await Promise.all(registries.map((r) => r.stop()));
    await removeTempDir(tmp);
  }
}
