/**
 * The 8-platform index rebase through a proxy that faults a share of requests at random, with the
 * faults real networks produce: what share of rebases still succeed, what the faults cost in wall
 * time, how many retries it took, and, for a failed rebase, its error and that the tag was left
 * alone. Every run pushes to a fresh tag, so a success is never a previous run's.
 */
import { performance } from 'node:perf_hooks';
import { RegistryClient } from '../../src/core/registry/client';
import { executeRebase, isIndexRebase, prepareAnyRebase } from '../../src/core/rebase/rebase';
import { startFaultProxy, type Fault, type FaultProxy } from '../../test/harness/faultProxy';
import { indexRequest } from './indexRebase';
import { median, percentile } from './format';
import { readTag } from './registryRead';

export const FAULT_RATE = 0.05;
export const FAULT_RUNS = 20;
export const CLEAN_RUNS = 5;
/** Short, so that a stalled request costs 2 s rather than the default 30. */
export const FAULT_IDLE_MS = 2000;
/** No new faulty run starts after this much time in this section. */
export const FAULT_BUDGET_MS = 100_000;

export const NETWORK_FAULTS: Fault[] = [
  { kind: 'status', status: 503, headers: { 'content-type': 'text/plain' }, body: 'service unavailable' },
  { kind: 'status', status: 429, headers: { 'retry-after': '1', 'content-type': 'text/plain' }, body: 'too many requests' },
  { kind: 'status', status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' },
  { kind: 'status', status: 502, headers: { 'content-type': 'text/plain' }, body: 'bad gateway' },
  { kind: 'reset' },
  { kind: 'drop-after-forward' },
  { kind: 'drop-mid-body' },
  { kind: 'truncate' },
  { kind: 'stall' },
];

export function faultLabel(f: Fault): string {
  if (f.kind !== 'status') return f.kind;
  const ra = f.headers?.['retry-after'];
  return `HTTP ${f.status}${ra ? ` (Retry-After: ${ra})` : ''}`;
}

export interface FaultRun {
  seed?: number;
  target: string;
  wallMs: number;
  /** The tag holds the planned digest. */
  ok: boolean;
  /** The index digest the rebase planned (this run's plan, or the fault-free plan if planning failed). */
  planned?: string;
  /** What the target tag held afterwards, read straight from the registry. */
  held?: string;
  requests: number;
  retries: number;
  faults: Record<string, number>;
  error?: string;
  /** For a failed run: whether the tag was left as it was (it did not exist before). */
  tagUnchanged?: boolean;
}

export interface FaultBench {
  rate: number;
  faults: string[];
  idleTimeoutMs: number;
  clean: FaultRun[];
  runs: FaultRun[];
  successes: number;
  cleanMedianMs: number;
  medianMs: number;
  p90Ms: number;
  retries: number;
  faultsInjected: number;
  requests: number;
  faultsByKind: Record<string, number>;
  budgetHit: boolean;
}

async function oneRun(proxy: FaultProxy, registry: string, name: string, seed: number | undefined, reference: string | undefined): Promise<FaultRun> {
  proxy.setRandom(seed === undefined ? undefined : { rate: FAULT_RATE, seed, faults: NETWORK_FAULTS });
  const from = proxy.log.length;
  const client = new RegistryClient({ timeouts: { idleMs: FAULT_IDLE_MS }, notice: () => undefined });
  const repo = `idx/${name}`;
  let planned = reference;
  let error: string | undefined;
  const t0 = performance.now();
  try {
    const prepared = await prepareAnyRebase(client, indexRequest(proxy.host, repo));
    if (!isIndexRebase(prepared)) throw new Error('idx/app:1 was not rebased as an index');
    planned = prepared.plan.newIndexDigest;
    await executeRebase(client, prepared);
  } catch (e) {
    error = (e as Error)?.message ?? String(e);
  }
  const wallMs = performance.now() - t0;
  proxy.setRandom(undefined);
  const faults: Record<string, number> = {};
  for (const entry of proxy.log.slice(from)) {
    if (!entry.fault) continue;
    const label = entry.fault === 'status' ? `HTTP ${entry.status}` : entry.fault;
    faults[label] = (faults[label] ?? 0) + 1;
  }
  const held = (await readTag(registry, repo, 'rebased'))?.digest;
  // Success is what the registry says: the tag holds the planned digest (the report is checked beside it).
  const ok = held !== undefined && held === planned;
  return {
    seed,
    target: `${repo}:rebased`,
    wallMs,
    ok,
    planned,
    held,
    requests: client.stats.total,
    retries: client.stats.retries,
    faults,
    ...(error === undefined ? {} : { error, tagUnchanged: held === undefined }),
  };
}

/** `registry` is the registry itself (read back directly); the rebases go through the fault proxy. */
export async function faultBench(registry: string, runs = FAULT_RUNS): Promise<FaultBench> {
  const proxy = await startFaultProxy(registry);
  const started = performance.now();
  try {
    await oneRun(proxy, registry, 'faultwarm', undefined, undefined);
    const clean: FaultRun[] = [];
    for (let i = 1; i <= CLEAN_RUNS; i++) clean.push(await oneRun(proxy, registry, `clean${i}`, undefined, undefined));
    const reference = clean.find((r) => r.ok)?.planned;
    const faulty: FaultRun[] = [];
    let budgetHit = false;
    for (let seed = 1; seed <= runs; seed++) {
      if (performance.now() - started > FAULT_BUDGET_MS) {
        budgetHit = true;
        break;
      }
      faulty.push(await oneRun(proxy, registry, `fault${seed}`, seed, reference));
    }
    const faultsByKind: Record<string, number> = {};
    for (const r of faulty) for (const [k, n] of Object.entries(r.faults)) faultsByKind[k] = (faultsByKind[k] ?? 0) + n;
    const walls = faulty.map((r) => r.wallMs);
    return {
      rate: FAULT_RATE,
      faults: NETWORK_FAULTS.map(faultLabel),
      idleTimeoutMs: FAULT_IDLE_MS,
      clean,
      runs: faulty,
      successes: faulty.filter((r) => r.ok).length,
      cleanMedianMs: median(clean.map((r) => r.wallMs)),
      medianMs: median(walls),
      p90Ms: percentile(walls, 90),
      retries: faulty.reduce((n, r) => n + r.retries, 0),
      faultsInjected: Object.values(faultsByKind).reduce((a, b) => a + b, 0),
      requests: faulty.reduce((n, r) => n + r.requests, 0),
      faultsByKind,
      budgetHit,
    };
  } finally {
    await proxy.stop();
  }
}
