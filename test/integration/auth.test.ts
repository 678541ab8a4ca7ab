// The CLI against registries that require sign-in: Basic (htpasswd) and Docker-Hub-style bearer
// tokens, with credentials from Docker's config.json, a credential helper (credHelpers) and a
// default store (credsStore). Failures must be one clean sentence and leave the target tag alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { authsEntry, credentialHelper, dockerConfigDir, pathWith, withEnv, type DockerConfigDir } from '../harness/creds';
import { buildImage, pushImage, seedStandardImages, type OciLayoutImage, type StandardImages } from '../harness/fixtures';
import { fetchManifest, putManifest, type RawAuth } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { startTokenServer, type TokenServer } from '../harness/tokenServer';

const USER = { username: 'rebaser', password: 'Corr3ct-Horse-Battery' };
const WRONG = { username: 'rebaser', password: 'Wr0ng-Pa55word-4711' };

interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await withEnv(env, () => main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }));
  return { code, out, err };
}

/** The single "Error: ..." line; fails unless there is exactly one, on one line, without a stack. */
function errorLine(r: CliResult): string {
  const all = r.err.join('\n');
  assert.ok(!/\n\s+at /.test(all) && !all.includes('    at '), `stack trace in output:\n${all}`);
  const errors = r.err.filter((l) => l.startsWith('Error:'));
  assert.equal(errors.length, 1, `expected one Error line, got:\n${all}`);
  assert.ok(!errors[0].includes('\n'), `multi-line error: ${errors[0]}`);
  assert.equal(r.err.at(-1), errors[0], 'the error should be the last thing printed');
  return errors[0];
}

function assertNoSecret(text: string, creds: { username: string; password: string }): void {
  assert.ok(!text.includes(creds.password), `password leaked: ${text}`);
  const b64 = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
  assert.ok(!text.includes(b64), `base64 credentials leaked: ${text}`);
}

/** Pre-creates the target tag with app:1's manifest, so "unchanged" is checkable. */
async function presetTarget(host: string, images: StandardImages, tag: string, auth: RawAuth): Promise<string> {
  const m = await fetchManifest(host, 'app', images.oci.app1.digest, auth);
  return putManifest(host, 'app', tag, m.body, m.mediaType, auth);
}

function assertRebasedLayers(layers: Array<{ digest: string }>, images: StandardImages): void {
  const expected = [...images.oci.base2.layers, ...images.oci.app1.layers.slice(images.oci.base1.layers.length)].map((l) => l.digest);
  assert.deepEqual(
    layers.map((l) => l.digest),
    expected,
    "the target's layers should be base:2's followed by app:1's own",
  );
}

// The standard images are built once, seeded into the Basic registry (seedStandardImages reads
// back with Basic credentials, which a token registry refuses) and pushed to the token registry
// from the same local layouts, so layer digests are the same on both.
let images: StandardImages;
let basicReg: TestRegistry;

before(async () => {
  basicReg = await startRegistry({ htpasswd: USER });
  images = await seedStandardImages(basicReg.host, { creds: USER });
});
after(async () => {
  await images?.cleanup();
  await basicReg?.stop();
});

