/**
 * The package comparison of two bases whose layers total over 100 MB each, by the built CLI in a
 * child process (`rebase-image packages OLD NEW`): wall time, bytes downloaded (each distinct base
 * layer once; the layer both bases share is read once), peak RSS, then the same comparison again,
 * served from the layer cache. The databases sit at the end of big layers, after the filler, so
 * the reader must stream through everything.
 */
import { join } from 'node:path';
import { startRegistry } from '../../test/harness/registry';
import { craftImage, type PlatformFields, type RawLayer } from '../../test/harness/multiPlatform';
import { debianOsRelease, dpkgStatus, type Pkg } from '../../test/harness/packageDbs';
import { makeTempDir, removeTempDir, run } from '../../test/harness/tools';
import { writeBigLayer } from './bigBlob';
import { measureChild } from './childRss';

const MiB = 1024 * 1024;
/** The goal for the CLI's peak RSS while it compares. */
export const PACKAGE_RSS_GOAL = 100 * MiB;
const SHARED_BYTES = 64 * MiB;
const OWN_BYTES = 40 * MiB;
const PACKAGES = 400;

export interface PackageDiffRun {
  wallMs: number;
  peakRss: number;
  rssHow: string;
  /** Compressed layer bytes the CLI downloaded, and GETs of layer blobs in its -v log. */
  bytesDownloaded: number;
  layerGets: number;
  cachedLayers: number;
  ok: boolean;
  error?: string;
}

export interface PackageDiffBench {
  oldBaseBytes: number;
  newBaseBytes: number;
  /** Distinct layer bytes of both bases: what a first run must download. */
  distinctBytes: number;
  distinctLayers: number;
  seedMs: number;
  summary: string;
  first: PackageDiffRun;
  cached: PackageDiffRun;
}

/** A Debian-sized package set; the new one upgrades every tenth package, adds two and drops one. */
function packageSets(): { old: Pkg[]; new: Pkg[] } {
  const old: Pkg[] = [];
  const next: Pkg[] = [];
  for (let i = 0; i < PACKAGES; i++) {
    const name = `lib${i.toString(36)}pkg${i % 7}`;
    old.push({ name, version: `1.${i}.0-1+deb12u1` });
    if (i === 5) continue;
    next.push({ name, version: i % 10 === 0 ? `1.${i}.0-1+deb12u3` : `1.${i}.0-1+deb12u1` });
  }
  next.push({ name: 'libnew1', version: '2.0-1' }, { name: 'libnew2', version: '3.1-2' });
  return { old, new: next };
}

const PLATFORM: PlatformFields = { os: 'linux', architecture: 'amd64' };

