// Each fault a real network produces, alone, between the CLI and a real registry (Distribution
// 2.8.2 behind test/harness/faultProxy.ts): the request log shows the retry, and the registry
// shows the outcome (the tag holds the new image, or exactly what it held before).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { cli, tagDigest, type CliRun } from '../harness/cli';
import { startFaultProxy, type Fault, type FaultProxy } from '../harness/faultProxy';
import { seedStandardImages, pushImage, type StandardImages } from '../harness/fixtures';
import { pullAndUnpack } from '../harness/containerd';
import { startRegistry, type TestRegistry } from '../harness/registry';

let reg: TestRegistry;
let reg2: TestRegistry;
let seed: StandardImages;
let proxy: FaultProxy;
let proxy2: FaultProxy;
let P: string;
let tagNo = 0;

before(async () => {
  [reg, reg2] = await Promise.all([startRegistry(), startRegistry()]);
  seed = await seedStandardImages(reg.host);
  [proxy, proxy2] = await Promise.all([startFaultProxy(reg.host), startFaultProxy(reg2.host)]);
  P = proxy.host;
});

after(async () => {
  await Promise.all([proxy?.stop(), proxy2?.stop()]);
  await seed?.cleanup();
  await Promise.all([reg?.stop(), reg2?.stop()]);
});

beforeEach(() => {
  for (const p of [proxy, proxy2]) {
    p.clearRules();
    p.log.length = 0;
  }
});

const appLayers = () => seed.oci.app1.layers.slice(seed.oci.base1.layers.length);
const FAST = ['--timeout', '1', '--connect-timeout', '2'];

/** A rebase of app:1 onto base:2 through the proxy into a fresh tag of `repo`. */
async function rebase(repo = 'app', extra: string[] = [], host = P): Promise<{ r: CliRun; tag: string; ms: number }> {
  const tag = `f${++tagNo}`;
  const t0 = Date.now();
  const r = await cli(`${P}/app:1`, '-t', `${host}/${repo}:${tag}`, '-b', `${P}/base:2`, '-s', `${P}/base:1`, ...FAST, ...extra);
  return { r, tag, ms: Date.now() - t0 };
}

/** Success: exit 0, the printed digest is what the registry's tag holds, no error line. */
async function assertPushed(run: { r: CliRun; tag: string }, repo = 'app', host = reg.host): Promise<string> {
  const { r, tag } = run;
  assert.equal(r.code, 0, r.err.join('\n'));
  const digest = r.out.at(-1)!.split('@')[1];
  assert.equal(await tagDigest(host, repo, tag), digest, 'the tag holds the printed digest');
  assert.ok(!r.err.some((l) => l.startsWith('Error:')), r.err.join('\n'));
  return digest;
}

/** The same request (method and path) seen at least twice, the first time with the fault. */
function assertRetried(p: FaultProxy, method: string, path: RegExp, fault: string): void {
  const seen = p.log.filter((e) => e.method === method && path.test(e.path));
  assert.ok(seen.length >= 2, `${method} ${path} seen ${seen.length} times:\n${p.log.map((e) => `${e.method} ${e.path} ${e.fault ?? ''} ${e.status ?? ''}`).join('\n')}`);
  assert.equal(seen[0].fault, fault, 'the first one met the fault');
  assert.ok(seen.slice(1).some((e) => !e.fault), 'a later one went through');
}

const one = (method: string, path: RegExp, fault: Fault, times = 1) => proxy.addRule({ method, path, fault, times });

describe('single faults, each retried', () => {
  test('503 once on the source manifest', async () => {
    one('GET', /\/v2\/app\/manifests\/1$/, { kind: 'status', status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}' });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'GET', /\/v2\/app\/manifests\/1$/, 'status');
    assert.match(run.r.err.join('\n'), /failed \(HTTP 503\); retrying in/, 'the retry is reported without -v');
  });

  test('429 with Retry-After: 1 on a config is honoured', async () => {
    const cfg = seed.oci.base2.configDigest;
    one('GET', new RegExp(`/blobs/${cfg}$`), { kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'GET', new RegExp(`/blobs/${cfg}$`), 'status');
    assert.ok(run.ms >= 900, `waited for Retry-After (${run.ms} ms)`);
    assert.match(run.r.err.join('\n'), /HTTP 429\); retrying in 1\.0 s/);
  });

  test('connection reset on a layer HEAD', async () => {
    const layer = appLayers()[0].digest;
    one('HEAD', new RegExp(`/blobs/${layer}$`), { kind: 'reset' });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'HEAD', new RegExp(`/blobs/${layer}$`), 'reset');
  });

  test('connection reset on a cross-repository mount', async () => {
    one('POST', /\/blobs\/uploads\/\?.*mount=/, { kind: 'reset' });
    const run = await rebase('team/other');
    await assertPushed(run, 'team/other');
    const mounts = proxy.log.filter((e) => e.method === 'POST' && /mount=/.test(e.path));
    assert.equal(mounts[0].fault, 'reset');
    assert.ok(mounts.filter((e) => !e.fault).length >= seed.oci.base2.layers.length + appLayers().length, 'every layer mounted in the end');
  });

  test('500 once on the manifest PUT', async () => {
    one('PUT', /\/manifests\/f\d+$/, { kind: 'status', status: 500 });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'PUT', /\/manifests\/f\d+$/, 'status');
  });

  test('a stalled manifest GET times out and is retried', async () => {
    one('GET', /\/v2\/base\/manifests\/2$/, { kind: 'stall' });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'GET', /\/v2\/base\/manifests\/2$/, 'stall');
    assert.ok(run.ms < 10_000, `bounded by the 1 s idle timeout (${run.ms} ms)`);
  });

  test('a config trickling a byte a second counts as stalled', async () => {
    const cfg = seed.oci.app1.configDigest;
    one('GET', new RegExp(`/blobs/${cfg}$`), { kind: 'trickle', intervalMs: 200 });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'GET', new RegExp(`/blobs/${cfg}$`), 'trickle');
    assert.ok(run.ms < 10_000, `${run.ms} ms`);
  });

  test('a manifest cut short of its Content-Length is retried, never taken as the whole', async () => {
    one('GET', /\/v2\/app\/manifests\/1$/, { kind: 'truncate', afterBytes: 40 });
    const run = await rebase();
    await assertPushed(run);
    assertRetried(proxy, 'GET', /\/v2\/app\/manifests\/1$/, 'truncate');
  });
});

