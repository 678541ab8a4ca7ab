// A randomized fault campaign: many rebases through test/harness/faultProxy.ts in random mode, in
// front of real registries, each with its own seed (reproducible). 8 % of requests meet a fault a
// real network produces. Asserted for every run: it ends (no hang), no stack trace, nothing unsafe
// on the terminal, the exit code matches what the registry really holds (0: the tag holds the
// printed digest and every blob it names; 1: the tag is exactly as before), and over the whole
// campaign at least 90 % of runs succeed. FAULT_CAMPAIGN_RUNS raises the count (default 40).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cli, tagDigest, type CliRun } from '../harness/cli';
import { startFaultProxy, type Fault, type FaultProxy } from '../harness/faultProxy';
import { pushImage, seedStandardImages, type StandardImages } from '../harness/fixtures';
import { pullAndUnpack } from '../harness/containerd';
import { fetchManifest, putManifest } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';

const RUNS = Math.max(1, Number(process.env.FAULT_CAMPAIGN_RUNS ?? 40));
const RATE = 0.08;
const RUN_LIMIT_MS = 45_000;

const FAULTS: Fault[] = [
  { kind: 'status', status: 503 },
  { kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 502 },
  { kind: 'reset' },
  { kind: 'drop-after-forward' },
  { kind: 'drop-mid-body' },
  { kind: 'truncate' },
  { kind: 'stall' },
];

let reg: TestRegistry;
let reg2: TestRegistry;
let seed: StandardImages;
let proxy: FaultProxy;
let proxy2: FaultProxy;
/** app:1's manifest, put on a target tag before each run so "unchanged" means something. */
let preset: { body: string; mediaType: string; digest: string };

before(async () => {
  [reg, reg2] = await Promise.all([startRegistry(), startRegistry()]);
  seed = await seedStandardImages(reg.host);
  await pushImage(seed.built.app1, `${reg2.host}/copied:seed`);
  const m = await fetchManifest(reg.host, 'app', '1');
  preset = { body: m.body, mediaType: m.mediaType, digest: m.digest };
  [proxy, proxy2] = await Promise.all([startFaultProxy(reg.host), startFaultProxy(reg2.host)]);
});

after(async () => {
  await Promise.all([proxy?.stop(), proxy2?.stop()]);
  await seed?.cleanup();
  await Promise.all([reg?.stop(), reg2?.stop()]);
});

interface Outcome {
  seed: number;
  code: number | 'hang';
  ms: number;
  error?: string;
  faults: number;
}

async function withLimit(p: Promise<CliRun>): Promise<CliRun | 'hang'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), RUN_LIMIT_MS)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every blob the pushed manifest names is in the target repository. */
async function assertWhole(host: string, repo: string, tag: string): Promise<void> {
  const m = await fetchManifest(host, repo, tag);
  for (const d of [m.json.config, ...m.json.layers]) {
    const res = await fetch(`http://${host}/v2/${repo}/blobs/${d.digest}`, { method: 'HEAD' });
    assert.equal(res.status, 200, `${repo}:${tag} names ${d.digest}, which must be there`);
  }
}

test(`fault campaign: ${RUNS} runs at ${RATE * 100} % faults`, async (t) => {
  const outcomes: Outcome[] = [];
  const started = Date.now();
  for (let i = 0; i < RUNS; i++) {
    const runSeed = 9000 + i;
    const crossRegistry = i % 3 === 2;
    const [host, rawHost, repo] = crossRegistry ? [proxy2.host, reg2.host, 'copied'] : [proxy.host, reg.host, 'camp'];
    const tag = `run${i}`;
    await putManifest(rawHost, repo, tag, preset.body, preset.mediaType).catch(async () => {
      // A new repository has none of app:1's blobs yet: give it them once, as a push would.
      await pushImage(seed.built.app1, `${rawHost}/${repo}:${tag}`);
    });
    const before = await tagDigest(rawHost, repo, tag);
    for (const [p, s] of [[proxy, runSeed], [proxy2, runSeed + 500]] as const) {
      p.log.length = 0;
      p.setRandom({ rate: RATE, seed: s, faults: FAULTS });
    }
    const P = proxy.host;
    const t0 = Date.now();
    const r = await withLimit(cli(`${P}/app:1`, '-t', `${host}/${repo}:${tag}`, '-b', `${P}/base:2`, '-s', `${P}/base:1`, '--timeout', '1', '--connect-timeout', '2'));
    const ms = Date.now() - t0;
    proxy.setRandom(undefined);
    proxy2.setRandom(undefined);
    const faults = [...proxy.log, ...proxy2.log].filter((e) => e.fault).length;
    if (r === 'hang') {
      outcomes.push({ seed: runSeed, code: 'hang', ms, faults });
      continue;
    }
    const all = [...r.out, ...r.err].join('\n');
    assert.ok(!/\n\s+at \S/.test(all), `seed ${runSeed}: stack trace:\n${all}`);
    assert.ok(!/[\u001b\u0080-\u009f]/.test(all), `seed ${runSeed}: raw control characters in the output`);
    const now = await tagDigest(rawHost, repo, tag);
    if (r.code === 0) {
      const printed = r.out.at(-1)!.split('@')[1];
      assert.equal(now, printed, `seed ${runSeed}: exit 0 and the tag holds the printed digest`);
      await assertWhole(rawHost, repo, tag);
      // containerd checks every layer against the config's diff_ids: now and then, for real.
      if (i % 10 === 0) {
        const pulled = await pullAndUnpack(`${rawHost}/${repo}:${tag}`);
        try {
          assert.equal(pulled.readFile('/etc/base-version'), '2');
        } finally {
          await pulled.cleanup();
        }
      }
    } else {
      assert.ok(r.code === 1 || r.code === 4, `seed ${runSeed}: exit ${r.code}:\n${all}`);
      const last = r.err.at(-1) ?? '';
      assert.match(last, /^Error: .*\.$/, `seed ${runSeed}: one error sentence, last`);
      if (r.code === 1) assert.equal(now, before, `seed ${runSeed}: exit 1 means the tag is as it was`);
    }
    outcomes.push({ seed: runSeed, code: r.code, ms, faults, error: r.code === 0 ? undefined : r.err.at(-1) });
  }
  const elapsed = Date.now() - started;
  const ok = outcomes.filter((o) => o.code === 0);
  const faulted = outcomes.filter((o) => o.faults > 0);
  t.diagnostic(`${ok.length}/${RUNS} succeeded; ${faulted.length} runs met at least one fault (${outcomes.reduce((n, o) => n + o.faults, 0)} faults); ${elapsed} ms in all`);
  for (const o of outcomes.filter((x) => x.code !== 0)) t.diagnostic(`seed ${o.seed}: exit ${o.code} after ${o.ms} ms with ${o.faults} faults: ${o.error ?? ''}`);
  assert.deepEqual(outcomes.filter((o) => o.code === 'hang').map((o) => o.seed), [], 'no run hangs');
  assert.ok(faulted.length >= RUNS / 4, `the campaign really met faults (${faulted.length} runs)`);
  assert.ok(ok.length >= Math.ceil(RUNS * 0.9), `at least 90 % succeed: ${ok.length}/${RUNS}`);
});