describe('Basic auth (htpasswd) registry', () => {
  let reg: TestRegistry;
  let cfg: DockerConfigDir;
  let args: (target: string) => string[];

  before(async () => {
    reg = basicReg;
    cfg = await dockerConfigDir();
    const h = reg.host;
    args = (target) => [`${h}/app:1`, '-t', `${h}/app:${target}`, '-b', `${h}/base:2`, '-s', `${h}/base:1`];
  });
  after(async () => {
    await cfg?.cleanup();
  });

  test('rebases with a docker login entry (auths) in config.json', async () => {
    await cfg.write(authsEntry(reg.host, USER));
    const r = await runCli(args('rebased'), { DOCKER_CONFIG: cfg.dir });
    assert.equal(r.code, 0, r.err.join('\n'));
    const m = await fetchManifest(reg.host, 'app', 'rebased', USER);
    assertRebasedLayers(m.json.layers, images);
    assert.equal(r.out.at(-1), `${reg.host}/app:rebased@${m.digest}`);
    assertNoSecret([...r.out, ...r.err].join('\n'), USER);
  });

  test('rebases with credentials from a credential helper named in credHelpers', async () => {
    const helper = await credentialHelper('rebasetest', USER);
    try {
      await cfg.write({ credHelpers: { [reg.host]: helper.name } });
      const r = await runCli(args('via-helper'), { DOCKER_CONFIG: cfg.dir, PATH: pathWith(helper.binDir) });
      assert.equal(r.code, 0, r.err.join('\n'));
      const calls = await helper.calls();
      assert.ok(calls.length >= 1, 'the credential helper was never run');
      assert.ok(calls.every((c) => c.action === 'get' && c.serverUrl === reg.host), JSON.stringify(calls));
      assertRebasedLayers((await fetchManifest(reg.host, 'app', 'via-helper', USER)).json.layers, images);
    } finally {
      await helper.cleanup();
    }
  });

  test('rebases with credentials from the default credential store (credsStore)', async () => {
    const helper = await credentialHelper('rebasestore', USER);
    try {
      await cfg.write({ credsStore: helper.name });
      const r = await runCli(args('via-store'), { DOCKER_CONFIG: cfg.dir, PATH: pathWith(helper.binDir) });
      assert.equal(r.code, 0, r.err.join('\n'));
      const calls = await helper.calls();
      assert.ok(calls.length >= 1, 'the credential store was never asked');
      assert.ok(calls.every((c) => c.action === 'get' && c.serverUrl === reg.host), JSON.stringify(calls));
      assertRebasedLayers((await fetchManifest(reg.host, 'app', 'via-store', USER)).json.layers, images);
    } finally {
      await helper.cleanup();
    }
  });

  test('a wrong password fails with one sentence naming the registry, without the password', async () => {
    const before = await presetTarget(reg.host, images, 'wrong-pw', USER);
    await cfg.write(authsEntry(reg.host, WRONG));
    const r = await runCli(args('wrong-pw'), { DOCKER_CONFIG: cfg.dir });
    assert.equal(r.code, 1);
    const line = errorLine(r);
    assert.ok(line.includes(reg.host), line);
    assert.match(line, /credentials|password|sign[- ]?in|docker login/i);
    assertNoSecret([...r.out, ...r.err].join('\n'), WRONG);
    assertNoSecret([...r.out, ...r.err].join('\n'), USER);
    assert.equal((await fetchManifest(reg.host, 'app', 'wrong-pw', USER)).digest, before, 'the target tag changed');
  });

  test('a wrong password from a credential helper fails the same way', async () => {
    const helper = await credentialHelper('rebasewrong', WRONG);
    try {
      const before = await presetTarget(reg.host, images, 'wrong-pw-helper', USER);
      await cfg.write({ credHelpers: { [reg.host]: helper.name } });
      const r = await runCli(args('wrong-pw-helper'), { DOCKER_CONFIG: cfg.dir, PATH: pathWith(helper.binDir) });
      assert.equal(r.code, 1);
      const line = errorLine(r);
      assert.ok(line.includes(reg.host), line);
      assert.match(line, /credentials|password|sign[- ]?in|docker login/i);
      assertNoSecret([...r.out, ...r.err].join('\n'), WRONG);
      assert.ok((await helper.calls()).length >= 1);
      assert.equal((await fetchManifest(reg.host, 'app', 'wrong-pw-helper', USER)).digest, before);
    } finally {
      await helper.cleanup();
    }
  });

  test('no credentials at all: asks to sign in (docker login), exit 1', async () => {
    const before = await presetTarget(reg.host, images, 'no-creds', USER);
    const empty = await dockerConfigDir(); // no config.json at all
    try {
      const r = await runCli(args('no-creds'), { DOCKER_CONFIG: empty.dir });
      assert.equal(r.code, 1);
      const line = errorLine(r);
      assert.ok(line.includes(reg.host), line);
      assert.match(line, /sign[- ]in/i);
      assert.ok(line.includes(`docker login ${reg.host}`), line);
      assert.equal((await fetchManifest(reg.host, 'app', 'no-creds', USER)).digest, before);
    } finally {
      await empty.cleanup();
    }
  });
});

