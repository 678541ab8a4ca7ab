// The hostile-document corpus: documents and answers no honest registry sends, served by the fake
// registry of test/harness/hostileRegistry.ts to the CLI (run in this process). Each one ends in
// one sentence and exit 1, or in a correct result; nothing unsafe reaches the terminal, no request
// leaves the repositories the rebase names, and nothing is written (so the target tag, app:target
// on the same registry, is untouched). The memory bounds (gzip bomb, 200 MB config) are in
// hostile-memory.test.ts, in child processes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dockerConfigDir, type DockerConfigDir } from '../harness/creds';
import {
  ESCAPES,
  blobResponse,
  hostileImage,
  hugeErrorResponse,
  hugeTagsResponse,
  manifestResponse,
  notJsonTagsResponse,
  serveImage,
  sha256,
  tooManyRequests,
  unavailableUntil,
  type Corruption,
  type CorruptionName,
  type HostileImage,
} from '../harness/hostileDocuments';
import { startHostileRegistry, type HostileRegistry, type HostileResponse, type HostileRoute } from '../harness/hostileRegistry';
import {
  BASE1_SHAPE,
  assertRequestsInside,
  assertTerminalSafe,
  failureOf,
  hostileCli,
  imageWithRawField,
  nestedArrays,
  serveStandard,
  type HostileRun,
} from '../harness/hostileCli';

let reg: HostileRegistry;
let dc: DockerConfigDir;
let H: string;

before(async () => {
  [reg, dc] = await Promise.all([startHostileRegistry(), dockerConfigDir()]);
  H = reg.host;
});
after(async () => {
  await reg?.stop();
  await dc?.cleanup();
});

const run = (argv: string[]) => hostileCli(dc.dir, argv);
/** app:1 from base:1 onto base:2, pushed to app:target; without -s when `discover`. */
const rebaseArgs = (opts: { discover?: boolean; extra?: string[] } = {}) => [
  `${H}/app:1`, '-t', `${H}/app:target`, '-b', `${H}/base:2`, ...(opts.discover ? [] : ['-s', `${H}/base:1`]), ...(opts.extra ?? []),
];

/** A failure in one sentence that wrote nothing and asked only for app's and base's documents. */
function refused(r: HostileRun): string {
  const line = failureOf(r);
  assertRequestsInside(reg, ['app', 'base']);
  return line;
}

/** A successful dry run: safe output, nothing written. */
function succeeded(r: HostileRun): void {
  assertTerminalSafe(r.out.join('\n'), 'stdout');
  assertTerminalSafe(r.err.join('\n'), 'stderr');
  assert.equal(r.code, 0, `exit code; stderr:\n${r.err.join('\n')}`);
  assertRequestsInside(reg, ['app', 'base']);
}

const json = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const routeTags = (respond: HostileRoute['respond']) => reg.route({ method: 'GET', path: /^\/v2\/base\/tags\/list(\?|$)/, respond });
const routeAppManifest = (respond: HostileRoute['respond']) => reg.route({ method: 'GET', path: '/v2/app/manifests/1', respond });

interface Refusal {
  name: string;
  app?: Corruption | CorruptionName | HostileImage;
  asIndex?: boolean;
  /** Extra routes, after the three images are served. */
  routes?: () => void;
  discover?: boolean;
  extra?: string[];
  says: RegExp;
}

