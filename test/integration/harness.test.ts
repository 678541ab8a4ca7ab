// Smoke test for the test harness itself: real registry, real images, real containerd. If this
// fails, the integration tests of the rebase code cannot be trusted either way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pullAndUnpack } from '../harness/containerd';
import { buildImage, pushImage, seedStandardImages, type StandardImages } from '../harness/fixtures';
import { authHeaders, catalog, fetchBlob, fetchManifest, putManifest, sha256, uploadBlob } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { startTokenServer, type TokenServer } from '../harness/tokenServer';
import { liveChildren, strayProcesses } from '../harness/tools';

const USER = { username: 'tester', password: 's3cret' };
const basic = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;

describe('anonymous registry with the standard images', () => {
  let reg: TestRegistry;
  let images: StandardImages;

  before(async () => {
    reg = await startRegistry();
    const t0 = Date.now();
    images = await seedStandardImages(reg.host);
    console.log(`seedStandardImages: ${Date.now() - t0} ms`);
  });
  after(async () => {
    await images?.cleanup();
    await reg?.stop();
  });

  test('the catalog lists the seeded repositories', async () => {
    assert.deepEqual((await catalog(reg.host)).sort(), ['app', 'base', 'dapp', 'dbase']);
  });

  test('pushed media types follow the requested format', () => {
    assert.equal(images.oci.app1.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(images.docker.app1.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.ok(images.docker.app1.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
  });

  test("app:1's layers and diff_ids start with base:1's, and not with base:2's", () => {
    for (const set of [images.oci, images.docker]) {
      const base = set.base1.layers;
      const app = set.app1.layers;
      assert.equal(app.length, base.length + 2);
      assert.deepEqual(
        app.slice(0, base.length).map((l) => [l.digest, l.diffId]),
        base.map((l) => [l.digest, l.diffId]),
      );
      assert.notEqual(app[0].digest, set.base2.layers[0].digest);
      assert.equal(set.base2.layers.length, 2);
    }
  });

  test('app:1 history interleaves empty_layer entries between its layers', () => {
    const history = images.oci.app1.config.history ?? [];
    const steps = history.map((h) => `${h.empty_layer ? 'E' : 'L'} ${h.created_by}`);
    assert.deepEqual(steps.slice(-6), [
      'E WORKDIR /app',
      'L COPY hello.txt /app/',
      'E ENV APP_MODE=test',
      'L COPY config.json /app/',
      'E LABEL org.example.app=app1',
      'E CMD ["cat","/app/hello.txt"]',
    ]);
    assert.equal(history.filter((h) => !h.empty_layer).length, images.oci.app1.layers.length);
    assert.equal(images.oci.app1.config.config?.WorkingDir, '/app');
  });

  test('containerd pulls and unpacks app:1 (OCI and Docker) with the base files underneath', async () => {
    for (const ref of [images.oci.app1.ref, images.docker.app1.ref]) {
      const t0 = Date.now();
      const pulled = await pullAndUnpack(ref);
      console.log(`pullAndUnpack ${ref}: ${Date.now() - t0} ms`);
      try {
        assert.equal(pulled.readFile('/app/hello.txt'), 'hello from app 1\n');
        assert.equal(pulled.readFile('/app/config.json'), '{"app":1}\n');
        assert.equal(pulled.readFile('/etc/base-version'), '1');
        assert.ok(pulled.exists('/base1-only.txt'));
        assert.ok(!pulled.exists('/base2-only.txt'));
        assert.equal(pulled.readFile('/missing'), undefined);
      } finally {
        await pulled.cleanup();
      }
    }
  });

  test('containerd rejects an image whose config has a wrong diff_id', async () => {
    // What a broken rebase would produce: right layers, config pointing at other diff_ids.
    const app = images.oci.app1;
    const config = structuredClone(app.config);
    config.rootfs.diff_ids[0] = images.oci.base2.layers[0].diffId;
    const configBody = JSON.stringify(config);
    const configDigest = await uploadBlob(reg.host, 'app', configBody);
    const manifest = (await fetchManifest(reg.host, 'app', app.digest)).json;
    manifest.config = { ...manifest.config, digest: configDigest, size: Buffer.byteLength(configBody) };
    await putManifest(reg.host, 'app', 'broken', JSON.stringify(manifest), app.mediaType);
    await assert.rejects(pullAndUnpack(`${reg.host}/app:broken`), /wrong diff id calculated on extraction/);
  });

  test('a file deletion becomes a whiteout that hides the base file', async () => {
    const img = await buildImage({ base: images.built.base1, layers: [{ delete: ['/base1-only.txt'] }] });
    try {
      await pushImage(img, `${reg.host}/wh:1`);
      const pulled = await pullAndUnpack(`${reg.host}/wh:1`);
      try {
        assert.ok(!pulled.exists('/base1-only.txt'));
        assert.equal(pulled.readFile('/etc/base-version'), '1');
      } finally {
        await pulled.cleanup();
      }
    } finally {
      await img.cleanup();
    }
  });

  test('kill() makes the registry unreachable and start() brings it back with its content', async () => {
    await reg.kill();
    await assert.rejects(fetch(`${reg.url}/v2/`));
    await reg.start();
    const m = await fetchManifest(reg.host, 'app', '1');
    assert.equal(m.digest, images.oci.app1.digest);
  });
});

describe('registry with htpasswd auth', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ htpasswd: USER });
  });
  after(async () => {
    await reg?.stop();
  });

  test('anonymous GET /v2/ is 401 with a Basic challenge, with credentials 200', async () => {
    const anon = await fetch(`${reg.url}/v2/`);
    await anon.arrayBuffer();
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    const ok = await fetch(`${reg.url}/v2/`, { headers: { Authorization: basic } });
    await ok.arrayBuffer();
    assert.equal(ok.status, 200);
  });

  test('skopeo pushes with credentials and is refused without', async () => {
    const img = await buildImage({ layers: [{ '/hello': 'hi' }] });
    try {
      const digest = await pushImage(img, `${reg.host}/auth/img:1`, { creds: USER });
      assert.equal((await fetchManifest(reg.host, 'auth/img', '1', USER)).digest, digest);
      await assert.rejects(pushImage(img, `${reg.host}/auth/img:2`), /unauthorized|authentication required/i);
    } finally {
      await img.cleanup();
    }
  });
});