describe('bearer token registry', () => {
  let ts: TokenServer;
  let reg: TestRegistry;
  /** A new base with 6 layers (base:2's two and four more), for many concurrent blob requests. */
  let wide: OciLayoutImage;
  let cfg: DockerConfigDir;
  let args: (target: string) => string[];
  const read = (): RawAuth => ({ token: ts.issue(USER.username, ['repository:app:pull']) });

  before(async () => {
    ts = await startTokenServer({ users: { [USER.username]: USER.password } });
    reg = await startRegistry({ token: ts.authConfig });
    const { base1, base2, app1 } = images.built;
    await Promise.all([
      pushImage(base1, `${reg.host}/base:1`, { creds: USER }),
      pushImage(base2, `${reg.host}/base:2`, { creds: USER }),
    ]);
    const appDigest = await pushImage(app1, `${reg.host}/app:1`, { creds: USER });
    assert.equal(appDigest, images.oci.app1.digest, 'the OCI push should keep the manifest as built');
    wide = await buildImage({
      base: base2,
      layers: [1, 2, 3, 4].map((i) => ({ files: { [`/etc/wide-${i}`]: `${i}\n` }, createdBy: `RUN wide ${i}` })),
    });
    await pushImage(wide, `${reg.host}/widebase:1`, { creds: USER });
    cfg = await dockerConfigDir();
    const h = reg.host;
    args = (target) => [`${h}/app:1`, '-t', `${h}/app:${target}`, '-b', `${h}/base:2`, '-s', `${h}/base:1`];
  });
  after(async () => {
    await wide?.cleanup();
    await cfg?.cleanup();
    await reg?.stop();
    await ts?.stop();
  });

  test('rebases with config.json credentials, reusing tokens across requests', async (t) => {
    await cfg.write(authsEntry(reg.host, USER));
    ts.requests.length = 0;
    const r = await runCli([...args('rebased'), '--verbose'], { DOCKER_CONFIG: cfg.dir });
    assert.equal(r.code, 0, r.err.join('\n'));
    assertRebasedLayers((await fetchManifest(reg.host, 'app', 'rebased', read())).json.layers, images);

    // --verbose logs each registry request as "  METHOD URL"; token fetches are not among them.
    const registryRequests = r.err.filter((l) => /^\s+(GET|HEAD|PUT|POST|PATCH|DELETE) https?:\/\//.test(l)).length;
    const tokenRequests = ts.requests.length;
    t.diagnostic(`${tokenRequests} token requests for ${registryRequests} registry requests: ${ts.requests.map((q) => q.scope.join(' ')).join(' | ')}`);
    assert.ok(registryRequests >= 8, `expected the rebase to make several registry requests, saw ${registryRequests}`);
    assert.ok(tokenRequests >= 1 && tokenRequests <= 4, `token requests: ${tokenRequests} (${JSON.stringify(ts.requests)})`);
    assert.ok(tokenRequests * 2 <= registryRequests, `tokens are not reused: ${tokenRequests} token vs ${registryRequests} registry requests`);
    assert.ok(ts.requests.every((q) => q.user === USER.username), JSON.stringify(ts.requests));
    assert.ok(
      ts.requests.some((q) => q.scope.includes('repository:app:pull,push') || q.scope.includes('repository:app:push,pull')),
      `no token asked for pull,push on the target: ${JSON.stringify(ts.requests.map((q) => q.scope))}`,
    );
    assertNoSecret(r.err.join('\n'), USER);
  });

  test('token requests stay few when many layers are mounted at once (new base with 6 layers)', async (t) => {
    await cfg.write(authsEntry(reg.host, USER));
    ts.requests.length = 0;
    const h = reg.host;
    const r = await runCli([`${h}/app:1`, '-t', `${h}/app:wide`, '-b', `${h}/widebase:1`, '-s', `${h}/base:1`, '--verbose'], {
      DOCKER_CONFIG: cfg.dir,
    });
    assert.equal(r.code, 0, r.err.join('\n'));
    const m = await fetchManifest(reg.host, 'app', 'wide', read());
    assert.deepEqual(
      m.json.layers.map((l) => l.digest),
      [...wide.layers, ...images.oci.app1.layers.slice(1)].map((l) => l.digest),
    );
    const registryRequests = r.err.filter((l) => /^\s+(GET|HEAD|PUT|POST|PATCH|DELETE) https?:\/\//.test(l)).length;
    const scopes = ts.requests.map((q) => q.scope.join(' ')).join(' | ');
    t.diagnostic(`${ts.requests.length} token requests for ${registryRequests} registry requests: ${scopes}`);
    assert.ok(ts.requests.length <= 4, `${ts.requests.length} token requests: ${scopes}`);
  });

  test('rebases across registries: from this token registry into the Basic-auth one', async () => {
    // The target registry is first contacted by several blob requests at once (the 8 layers are
    // checked and copied concurrently), so they all meet its 401 together.
    await cfg.write({ auths: { ...authsEntry(reg.host, USER).auths, ...authsEntry(basicReg.host, USER).auths } });
    const h = reg.host;
    const r = await runCli([`${h}/app:1`, '-t', `${basicReg.host}/cross:1`, '-b', `${h}/widebase:1`, '-s', `${h}/base:1`], {
      DOCKER_CONFIG: cfg.dir,
    });
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(
      (await fetchManifest(basicReg.host, 'cross', '1', USER)).json.layers.map((l) => l.digest),
      [...wide.layers, ...images.oci.app1.layers.slice(1)].map((l) => l.digest),
    );
  });

  test('a wrong password fails with one sentence naming the registry, without the password', async () => {
    const before = await presetTarget(reg.host, images, 'wrong-pw', { token: ts.issue(USER.username, ['repository:app:pull,push']) });
    await cfg.write(authsEntry(reg.host, WRONG));
    ts.requests.length = 0;
    const r = await runCli(args('wrong-pw'), { DOCKER_CONFIG: cfg.dir });
    assert.equal(r.code, 1);
    const line = errorLine(r);
    assert.ok(line.includes(reg.host), line);
    assert.match(line, /credentials|password|sign[- ]?in|docker login/i);
    assertNoSecret([...r.out, ...r.err].join('\n'), WRONG);
    assert.ok(ts.requests.length >= 1 && ts.requests.length <= 2, `token service asked ${ts.requests.length} times with a bad password`);
    assert.equal((await fetchManifest(reg.host, 'app', 'wrong-pw', read())).digest, before, 'the target tag changed');
  });

  test('no credentials at all: asks to sign in (docker login), exit 1', async () => {
    const before = await presetTarget(reg.host, images, 'no-creds', { token: ts.issue(USER.username, ['repository:app:pull,push']) });
    const empty = await dockerConfigDir();
    try {
      const r = await runCli(args('no-creds'), { DOCKER_CONFIG: empty.dir });
      assert.equal(r.code, 1);
      const line = errorLine(r);
      assert.ok(line.includes(reg.host), line);
      assert.match(line, /sign[- ]in/i);
      assert.ok(line.includes(`docker login ${reg.host}`), line);
      assert.equal((await fetchManifest(reg.host, 'app', 'no-creds', read())).digest, before);
    } finally {
      await empty.cleanup();
    }
  });
});