export async function packageDiffBench(root: string): Promise<PackageDiffBench> {
  const reg = await startRegistry();
  const tmp = makeTempDir('bench-pkg');
  try {
    await run('node', ['scripts/build.mjs'], { cwd: root });
    const t0 = performance.now();
    const sets = packageSets();
    const dbFiles = (point: string, pkgs: Pkg[]) => [
      { name: 'etc/os-release', data: Buffer.from(debianOsRelease('12', 'bookworm')) },
      { name: 'etc/debian_version', data: Buffer.from(`${point}\n`) },
      { name: 'var/lib/dpkg/status', data: Buffer.from(dpkgStatus(pkgs)) },
    ];
    const shared = await writeBigLayer(reg.storageDir, 'bench/debian', SHARED_BYTES);
    const oldTop = await writeBigLayer(reg.storageDir, 'bench/debian', OWN_BYTES, dbFiles('12.5', sets.old));
    const newTop = await writeBigLayer(reg.storageDir, 'bench/debian', OWN_BYTES, dbFiles('12.8', sets.new));
    const image = (tag: string, layers: RawLayer[]) => craftImage({ host: reg.host, repo: 'bench/debian', tag, platform: PLATFORM, layers, format: 'oci', config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['bash'] } });
    await image('12.5', [shared, oldTop]);
    await image('12.8', [shared, newTop]);
    const seedMs = performance.now() - t0;
    const sizes = (ls: RawLayer[]) => ls.reduce((n, l) => n + l.descriptor.size, 0);
    const layerDigests = new Set([shared, oldTop, newTop].map((l) => l.descriptor.digest));

    const cache = join(tmp, 'cache');
    const once = async (): Promise<{ r: PackageDiffRun; summary: string }> => {
      await run('sync', []);
      const cost = await measureChild('node', [join(root, 'bin', 'rebase-image.js'), 'packages', `${reg.host}/bench/debian:12.5`, `${reg.host}/bench/debian:12.8`, '--json', '-v'], {
        cwd: root,
        env: { XDG_CACHE_HOME: cache },
        tmpDir: tmp,
        timeoutMs: 300_000,
      });
      const gets = cost.stderr.split('\n').filter((l) => [...layerDigests].some((d) => l.includes(`GET `) && l.includes(`/blobs/${d}`))).length;
      let parsed: { packages: { upgraded: unknown[]; added: unknown[]; removed: unknown[]; unchanged: number; download: { bytes: number; cachedLayers: number }; os: { old: { release: string }; new: { release: string } } } } | undefined;
      try {
        parsed = JSON.parse(cost.stdout);
      } catch {
        parsed = undefined;
      }
      const p = parsed?.packages;
      const ok = cost.code === 0 && p !== undefined && p.upgraded.length === PACKAGES / 10 && p.added.length === 2 && p.removed.length === 1;
      return {
        r: {
          wallMs: cost.wallMs,
          peakRss: cost.peakRss,
          rssHow: cost.how,
          bytesDownloaded: p?.download.bytes ?? 0,
          layerGets: gets,
          cachedLayers: p?.download.cachedLayers ?? 0,
          ok,
          error: ok ? undefined : cost.stderr.trim().split('\n').pop(),
        },
        summary: p ? `Debian ${p.os.old.release} → ${p.os.new.release}: ${p.upgraded.length} upgraded, ${p.added.length} added, ${p.removed.length} removed, ${p.unchanged} unchanged` : '',
      };
    };
    const first = await once();
    const cached = await once();
    return {
      oldBaseBytes: sizes([shared, oldTop]),
      newBaseBytes: sizes([shared, newTop]),
      distinctBytes: sizes([shared, oldTop, newTop]),
      distinctLayers: 3,
      seedMs,
      summary: first.summary,
      first: first.r,
      cached: cached.r,
    };
  } finally {
    await reg.stop();
    await removeTempDir(tmp);
  }
}

export function printPackageDiff(b: PackageDiffBench): void {
  const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  const line = (label: string, r: PackageDiffRun) =>
    `  ${label.padEnd(20)} ${(r.wallMs / 1000).toFixed(2).padStart(6)} s   downloaded ${mb(r.bytesDownloaded).padStart(10)} in ${r.layerGets} layer GET(s)${r.cachedLayers ? `, ${r.cachedLayers} layers from the cache` : ''}   peak RSS ${mb(r.peakRss)} (${r.rssHow})${r.ok ? '' : `   FAILED: ${r.error}`}`;
  console.log(`\npackage diff of two Debian bases, ${mb(b.oldBaseBytes)} and ${mb(b.newBaseBytes)} of layers (${mb(b.distinctBytes)} in ${b.distinctLayers} distinct layers; ${PACKAGES} packages), built CLI in a child process (seeded in ${(b.seedMs / 1000).toFixed(1)} s)`);
  console.log(`  ${b.summary}`);
  console.log(line('first run', b.first));
  console.log(line('second run (cached)', b.cached));
  console.log(`  goals: each distinct layer downloaded once (${mb(b.distinctBytes)}), peak RSS under ${mb(PACKAGE_RSS_GOAL)}, no layer GET when cached`);
}
