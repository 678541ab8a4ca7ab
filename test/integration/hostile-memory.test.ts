// Size attacks from the hostile registry, with memory measured: the built CLI (dist/cli.js) runs in
// a child process and reports its peak RSS. A gzip bomb (a manifest sent with Content-Encoding:
// gzip that would expand to ~1 GiB) must not be decompressed, and a 200 MiB config must be refused
// at the config size limit, both in one sentence and under 200 MB of RSS, with nothing written.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { dockerConfigDir, type DockerConfigDir } from '../harness/creds';
import { assertBytesSafe, assertOneSentenceFailure, assertRequestsInside, childCli, serveStandard, type ChildRun } from '../harness/hostileCli';
import { bigConfig, bigConfigManifest, gzipBomb, gzipBombResponse, manifestResponse } from '../harness/hostileDocuments';
import { startHostileRegistry, type HostileRegistry } from '../harness/hostileRegistry';
import { run } from '../harness/tools';

const ROOT = join(__dirname, '..', '..');
const RSS_LIMIT_MB = 200;
const CONFIG_SIZE = 200 << 20;

let reg: HostileRegistry;
let dc: DockerConfigDir;
let H: string;

before(async () => {
  [reg, dc] = await Promise.all([startHostileRegistry(), dockerConfigDir()]);
  H = reg.host;
  await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, timeoutMs: 60_000 });
  // Built (and hashed) once here, so the tests time only the CLI.
  await gzipBomb();
  bigConfig(CONFIG_SIZE);
});
after(async () => {
  await reg?.stop();
  await dc?.cleanup();
});

const rebaseArgs = () => [`${H}/app:1`, '-t', `${H}/app:target`, '-b', `${H}/base:2`, '-s', `${H}/base:1`];

/** One sentence, safe bytes, exit 1, nothing written, and the peak RSS under the limit. */
function refusedWithin(t: TestContext, r: ChildRun): string {
  const mb = r.maxRssKiB / 1024;
  t.diagnostic(`peak RSS ${mb.toFixed(1)} MB, ${r.ms} ms`);
  assertBytesSafe(r.stdout, 'stdout');
  assertBytesSafe(r.stderr, 'stderr');
  const line = assertOneSentenceFailure(r.code, r.stdout.toString('utf8'), r.stderr.toString('utf8'));
  assert.ok(Number.isFinite(mb), 'the child reported its peak RSS');
  assert.ok(mb < RSS_LIMIT_MB, `peak RSS ${mb.toFixed(1)} MB, over ${RSS_LIMIT_MB} MB`);
  assert.doesNotMatch(line, /memory|heap|allocation|unexpected failure/i, line);
  assertRequestsInside(reg, ['app', 'base']);
  return line;
}

describe('size attacks, in a child process with its memory measured', () => {
  test('a gzip bomb manifest (Content-Encoding: gzip, ~1 GiB expanded) is not decompressed', async (t) => {
    const bomb = await gzipBomb();
    assert.ok(bomb.expandedSize > 1 << 30 && bomb.compressed.length < 2 << 20, 'the bomb is ~1 MiB expanding to over 1 GiB');
    serveStandard(reg);
    reg.route({ method: 'GET', path: '/v2/app/manifests/1', respond: await gzipBombResponse() });
    const r = await childCli(ROOT, dc.dir, rebaseArgs());
    const line = refusedWithin(t, r);
    // Read as the bytes that were sent: gzip is not JSON, and says so about the manifest.
    assert.match(line, new RegExp(`^Error: The manifest of ${H}/app:1 is not valid JSON; `), line);
    const asked = reg.log.filter((l) => l.path === '/v2/app/manifests/1');
    assert.equal(asked.length, 1, 'asked once');
    assert.equal(asked[0].headers['accept-encoding'], 'identity', 'the client asked for no compression');
  });

  for (const withLength of [true, false]) {
    const how = withLength ? 'with its Content-Length' : 'chunked, its size understated in the manifest';
    test(`a 200 MiB config, ${how}, is refused at the config size limit`, async (t) => {
      const cfg = bigConfig(CONFIG_SIZE);
      serveStandard(reg);
      reg.route({ method: 'GET', path: '/v2/app/manifests/1', respond: manifestResponse(bigConfigManifest(CONFIG_SIZE, withLength ? CONFIG_SIZE : 2048)) });
      reg.route({
        method: 'GET',
        path: `/v2/app/blobs/${cfg.digest}`,
        respond: () => {
          const res = cfg.response();
          if (withLength) return res;
          const { 'content-length': _dropped, ...headers } = res.headers!;
          return { ...res, headers };
        },
      });
      const r = await childCli(ROOT, dc.dir, rebaseArgs());
      const line = refusedWithin(t, r);
      assert.match(line, new RegExp(`answered GET /v2/app/blobs/${cfg.digest} with more than 16 MiB, the limit for an image config; `), line);
      assert.equal(reg.log.filter((l) => l.path === `/v2/app/blobs/${cfg.digest}`).length, 1, 'asked once, not retried');
    });
  }
});