describe('registry with token auth', () => {
  let tokens: TokenServer;
  let reg: TestRegistry;
  let pushedDigest: string;

  before(async () => {
    tokens = await startTokenServer({ users: { [USER.username]: USER.password } });
    reg = await startRegistry({ token: tokens.authConfig });
    const img = await buildImage({ layers: [{ '/etc/token-test': 'yes' }] });
    try {
      pushedDigest = await pushImage(img, `${reg.host}/secure/app:1`, { creds: USER });
    } finally {
      await img.cleanup();
    }
  });
  after(async () => {
    await reg?.stop();
    await tokens?.stop();
  });

  test('GET /v2/ is 401 with a Bearer challenge naming our realm and service', async () => {
    const res = await fetch(`${reg.url}/v2/`);
    await res.arrayBuffer();
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.ok(challenge.includes(`realm="${tokens.realm}"`), challenge);
    assert.ok(challenge.includes(`service="${tokens.service}"`), challenge);
  });

  test('a token fetched with Basic credentials opens /v2/ and the manifest', async () => {
    const scope = 'repository:secure/app:pull';
    const url = `${tokens.realm}?service=${encodeURIComponent(tokens.service)}&scope=${encodeURIComponent(scope)}`;
    const res = await fetch(url, { headers: { Authorization: basic } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number };
    assert.equal(body.token, body.access_token);
    assert.equal(body.expires_in, 300);

    const base = await fetch(`${reg.url}/v2/`, { headers: authHeaders({ token: body.token }) });
    await base.arrayBuffer();
    assert.equal(base.status, 200);
    const m = await fetchManifest(reg.host, 'secure/app', '1', { token: body.token });
    assert.equal(m.digest, pushedDigest);
    const configBlob = await fetchBlob(reg.host, 'secure/app', m.json.config.digest, { token: body.token });
    assert.equal(sha256(configBlob), m.json.config.digest);

    const last = tokens.requests.at(-1);
    assert.deepEqual(last, { method: 'GET', scope: [scope], user: USER.username, service: tokens.service });
  });

  test('an anonymous token grants nothing; a wrong password gets 401 from the token server', async () => {
    const url = `${tokens.realm}?service=${tokens.service}&scope=repository:secure/app:pull`;
    const anon = (await (await fetch(url)).json()) as { token: string };
    const denied = await fetch(`${reg.url}/v2/secure/app/manifests/1`, { headers: authHeaders({ token: anon.token }) });
    await denied.arrayBuffer();
    assert.equal(denied.status, 401);

    const wrong = await fetch(url, {
      headers: { Authorization: `Basic ${Buffer.from(`${USER.username}:nope`).toString('base64')}` },
    });
    await wrong.arrayBuffer();
    assert.equal(wrong.status, 401);
  });

  test('containerd pulls through the bearer flow with credentials', async () => {
    const pulled = await pullAndUnpack(`${reg.host}/secure/app:1`, { creds: `${USER.username}:${USER.password}` });
    try {
      assert.equal(pulled.readFile('/etc/token-test'), 'yes');
    } finally {
      await pulled.cleanup();
    }
  });
});

test('no harness process is left running', () => {
  assert.equal(liveChildren(), 0);
  assert.deepEqual(strayProcesses(), []);
});