describe('cross-registry copy', () => {
  test('a layer download dropped mid-body restarts that blob, and the result pulls', async () => {
    const layer = appLayers()[0].digest;
    one('GET', new RegExp(`/v2/app/blobs/${layer}$`), { kind: 'drop-mid-body' });
    const run = await rebase('copied/app', [], proxy2.host);
    await assertPushed(run, 'copied/app', reg2.host);
    assertRetried(proxy, 'GET', new RegExp(`/v2/app/blobs/${layer}$`), 'drop-mid-body');
    // The upload of the broken attempt was abandoned; a new session carried the blob.
    const puts = proxy2.log.filter((e) => e.method === 'PUT' && e.path.includes(`digest=${encodeURIComponent(layer)}`));
    assert.ok(puts.length >= 1, 'uploaded');
    const pulled = await pullAndUnpack(`${reg2.host}/copied/app:${run.tag}`);
    try {
      assert.equal(pulled.readFile('/etc/base-version'), '2');
      assert.equal(pulled.readFile('/app/hello.txt'), 'hello from app 1\n');
    } finally {
      await pulled.cleanup();
    }
  });
});

/**
 * Ctrl-C as the CLI sees it: its own SIGINT listener, called directly (emitting SIGINT would also
 * reach the test runner's, which ends the whole file).
 */
const runnerListeners = process.listeners('SIGINT');
function ctrlC(): void {
  for (const l of process.listeners('SIGINT')) if (!runnerListeners.includes(l)) (l as (s: string) => void)('SIGINT');
}