const refusals: Refusal[] = [
  // A lying mediaType, laced with terminal escapes: named, escaped.
  { name: 'a manifest mediaType with a window-title OSC', app: 'media-type-title-escape', says: /unsupported manifest media type "application\/vnd\.oci\.image\.manifest\.v1\+json\\x1b\]0;pwned\\x07"/ },
  { name: 'a manifest mediaType with a clear-screen CSI', app: 'media-type-clear-screen', says: /unsupported manifest media type ".*\\x1b\[2J"/ },
  { name: 'a manifest mediaType with the C1 CSI U+009B', app: 'media-type-c1-csi', says: /unsupported manifest media type ".*\\u009b31m"/ },
  { name: 'a manifest mediaType that is a number', app: 'media-type-number', says: /mediaType that is not a string/ },
  {
    name: 'a Content-Type header with U+009B on a document without mediaType or config',
    routes: () => {
      const body = JSON.stringify({ schemaVersion: 2, layers: [] });
      routeAppManifest({ status: 200, headers: { 'content-type': 'application/x-evil\u009b2J', 'docker-content-digest': sha256(body) }, body });
    },
    // Node sends the header value as UTF-8 and the client reads it as Latin-1: "Â" + U+009B.
    says: /unsupported manifest media type "application\/x-evil\S?\\u009b2J"/,
  },
  // Platform fields of an index with escapes in every one.
  { name: 'index platform fields with escapes', app: 'platform-escapes', asIndex: true, says: /manifests\[0\]\.platform\.os is "linux\\x1b\]0;pwned\\x07", not a platform name/ },
  // Layer size and digest oddities, in the dry-run plan.
  { name: 'layer size -1', app: 'layer-size-negative', extra: ['--dry-run'], says: /layers\[0\]\.size is -1, not a size in bytes/ },
  { name: 'layer size 1e30', app: 'layer-size-huge', extra: ['--dry-run'], says: /layers\[0\]\.size is 1e\+30, not a size in bytes/ },
  { name: 'layer size "256"', app: 'layer-size-string', extra: ['--dry-run'], says: /layers\[0\]\.size is "256", not a size in bytes/ },
  { name: 'layer size 256.5', app: 'layer-size-fraction', extra: ['--dry-run'], says: /layers\[0\]\.size is 256\.5, not a size in bytes/ },
  { name: 'layer digest sha256:../../x', app: 'layer-digest-traversal', extra: ['--dry-run'], says: /layers\[0\]\.digest is "sha256:\.\.\/\.\.\/x", but a digest is/ },
  { name: 'layer digest sha256:../../../v2/_catalog', app: 'layer-digest-catalog', extra: ['--dry-run'], says: /layers\[0\]\.digest is "sha256:\.\.\/\.\.\/\.\.\/v2\/_catalog"/ },
  { name: 'config digest sha256:../../x', app: { manifest: (m) => void (m.config.digest = 'sha256:../../x') }, says: /config\.digest is "sha256:\.\.\/\.\.\/x"/ },
  {
    name: 'index entry digest sha256:../../../v2/_catalog',
    app: { index: (i) => void (i.manifests[0].digest = 'sha256:../../../v2/_catalog') },
    asIndex: true,
    says: /manifests\[0\]\.digest is "sha256:\.\.\/\.\.\/\.\.\/v2\/_catalog"/,
  },
  // Shapes the planner must never see.
  { name: 'layers: null', app: 'layers-null', says: /layers is null, not a list of layer descriptors/ },
  { name: 'a null layer entry', app: 'layer-entry-null', says: /layers\[1\] is null, not a descriptor/ },
  { name: 'no config descriptor', app: 'config-missing', says: /config is missing/ },
  { name: 'history as an object', app: 'history-object', says: /history is an object, not a list of history entries/ },
  { name: 'diff_ids that are not digests', app: 'diff-ids-not-digests', says: /rootfs\.diff_ids\[0\] is "not-a-digest"/ },
  // Error bodies of 1 MB, laced with escapes: a short line. Only the first 64 KiB are read, which
  // is not a whole JSON document, so the line shows the start of the body (escaped) with a "…".
  { name: 'a 1 MB error body (403 DENIED)', routes: () => routeAppManifest(hugeErrorResponse(403)), says: /denied pull\/push access to app \(.*"DENIED".*access denied .*…\); sign in/ },
  {
    name: 'a 1 MB error body (500, --retries 0)',
    routes: () => routeAppManifest(hugeErrorResponse(500)),
    extra: ['--retries', '0'],
    says: /answered GET \/v2\/app\/manifests\/1 with HTTP 500 \(.*"DENIED".*…\); the operation was not completed\.$/,
  },
  {
    name: 'a 1 MB plain-text error body without a newline (400)',
    routes: () => routeAppManifest({ status: 400, headers: { 'content-type': 'text/html' }, body: `<h1>${ESCAPES.clear}bad request${ESCAPES.c1}</h1>`.repeat(40_000) }),
    says: /answered GET \/v2\/app\/manifests\/1 with HTTP 400 \(<h1>\\x1b\[2Jbad request\\u009b/,
  },
  // Tag lists read while looking for the old base (no -s).
  { name: 'a tag list that is not JSON', routes: () => routeTags(notJsonTagsResponse()), discover: true, says: /The tag list of .*\/base is not valid JSON/ },
  { name: 'a tag "../../_catalog" in the tag list', routes: () => routeTags(json({ name: 'base', tags: ['1', '../../_catalog'] })), discover: true, says: /tags\[1\] is "\.\.\/\.\.\/_catalog", not a tag/ },
  {
    name: 'a tag list nested 100,000 arrays deep',
    routes: () => routeTags({ status: 200, headers: { 'content-type': 'application/json' }, body: `{"name":"base","tags":${nestedArrays(100_000)}}` }),
    discover: true,
    says: /tags\[0\] is a list, not a tag/,
  },
];

describe('hostile documents are refused in one sentence, nothing written', () => {
  for (const c of refusals) {
    test(c.name, async (t) => {
      serveStandard(reg, c.app ?? {}, { appAsIndex: c.asIndex });
      c.routes?.();
      const r = await run(rebaseArgs(c));
      const line = refused(r);
      t.diagnostic(`${r.ms} ms: ${line}`);
      assert.match(line, c.says);
      assert.ok(line.length < 600, `a short line, not ${line.length} characters: ${line}`);
    });
  }

  test('429 with Retry-After: 3600 fails at once and says when to try again', async () => {
    serveStandard(reg);
    routeAppManifest(tooManyRequests(3600));
    const before = Date.now();
    const r = await run(rebaseArgs());
    const line = refused(r);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.match(line, /asks to wait 60 minutes before it accepts more requests \(HTTP 429: TOOMANYREQUESTS: You have reached your pull rate limit\.\); try again after (\S+)\.$/);
    const when = Date.parse(/try again after (\S+)\.$/.exec(line)![1]);
    assert.ok(Math.abs(when - (before + 3_600_000)) < 10_000, `try again after ${new Date(when).toISOString()}`);
    assert.equal(reg.log.filter((l) => l.path === '/v2/app/manifests/1').length, 1, 'asked once, not retried');
  });
});

describe('hostile but legal documents: the rebase works and the output stays safe', () => {
  const note = `note ${ESCAPES.c1} ${ESCAPES.title}\u2028end`;
  const createdBy = `COPY app /app ${ESCAPES.c1}${ESCAPES.clear}`;
  const laced: Corruption = {
    manifest: (m) => void (m.annotations = { 'org.example.note': note }),
    config: (c) => void (c.history[1].created_by = createdBy),
  };

  test('--json: U+009B and ESC are escaped in the JSON text, and still there when it is parsed', async () => {
    serveStandard(reg, laced);
    const r = await run(rebaseArgs({ extra: ['--dry-run', '--json'] }));
    succeeded(r);
    const raw = r.out.join('\n');
    assert.ok(!/[\u001b\u0080-\u009f\u2028]/.test(raw), 'no raw control in the JSON text');
    const plan = JSON.parse(raw) as { dryRun: boolean; layers: Array<{ change: string; createdBy?: string }>; old: { manifest: { annotations?: Record<string, string> } } };
    assert.equal(plan.dryRun, true);
    assert.equal(plan.layers.find((l) => l.change === 'kept')?.createdBy, createdBy, 'created_by kept, not dropped');
    assert.equal(plan.old.manifest.annotations?.['org.example.note'], note);
  });

  test('a text dry run shows the same strings escaped', async () => {
    serveStandard(reg, laced);
    const r = await run(rebaseArgs({ extra: ['--dry-run'] }));
    succeeded(r);
    assert.ok(r.out.some((l) => l.includes('COPY app /app \\u009b31m\\x1b[2J')), r.out.join('\n'));
  });

  test('a tag page of 130,000 tags: the old base is found among them without a stack overflow', async () => {
    serveStandard(reg);
    routeTags(hugeTagsResponse('base'));
    serveImage(reg, 'base', 'v7', hostileImage(BASE1_SHAPE));
    const r = await run(rebaseArgs({ discover: true, extra: ['--dry-run'] }));
    succeeded(r);
    assert.ok(r.err.some((l) => l.startsWith(`Old base detected as ${H}/base:v7: `)), r.err.join('\n'));
    assert.equal(reg.log.filter((l) => l.path.startsWith('/v2/base/tags/list')).length, 1);
  });

  test('a malformed base digest annotation is ignored, and nothing is asked for at its path', async () => {
    serveStandard(reg, { manifest: (m) => void (m.annotations = { 'org.opencontainers.image.base.name': `${H}/base:1`, 'org.opencontainers.image.base.digest': 'sha256:../../x' }) });
    routeTags(json({ name: 'base', tags: ['1', '2'] }));
    const r = await run(rebaseArgs({ discover: true, extra: ['--dry-run'] }));
    succeeded(r);
    assert.ok(r.err.some((l) => l.startsWith(`Old base detected as ${H}/base:1: `)), r.err.join('\n'));
  });

  test('503 with Retry-After as an HTTP date: waited for, retried, then it works', async () => {
    const img = serveStandard(reg);
    const times: number[] = [];
    routeAppManifest(() => {
      times.push(Date.now());
      return times.length === 1 ? unavailableUntil(new Date(Date.now() + 2500)) : manifestResponse(img.manifest);
    });
    const r = await run(rebaseArgs({ extra: ['--dry-run'] }));
    succeeded(r);
    assert.equal(times.length, 2, 'one retry');
    // The date has whole seconds: 2.5 s ahead is 1.5 to 2.5 s of waiting.
    assert.ok(times[1] - times[0] >= 1000 && times[1] - times[0] < 5000, `retried after ${times[1] - times[0]} ms`);
    assert.ok(r.err.some((l) => /failed \(HTTP 503\); retrying in \d\.\d s \(attempt 2 of 5\)/.test(l)), r.err.join('\n'));
  });
});

describe('kin of the stack-overflow and endless-page cases', () => {
  // PRODUCT BUG (left failing on purpose): RegistryClient.allTags follows Link headers while the
  // pages bring no tags, so a registry that always links to another empty page is asked forever.
  test('PRODUCT BUG: empty tag pages that always link to one more page are not followed forever', async () => {
    serveStandard(reg);
    let pages = 0;
    routeTags((): HostileResponse => {
      pages++;
      // A guard of this test, so that the run ends at all.
      if (pages > 100) return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'test guard: too many pages' };
      return { ...json({ name: 'base', tags: [] }), headers: { 'content-type': 'application/json', link: `</v2/base/tags/list?n=1000&last=p${pages}>; rel="next"` } };
    });
    const r = await run(rebaseArgs({ discover: true, extra: ['--dry-run'] }));
    assert.ok(pages <= 10, `PRODUCT BUG: ${pages} tag pages were requested (the test stopped it); last line: ${r.err.at(-1)}`);
    refused(r);
  });

  // PRODUCT BUG (left failing on purpose): a config with a field nested deeper than
  // JSON.stringify can recurse passes validation, and the planner's stringify of the new config
  // throws RangeError, shown as "unexpected failure (Maximum call stack size exceeded) ...".
  for (const [where, extra] of [
    ['config', ['--dry-run']],
    ['manifest', ['--dry-run', '--json']],
  ] as const) {
    test(`PRODUCT BUG: a ${where} with a field nested 100,000 deep works or fails in one sentence (${extra.join(' ')})`, async () => {
      serveStandard(reg, imageWithRawField(where, 'x-nested', nestedArrays(100_000)));
      const r = await run(rebaseArgs({ extra: [...extra] }));
      assert.doesNotMatch(r.err.join('\n'), /Maximum call stack|unexpected failure/, `PRODUCT BUG: ${r.err.at(-1)}`);
      if (r.code === 0) succeeded(r);
      else refused(r);
    });
  }
});

describe('rate limits announced in headers', () => {
  test('Docker Hub style ratelimit-remaining running low gives one warning', async () => {
    const image = serveStandard(reg);
    const answer = manifestResponse(image.manifest);
    const headers = { ...answer.headers, 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '3;w=21600' };
    reg.route({ method: 'GET', path: '/v2/app/manifests/1', respond: { ...answer, headers } });
    const config = blobResponse(image.config.body);
    reg.route({ method: 'GET', path: `/v2/app/blobs/${image.config.digest}`, respond: { ...config, headers: { ...config.headers, ...headers, 'ratelimit-remaining': '2;w=21600' } } });
    const r = await run([...rebaseArgs(), '--dry-run']);
    assert.equal(r.code, 0, r.err.join('\n'));
    const warnings = r.err.filter((l) => l.startsWith('Warning: registry'));
    assert.deepEqual(warnings, [`Warning: registry ${H} allows only 3 of 100 more pulls (counted over 6 hours); further requests may be refused with HTTP 429.`], 'once per registry');
  });
});
