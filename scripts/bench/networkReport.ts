/** Prints the network sections of the bench in its style, and keeps them as JSON for comparisons. */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { run } from '../../test/harness/tools';
import type { BigLayerResult, CopySide } from './bigLayer';
import { RSS_GOAL } from './bigLayer';
import type { FaultBench, FaultRun } from './faults';
import { FAULT_BUDGET_MS } from './faults';
import { INDEX_APP_LAYERS, INDEX_BASE_LAYERS, PLATFORMS } from './indexRebase';
import { mib } from './format';

function pad(n: number, width: number): string {
  return n.toFixed(0).padStart(width);
}

function outcome(r: FaultRun): string {
  if (r.ok) return r.error === undefined ? 'ok' : 'tag holds the planned digest, yet the rebase reported a failure';
  if (r.error === undefined) return `reported success, but the tag holds ${r.held ?? 'nothing'} instead of ${r.planned}`;
  return r.tagUnchanged ? 'failed, tag unchanged (absent)' : `failed, and the tag CHANGED to ${r.held}`;
}

export function printFaultBench(f: FaultBench): void {
  const seeds = f.runs.map((r) => r.seed);
  const sum = (r: FaultRun): number => Object.values(r.faults).reduce((a, b) => a + b, 0);
  console.log(
    `\nmulti-platform index through faults, ${PLATFORMS.length} platforms of ${INDEX_BASE_LAYERS + INDEX_APP_LAYERS} layers → other repository; ` +
      `${(f.rate * 100).toFixed(0)} % of requests faulted at random (${f.faults.join(', ')}), idle timeout ${f.idleTimeoutMs / 1000} s; ` +
      `${f.runs.length} runs (seeds ${seeds[0]}–${seeds[seeds.length - 1]}), each to a fresh tag`,
  );
  console.log(`  success            ${f.successes}/${f.runs.length} runs  (the tag holds the planned index digest)`);
  console.log(`  wall time          median ${pad(f.medianMs, 5)} ms   p90 ${pad(f.p90Ms, 5)} ms`);
  console.log(`  no faults          median ${pad(f.cleanMedianMs, 5)} ms   (same proxy, ${f.clean.length} runs)   added: +${(f.medianMs - f.cleanMedianMs).toFixed(0)} ms median, +${(f.p90Ms - f.cleanMedianMs).toFixed(0)} ms p90`);
  const kinds = Object.entries(f.faultsByKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ');
  console.log(`  faults injected    ${f.faultsInjected} in ${f.requests} requests (${((f.faultsInjected / Math.max(1, f.requests)) * 100).toFixed(1)} %): ${kinds}`);
  console.log(`  retries            ${f.retries}  (client.stats.retries; ${(f.retries / Math.max(1, f.runs.length)).toFixed(1)} per run)`);
  console.log(`  per run            seed  wall ms  requests  faults  retries  result`);
  for (const r of f.runs) {
    console.log(`                     ${pad(r.seed ?? 0, 4)}  ${pad(r.wallMs, 7)}  ${pad(r.requests, 8)}  ${pad(sum(r), 6)}  ${pad(r.retries, 7)}  ${outcome(r)}`);
  }
  const failed = f.runs.filter((r) => !r.ok || r.error !== undefined);
  if (failed.length) {
    console.log(`  failed runs`);
    for (const r of failed) console.log(`    seed ${r.seed} → ${r.target}: ${r.error ?? '(no error reported)'}  [${outcome(r)}]`);
  }
  if (f.budgetHit) console.log(`  (stopped after ${f.runs.length} runs: the section's ${FAULT_BUDGET_MS / 1000} s budget was spent)`);
}

function sideLine(s: CopySide, label: string): string {
  if (!s.ok) return `  ${label.padEnd(17)}  FAILED: ${s.error}`;
  const cpu = s.cpuMs === undefined ? '' : `   CPU ${(s.cpuMs / 1000).toFixed(1)} s`;
  return `  ${label.padEnd(17)}  ${pad(s.wallMs, 6)} ms   ${s.throughput.toFixed(0).padStart(4)} MiB/s${cpu}   peak RSS ${mib(s.peakRss)}${s.rssHow === 'sampled' ? ' (sampled)' : ''}`;
}

export function printBigLayer(b: BigLayerResult): void {
  console.log(`\ncross-registry copy of a ${mib(b.layerBytes)} layer (gzip'd tar of random bytes): a rebase whose target is another registry, built CLI in a child process, next to skopeo copy of the same image`);
  if (b.skipped) return void console.log(`  skipped: ${b.skipped}`);
  console.log(`  image seeded in    ${(b.seedMs / 1000).toFixed(1)} s  (layer written straight into the source registry's storage)`);
  const verdict = b.ours.ok ? (b.ours.peakRss < RSS_GOAL ? 'met' : 'NOT met') : 'not measured';
  console.log(sideLine(b.ours, 'rebase-image') + `   (goal under ${mib(RSS_GOAL)}: ${verdict}; idle: the CLI ${mib(b.cliIdleRss)}, node alone ${mib(b.nodeIdleRss)})`);
  console.log(sideLine(b.skopeo, 'skopeo copy'));
  if (b.ours.ok && b.skopeo.ok) {
    console.log(`  ratio              wall ${(b.ours.wallMs / b.skopeo.wallMs).toFixed(2)}× skopeo's, peak RSS ${(b.ours.peakRss / b.skopeo.peakRss).toFixed(1)}× skopeo's`);
  }
}

/** Which code was measured: the commit, and the files under src/ that differ from it. */
export async function sourceState(root: string): Promise<{ commit: string; uncommittedSrc: string[] }> {
  const git = (args: string[]) => run('git', args, { cwd: root, allowFailure: true }).then((r) => r.stdout.trim(), () => '');
  const commit = await git(['rev-parse', '--short', 'HEAD']);
  const status = await git(['status', '--porcelain', '--', 'src']);
  return { commit: commit || 'unknown', uncommittedSrc: status ? status.split('\n').map((l) => l.trim().replace(/^\S+\s+/, '')) : [] };
}

export async function writeNetworkJson(path: string, source: unknown, faults: FaultBench | undefined, bigLayer: BigLayerResult | undefined): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const machine = { cpus: cpus().length, node: process.version, platform: `${process.platform}/${process.arch}` };
  await writeFile(path, JSON.stringify({ generatedAt: new Date().toISOString(), machine, source, faults, bigLayer }, null, 2) + '\n');
}