describe('the truth about the manifest push', () => {
  /** A target tag that already holds an image, to see that a failure leaves it alone. */
  async function presetTag(): Promise<{ tag: string; before: string }> {
    const tag = `pre${++tagNo}`;
    const before = await pushImage(seed.built.base1, `${reg.host}/app:${tag}`);
    return { tag, before };
  }

  test('the answer to the PUT is lost every time: read back, and it is there', async () => {
    proxy.addRule({ method: 'PUT', path: /\/manifests\/f\d+$/, fault: { kind: 'drop-after-forward' }, times: Infinity });
    const run = await rebase();
    const digest = await assertPushed(run);
    const puts = proxy.log.filter((e) => e.method === 'PUT' && /\/manifests\//.test(e.path));
    assert.ok(puts.length >= 2 && puts.every((e) => e.upstreamStatus === 201), 'every PUT reached the registry');
    assert.match(run.r.err.join('\n'), new RegExp(`answer to the manifest push was lost, but .* holds the new manifest ${digest}`));
  });

  test('500 on every PUT: exit 1, and the tag is as it was', async () => {
    const { tag, before } = await presetTag();
    proxy.addRule({ method: 'PUT', path: new RegExp(`/manifests/${tag}$`), fault: { kind: 'status', status: 500 }, times: Infinity });
    const r = await cli(`${P}/app:1`, '-t', `${P}/app:${tag}`, '-b', `${P}/base:2`, '-s', `${P}/base:1`, ...FAST, '--retries', '2');
    assert.equal(r.code, 1, r.err.join('\n'));
    assert.match(r.err.at(-1)!, /^Error: Registry .* answered PUT \/v2\/app\/manifests\/pre\d+ with HTTP 500 on all 3 attempts; the operation was not completed\.$/);
    assert.equal(await tagDigest(reg.host, 'app', tag), before);
  });

  test('the PUT never reaches the registry and its answer never comes: read back says unchanged', async () => {
    const { tag, before } = await presetTag();
    proxy.addRule({ method: 'PUT', path: new RegExp(`/manifests/${tag}$`), fault: { kind: 'reset' }, times: Infinity });
    const r = await cli(`${P}/app:1`, '-t', `${P}/app:${tag}`, '-b', `${P}/base:2`, '-s', `${P}/base:1`, ...FAST, '--retries', '1');
    assert.equal(r.code, 1, r.err.join('\n'));
    assert.match(r.err.at(-1)!, new RegExp(`; ${P.replace(/\./g, '\\.')}/app:${tag} was read back and is unchanged\\.$`));
    assert.equal(await tagDigest(reg.host, 'app', tag), before);
  });

  test('answer lost and the tag cannot be read back: exit 4, saying so', async () => {
    const { tag, before } = await presetTag();
    proxy.addRule({ method: 'PUT', path: new RegExp(`/manifests/${tag}$`), fault: { kind: 'drop-after-forward' }, times: Infinity });
    proxy.addRule({ method: 'HEAD', path: new RegExp(`/manifests/${tag}$`), fault: { kind: 'reset' }, times: Infinity });
    const r = await cli(`${P}/app:1`, '-t', `${P}/app:${tag}`, '-b', `${P}/base:2`, '-s', `${P}/base:1`, ...FAST, '--retries', '1');
    assert.equal(r.code, 4, r.err.join('\n'));
    assert.match(r.err.at(-1)!, /whether .* changed is unknown because reading it back failed too .*; check the tag before trying again\.$/);
    assert.notEqual(await tagDigest(reg.host, 'app', tag), before, 'it did change: exit 4 did not claim otherwise');
  });

  test('Ctrl-C after the PUT reached the registry: the tag changed, so it says pushed', async () => {
    proxy.addRule({ method: 'PUT', path: /\/manifests\/f\d+$/, fault: { kind: 'hold-answer', ms: 3000 } });
    let fired = false;
    const watch = setInterval(() => {
      if (!fired && proxy.log.some((e) => e.method === 'PUT' && /\/manifests\/f\d+$/.test(e.path))) {
        fired = true;
        setTimeout(ctrlC, 150);
      }
    }, 20);
    try {
      const run = await rebase('app', ['--timeout', '10']);
      const digest = await assertPushed(run);
      assert.match(run.r.err.join('\n'), new RegExp(`cancel came too late: .* already holds the new manifest ${digest}`));
    } finally {
      clearInterval(watch);
    }
  });

  test('Ctrl-C before the PUT reached the registry: exit 130, tag unchanged', async () => {
    const { tag, before } = await presetTag();
    proxy.addRule({ method: 'PUT', path: new RegExp(`/manifests/${tag}$`), fault: { kind: 'delay', ms: 3000 } });
    let fired = false;
    const watch = setInterval(() => {
      if (!fired && proxy.log.some((e) => e.method === 'PUT' && e.path.endsWith(`/manifests/${tag}`))) {
        fired = true;
        setTimeout(ctrlC, 100);
      }
    }, 20);
    try {
      const r = await cli(`${P}/app:1`, '-t', `${P}/app:${tag}`, '-b', `${P}/base:2`, '-s', `${P}/base:1`, ...FAST, '--timeout', '10');
      assert.equal(r.code, 130, r.err.join('\n'));
      assert.match(r.err.at(-1)!, /cancelled; the target tag was not changed\.$/);
      await new Promise((res) => setTimeout(res, 3200)); // the delayed PUT reaches the registry… or not
      assert.equal(await tagDigest(reg.host, 'app', tag), before);
    } finally {
      clearInterval(watch);
    }
  });
});

describe('retry settings', () => {
  test('--retries 0 turns retrying off', async () => {
    one('GET', /\/v2\/app\/manifests\/1$/, { kind: 'status', status: 503 });
    const run = await rebase('app', ['--retries', '0']);
    assert.equal(run.r.code, 1);
    assert.match(run.r.err.at(-1)!, /answered GET \/v2\/app\/manifests\/1 with HTTP 503; the operation was not completed\.$/);
    assert.equal(proxy.log.filter((e) => e.path.endsWith('/v2/app/manifests/1')).length, 1);
  });

  test('a malformed --retries is a usage error', async () => {
    const r = await cli(`${P}/app:1`, '-t', `${P}/app:x`, '-b', `${P}/base:2`, '--retries', 'many');
    assert.equal(r.code, 2);
    assert.match(r.err.at(-1)!, /--retries takes a whole number/);
  });

  test('a 429 asking for an hour fails at once and says when to come back', async () => {
    one('GET', /\/v2\/app\/manifests\/1$/, { kind: 'status', status: 429, headers: { 'Retry-After': '3600' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit"}]}' }, Infinity);
    const run = await rebase();
    assert.equal(run.r.code, 1);
    assert.ok(run.ms < 5000, `${run.ms} ms`);
    assert.match(run.r.err.at(-1)!, /asks to wait 60 minutes before it accepts more requests \(HTTP 429: TOOMANYREQUESTS: rate limit\); try again after \d{4}-\d\d-\d\dT/);
  });
});
