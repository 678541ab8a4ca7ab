// "Nothing lost": every way a rebase can be asked for wrongly ends with one sentence that names the
// offending input and says what to do, a non-zero exit code, no stack trace, and the target tag
// exactly as it was. Against a real registry (Distribution 2.8.2).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { dockerConfigDir, withEnv, type DockerConfigDir } from '../harness/creds';
import { buildImage, pushImage, seedStandardImages, type OciLayoutImage, type StandardImages } from '../harness/fixtures';
import { freePort } from '../harness/ports';
import { fetchManifest, putManifest } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { SCHEMA1_SIGNED_MEDIA_TYPE, signedSchema1Manifest, storeSchema1Manifest, tryPushSchema1 } from '../harness/schema1';
import { run } from '../harness/tools';

const ROOT = join(__dirname, '..', '..');

let reg: TestRegistry;
let images: StandardImages;
let emptyConfig: DockerConfigDir;
let H: string;

interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

async function runCli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  // No stored logins: the user's own ~/.docker must not play a part.
  const code = await withEnv({ DOCKER_CONFIG: emptyConfig.dir }, () =>
    main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }),
  );
  return { code, out, err };
}

function assertNoStack(text: string): void {
  assert.ok(!text.includes('    at ') && !/\n\s+at \S+ \(/.test(text), `stack trace in output:\n${text}`);
}

/**
 * A failed rebase: the exit code, nothing on stdout, and exactly one "Error: ..." line, last, on
 * one line, one sentence (ends with a period and has no sentence break inside), without a stack.
 */
function failure(r: CliResult, code = 1): string {
  const all = r.err.join('\n');
  assert.equal(r.code, code, `exit code; stderr:\n${all}`);
  assert.deepEqual(r.out, [], 'nothing on stdout');
  assertNoStack(all);
  const errors = r.err.filter((l) => l.startsWith('Error:'));
  assert.equal(errors.length, 1, `expected one Error line, got:\n${all}`);
  const line = errors[0];
  assert.equal(r.err.at(-1), line, 'the error is the last line printed');
  assert.ok(!line.includes('\n'), 'one line');
  assert.match(line, /\.$/, `one sentence ending in a period: ${line}`);
  assert.ok(!/[.;] [A-Z][a-z]+ [a-z]/.test(line.slice('Error: '.length).replace(/"[^"]*"/g, '""')), `more than one sentence: ${line}`);
  return line;
}

/** A usage error: exit 2, one line pointing at --help, nothing on stdout. */
function usageFailure(r: CliResult): string {
  const all = r.err.join('\n');
  assert.equal(r.code, 2, `exit code; stderr:\n${all}`);
  assert.deepEqual(r.out, []);
  assertNoStack(all);
  assert.equal(r.err.length, 1, `one line expected:\n${all}`);
  assert.match(r.err[0], /--help/);
  return r.err[0];
}

let targetCount = 0;
/** A fresh target tag in repo "app" holding app:1's manifest; returns its tag and digest. */
async function presetTarget(registry = reg): Promise<{ ref: string; tag: string; digest: string; check(): Promise<void> }> {
  const tag = `target-${++targetCount}`;
  const m = await fetchManifest(registry.host, 'app', images.oci.app1.digest);
  const digest = await putManifest(registry.host, 'app', tag, m.body, m.mediaType);
  return {
    ref: `${registry.host}/app:${tag}`,
    tag,
    digest,
    async check() {
      const now = await fetchManifest(registry.host, 'app', tag);
      assert.equal(now.digest, digest, `target tag ${tag} was changed`);
    },
  };
}

before(async () => {
  emptyConfig = await dockerConfigDir();
  reg = await startRegistry();
  H = reg.host;
  images = await seedStandardImages(reg.host);
});
after(async () => {
  await images?.cleanup();
  await reg?.stop();
  await emptyConfig?.cleanup();
});

describe('malformed references', () => {
  // Each bad input, with what its message must say.
  const cases: Array<{ input: string; says: RegExp }> = [
    { input: 'Foo/Bar:1', says: /must be lowercase, so use "Foo\/bar:1"/ },
    { input: 'app:', says: /nothing follows the ":", so give a tag/ },
    { input: 'a@sha256:123', says: /sha256 digest has 64 hex digits, but this one has 3 characters/ },
    { input: '::', says: /path component ":" contains ":", but repository paths may only use/ },
  ];
  const positions = ['SOURCE', '-t', '-b', '-s'] as const;
  type Position = (typeof positions)[number];

  function argv(pos: Position, bad: string, target: string): string[] {
    const a = { SOURCE: `${H}/app:1`, '-t': target, '-b': `${H}/base:2`, '-s': `${H}/base:1` };
    a[pos] = bad;
    return [a.SOURCE, '-t', a['-t'], '-b', a['-b'], '-s', a['-s']];
  }

  for (const pos of positions) {
    for (const { input, says } of cases) {
      test(`${JSON.stringify(input)} as ${pos}: a usage error (exit 2)`, async () => {
        const t = await presetTarget();
        const line = failure(await runCli(argv(pos, input, t.ref)), 2);
        assert.ok(line.startsWith(`Error: ${JSON.stringify(input)} is not a valid image reference: `), line);
        assert.match(line, says);
        await t.check();
      });
    }
  }

  for (const [pos, name] of [
    ['SOURCE', /SOURCE/],
    ['-t', /-t TARGET/],
    ['-b', /-b NEWBASE/],
  ] as const) {
    test(`an empty ${pos} is a usage error naming it`, async () => {
      const t = await presetTarget();
      const line = usageFailure(await runCli(argv(pos, '', t.ref)));
      assert.match(line, /missing/);
      assert.match(line, name);
      await t.check();
    });
  }

  test('an empty -s is refused as a usage error, not silently replaced by a guess', async () => {
    const t = await presetTarget();
    const line = failure(await runCli(argv('-s', '', t.ref)), 2);
    assert.match(line, /-s|OLDBASE|old base|empty/);
    await t.check();
  });

  test('a malformed reference is refused before any request, so no progress is printed', async () => {
    const t = await presetTarget();
    const r = await runCli(argv('-b', 'Foo/Bar:1', t.ref));
    failure(r, 2);
    assert.equal(r.err.length, 1, r.err.join('\n'));
    await t.check();
  });

  test('control characters in a malformed reference are shown escaped', async () => {
    const t = await presetTarget();
    const line = failure(await runCli(argv('SOURCE', `${H}/app:1\u001b]0;pwned\u0007`, t.ref)), 2);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(line), line);
    assert.ok(line.includes('\\u001b') || line.includes('\\x1b'), line);
    await t.check();
  });

  for (const [what, args] of [
    ['TARGET', (bad: string) => [bad, `${H}/app:1`]],
    ['IMAGE', (bad: string) => [`${H}/app:list`, `${H}/app:1`, bad]],
  ] as const) {
    test(`manifest-list: a malformed ${what} is a usage error (exit 2)`, async () => {
      const line = failure(await runCli(['manifest-list', ...args('Foo/Bar:1')]), 2);
      assert.ok(line.startsWith('Error: "Foo/Bar:1" is not a valid image reference: '), line);
      assert.match(line, /must be lowercase/);
    });
  }
});

describe('images that do not exist', () => {
  const base = () => ({ SOURCE: `${H}/app:1`, '-b': `${H}/base:2`, '-s': `${H}/base:1` });
  const cases: Array<{ what: string; pos: 'SOURCE' | '-b' | '-s'; ref: () => string; says: () => string }> = [
    { what: 'unknown tag as SOURCE', pos: 'SOURCE', ref: () => `${H}/app:nope`, says: () => `Image ${H}/app has no tag "nope"` },
    { what: 'unknown repository as SOURCE', pos: 'SOURCE', ref: () => `${H}/nosuch/app:1`, says: () => `Image ${H}/nosuch/app has no tag "1"` },
    { what: 'unknown tag as new base', pos: '-b', ref: () => `${H}/base:nope`, says: () => `Image ${H}/base has no tag "nope"` },
    { what: 'unknown repository as new base', pos: '-b', ref: () => `${H}/nosuchbase:2`, says: () => `Image ${H}/nosuchbase has no tag "2"` },
    { what: 'unknown tag as old base', pos: '-s', ref: () => `${H}/base:nope`, says: () => `Image ${H}/base has no tag "nope"` },
    { what: 'unknown repository as old base', pos: '-s', ref: () => `${H}/nosuchbase:1`, says: () => `Image ${H}/nosuchbase has no tag "1"` },
  ];
  for (const c of cases) {
    test(c.what, async () => {
      const t = await presetTarget();
      const a = { ...base(), [c.pos]: c.ref() };
      const line = failure(await runCli([a.SOURCE, '-t', t.ref, '-b', a['-b'], '-s', a['-s']]));
      assert.ok(line.includes(c.says()), line);
      assert.match(line, /check the name and tag/);
      await t.check();
    });
  }

  test('a missing digest names the digest', async () => {
    const t = await presetTarget();
    const digest = `sha256:${'0'.repeat(64)}`;
    const line = failure(await runCli([`${H}/app@${digest}`, '-t', t.ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`]));
    assert.ok(line.includes(`Image ${H}/app has no digest ${digest}`), line);
    await t.check();
  });
});

test('an image not built on the stated old base: says so and which layer differs', async () => {
  const t = await presetTarget();
  // app:1 was built on base:1; claim base:2.
  const line = failure(await runCli([`${H}/app:1`, '-t', t.ref, '-b', `${H}/base:1`, '-s', `${H}/base:2`]));
  assert.ok(line.includes(`Image ${H}/app:1 is not built on ${H}/base:2`), line);
  assert.match(line, /layer 1 differs/);
  assert.match(line, /with -s/);
  await t.check();
});

describe('Docker schema 1 manifests', () => {
  let schema1Digest: string;

  before(async () => {
    const m = signedSchema1Manifest({ name: 'legacy', tag: '1' });
    // Distribution 2.8 refuses schema 1 pushes (unless its config enables them)...
    const put = await tryPushSchema1(H, 'legacy', '1', m);
    assert.notEqual(put.status, 201, 'expected Distribution 2.8 to refuse a schema 1 push');
    // ...but serves the ones it holds, as registries with old images do.
    schema1Digest = await storeSchema1Manifest(reg.storageDir, 'legacy', '1', m);
    const res = await fetch(`${reg.url}/v2/legacy/manifests/1`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal(res.headers.get('content-type'), SCHEMA1_SIGNED_MEDIA_TYPE);
    assert.equal(res.headers.get('docker-content-digest'), schema1Digest);
    assert.equal(JSON.parse(body).schemaVersion, 1);
  });

  test('schema 1 SOURCE by tag: says schema 1 and to push it again as schema 2/OCI', async () => {
    const t = await presetTarget();
    const line = failure(await runCli([`${H}/legacy:1`, '-t', t.ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`]));
    assert.ok(line.includes(`${H}/legacy:1`), line);
    assert.match(line, /schema 1/);
    assert.match(line, /push it again|rebuild|re-?push/i);
    await t.check();
  });

  test('schema 1 SOURCE by digest: the same message', async () => {
    const t = await presetTarget();
    const line = failure(await runCli([`${H}/legacy@${schema1Digest}`, '-t', t.ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`]));
    assert.ok(line.includes(`${H}/legacy`), line);
    assert.match(line, /schema 1/);
    await t.check();
  });

  test('schema 1 new base: says schema 1', async () => {
    const t = await presetTarget();
    const line = failure(await runCli([`${H}/app:1`, '-t', t.ref, '-b', `${H}/legacy:1`, '-s', `${H}/base:1`]));
    assert.ok(line.includes(`${H}/legacy:1`), line);
    assert.match(line, /schema 1/);
    await t.check();
  });
});

describe('unreachable registries', () => {
  test('a registry that was started and then killed', async () => {
    const dead = await startRegistry();
    try {
      // Give it a target tag to protect, then take it down.
      const before = await pushImage(images.built.base1, `${dead.host}/app:target`);
      await dead.kill();
      const line = failure(await runCli([`${dead.host}/app:1`, '-t', `${dead.host}/app:target`, '-b', `${dead.host}/base:2`]));
      assert.ok(
        line.startsWith(`Error: Registry ${dead.host} is unreachable (connection refused, tried 5 times); `),
        line,
      );
      assert.match(line, /check that it is running/);
      await dead.start();
      assert.equal((await fetchManifest(dead.host, 'app', 'target')).digest, before);
    } finally {
      await dead.stop();
    }
  });

  test('a port where nothing listens', async () => {
    const t = await presetTarget();
    const nobody = `127.0.0.1:${await freePort()}`;
    const line = failure(await runCli([`${nobody}/app:1`, '-t', t.ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`]));
    assert.ok(line.startsWith(`Error: Registry ${nobody} is unreachable (connection refused, tried 5 times); `), line);
    await t.check();
  });

  test('the new base on an unreachable registry', async () => {
    const t = await presetTarget();
    const nobody = `127.0.0.1:${await freePort()}`;
    const line = failure(await runCli([`${H}/app:1`, '-t', t.ref, '-b', `${nobody}/base:2`, '-s', `${H}/base:1`]));
    assert.ok(line.startsWith(`Error: Registry ${nobody} is unreachable (connection refused, tried 5 times); `), line);
    await t.check();
  });
});

describe('usage errors', () => {
  test('missing -t', async () => {
    const line = usageFailure(await runCli([`${H}/app:1`, '-b', `${H}/base:2`]));
    assert.match(line, /missing -t TARGET/);
  });

  test('missing -b', async () => {
    const line = usageFailure(await runCli([`${H}/app:1`, '-t', `${H}/app:x`]));
    assert.match(line, /missing -b NEWBASE/);
  });

  test('missing SOURCE, -t and -b together are all named', async () => {
    const line = usageFailure(await runCli([]));
    assert.match(line, /SOURCE/);
    assert.match(line, /-t TARGET/);
    assert.match(line, /-b NEWBASE/);
  });

  test('an unknown flag is named', async () => {
    const t = await presetTarget();
    const line = usageFailure(await runCli([`${H}/app:1`, '--frobnicate', '-t', t.ref, '-b', `${H}/base:2`]));
    assert.match(line, /--frobnicate/);
    await t.check();
  });

  test('-t without its value', async () => {
    const line = usageFailure(await runCli([`${H}/app:1`, '-b', `${H}/base:2`, '-t']));
    assert.match(line, /-t/);
  });

  test('a second positional argument', async () => {
    const line = usageFailure(await runCli([`${H}/app:1`, `${H}/app:2`, '-t', `${H}/app:x`, '-b', `${H}/base:2`]));
    assert.match(line, new RegExp(`unexpected argument "${H}/app:2"`));
  });

  test('--help prints the usage and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.err, []);
    const text = r.out.join('\n');
    for (const opt of ['-t', '-b', '-s', '--dry-run', '--json']) {
      assert.ok(new RegExp(`(^|\\s|,)${opt.replace(/-/g, '\\-')}\\b`, 'm').test(text), `--help does not mention ${opt}`);
    }
  });
});

describe('platforms', () => {
  let otherArch: string;
  let foreign: OciLayoutImage;

  before(async () => {
    otherArch = images.oci.app1.config.architecture === 'arm64' ? 'amd64' : 'arm64';
    foreign = await buildImage({ layers: [{ '/etc/base-version': 'foreign' }], os: 'linux', arch: otherArch });
    await pushImage(foreign, `${H}/foreignbase:1`);
  });
  after(async () => {
    await foreign?.cleanup();
  });

  test('a new base for another architecture: both platforms are named', async () => {
    const t = await presetTarget();
    const line = failure(await runCli([`${H}/app:1`, '-t', t.ref, '-b', `${H}/foreignbase:1`, '-s', `${H}/base:1`]));
    const mine = `${images.oci.app1.config.os}/${images.oci.app1.config.architecture}`;
    assert.ok(line.includes(`linux/${otherArch}`), line);
    assert.ok(line.includes(mine), line);
    assert.ok(line.includes(`${H}/foreignbase:1`), line);
    assert.match(line, /choose a new base built for/);
    await t.check();
  });
});

describe('the target', () => {
  test('a target given as a digest', async () => {
    const t = await presetTarget();
    const ref = `${H}/app@${t.digest}`;
    const r = await runCli([`${H}/app:1`, '-t', ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`]);
    assert.notEqual(r.code, 0);
    const line = failure(r, r.code);
    assert.ok(line.includes(`The target "${ref}" names a digest`), line);
    assert.match(line, /give a tag to push to instead/);
    await t.check();
  });

  test('a target with both a tag and a digest', async () => {
    const t = await presetTarget();
    const ref = `${H}/app:${t.tag}@${t.digest}`;
    const r = await runCli([`${H}/app:1`, '-t', ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`]);
    assert.notEqual(r.code, 0);
    const line = failure(r, r.code);
    assert.match(line, /names a digest/);
    await t.check();
  });
});

describe('the built CLI as a subprocess', () => {
  before(async () => {
    await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, timeoutMs: 60_000 });
  });

  test('an unknown tag: exit 1, a single Error line on stderr, no stack trace', async () => {
    const t = await presetTarget();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin', 'rebase-image.js'), `${H}/app:nope`, '-t', t.ref, '-b', `${H}/base:2`, '-s', `${H}/base:1`],
        { cwd: ROOT, env: { ...process.env, DOCKER_CONFIG: emptyConfig.dir, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('error', reject);
      child.once('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    assertNoStack(stderr);
    const errors = stderr.split('\n').filter((l) => l.startsWith('Error:'));
    assert.equal(errors.length, 1, stderr);
    assert.ok(errors[0].includes(`Image ${H}/app has no tag "nope"`), errors[0]);
    assert.equal(stderr.trimEnd().split('\n').at(-1), errors[0]);
    await t.check();
  });
});
