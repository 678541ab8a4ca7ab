// Registry credentials go to the registry's own origin only. Real registries (Distribution 2.8.2
// with Basic, and with Bearer tokens from our token service) behind test/harness/faultProxy.ts,
// which sends the client elsewhere the ways real registries do: a blob GET redirected to a
// storage host on another port (ECR, Quay → S3), a tag-list Link and an upload Location on
// another origin, a token realm redirected to another port. The other host logs what it gets and,
// like S3, refuses any Authorization: it must never see one.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { authsEntry, dockerConfigDir, withEnv, type DockerConfigDir } from '../harness/creds';
import { startFaultProxy, type FaultProxy } from '../harness/faultProxy';
import { pushImage, seedStandardImages, type StandardImages } from '../harness/fixtures';
import { fetchBlob } from '../harness/rawRegistry';
import { startRegistry, type TestRegistry } from '../harness/registry';
import { startStorageHost, type StorageHost } from '../harness/storageHost';
import { startTokenServer, type TokenServer } from '../harness/tokenServer';

const USER = { username: 'scoped', password: 'scoped secret' };

interface Setup {
  name: string;
  reg: TestRegistry;
  proxy: FaultProxy;
  cfg: DockerConfigDir;
}

/** Built and read back on an anonymous registry; pushed as they are (same digests) to the others. */
let plain: TestRegistry;
let seed: StandardImages;
let storage: StorageHost;
let tokens: TokenServer;
let tokenProxy: FaultProxy;
const setups: Setup[] = [];

async function setUp(name: string, reg: TestRegistry): Promise<Setup> {
  const { base1, base2, app1 } = seed.built;
  await Promise.all([pushImage(base1, `${reg.host}/base:1`, { creds: USER }), pushImage(base2, `${reg.host}/base:2`, { creds: USER })]);
  await pushImage(app1, `${reg.host}/app:1`, { creds: USER });
  const proxy = await startFaultProxy(reg.host);
  const cfg = await dockerConfigDir(authsEntry(proxy.host, USER));
  return { name, reg, proxy, cfg };
}

before(async () => {
  plain = await startRegistry();
  seed = await seedStandardImages(plain.host);
  storage = await startStorageHost();
  tokens = await startTokenServer({ users: { [USER.username]: USER.password } });
  // The registry names a realm on this proxy, so a test can redirect token requests elsewhere.
  tokenProxy = await startFaultProxy(new URL(tokens.realm).host);
  const [basicReg, tokenReg] = await Promise.all([
    startRegistry({ htpasswd: USER }),
    startRegistry({ token: { ...tokens.authConfig, realm: `${tokenProxy.url}/token` } }),
  ]);
  setups.push(await setUp('Basic', basicReg), await setUp('Bearer', tokenReg));
});

after(async () => {
  for (const s of setups) {
    await s.proxy.stop();
    await s.cfg.cleanup();
    await s.reg.stop();
  }
  await seed?.cleanup();
  await plain?.stop();
  await tokenProxy?.stop();
  await tokens?.stop();
  await storage?.stop();
});

beforeEach(() => {
  storage.log.length = 0;
  for (const p of [tokenProxy, ...setups.map((s) => s.proxy)]) {
    p.clearRules();
    p.log.length = 0;
  }
});

async function run(s: Setup, ...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await withEnv({ DOCKER_CONFIG: s.cfg.dir }, () => main(argv, { out: () => undefined, err: (l) => err.push(l) }));
  return { code, err: err.join('\n') };
}

function assertStorageSawNoCredentials(expectAtLeast = 1): void {
  assert.ok(storage.log.length >= expectAtLeast, `the storage host was used (${storage.log.length} requests)`);
  assert.deepEqual(storage.log.filter((e) => e.authorization !== undefined), [], 'no Authorization ever reached the other host');
}

for (const name of ['Basic', 'Bearer']) {
  describe(`${name} credentials stay on the registry's origin`, () => {
    const s = () => setups.find((x) => x.name === name)!;

    test('a blob GET redirected to a storage host on another port', async () => {
      const { proxy } = s();
      const cfgDigest = seed.oci.base2.configDigest;
      storage.setBlob(await fetchBlob(plain.host, 'base', cfgDigest));
      proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${cfgDigest}$`), fault: { kind: 'redirect', to: storage.url }, times: Infinity });
      const P = proxy.host;
      const r = await run(s(), `${P}/app:1`, '-t', `${P}/app:redirected`, '-b', `${P}/base:2`, '-s', `${P}/base:1`);
      assert.equal(r.code, 0, r.err);
      assertStorageSawNoCredentials();
      assert.ok(storage.log.some((e) => e.method === 'GET' && e.path.endsWith(cfgDigest)), 'the config came from the storage host');
      assert.ok(proxy.log.some((e) => e.authorization), 'the registry itself did get credentials');
    });

    test('a tag-list Link to another origin is followed without credentials', async () => {
      const { proxy } = s();
      storage.setPage({ name: 'base', tags: ['1', '2'] });
      proxy.addRule({
        method: 'GET',
        path: /\/v2\/base\/tags\/list/,
        fault: { kind: 'status', status: 200, headers: { 'Content-Type': 'application/json', Link: `<${storage.url}/v2/base/tags/list?last=0>; rel="next"` }, body: '{"name":"base","tags":["0"]}' },
      });
      const P = proxy.host;
      // Without -s the old base is searched among the new base repository's tags.
      const r = await run(s(), `${P}/app:1`, '-t', `${P}/app:linked`, '-b', `${P}/base:2`, '--dry-run');
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /Old base detected as .*\/base:1/);
      assertStorageSawNoCredentials();
    });

    test('an upload Location on another origin gets no credentials (and the tag is untouched)', async () => {
      const { proxy } = s();
      proxy.addRule({ method: 'POST', path: /\/v2\/located\/blobs\/uploads\/$/, fault: { kind: 'status', status: 202, headers: { Location: `${storage.url}/upload/session-1` } }, times: Infinity });
      const P = proxy.host;
      const r = await run(s(), `${P}/app:1`, '-t', `${P}/located:1`, '-b', `${P}/base:2`, '-s', `${P}/base:1`);
      // The storage host took the config, so the registry never got it (a new repository: no
      // earlier push left it there): the manifest is refused.
      assert.equal(r.code, 1, r.err);
      assert.match(r.err.split('\n').at(-1)!, /^Error: .*\.$/);
      assertStorageSawNoCredentials();
      assert.ok(storage.log.some((e) => e.method === 'PUT' && e.bodyBytes > 0), 'the upload went to the Location');
      assert.ok(!proxy.log.some((e) => e.method === 'PUT' && e.path.endsWith('/located/manifests/1') && e.upstreamStatus === 201), 'no manifest was stored');
    });
  });
}

describe('token service', () => {
  test('a token realm redirected to another port gets no Basic credentials', async () => {
    const s = setups.find((x) => x.name === 'Bearer')!;
    // A token for everything this rebase touches, minted straight from the token service, is
    // what the storage host hands out: the redirect works, without the password going along.
    const mint = new URL(tokens.realm);
    mint.searchParams.set('service', tokens.authConfig.service);
    for (const scope of ['repository:app:pull,push', 'repository:base:pull']) mint.searchParams.append('scope', scope);
    const res = await fetch(mint, { headers: { Authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` } });
    storage.setBlob(await res.text());
    tokenProxy.addRule({ method: 'GET', path: /^\/token/, fault: { kind: 'redirect', to: storage.url }, times: Infinity });
    const P = s.proxy.host;
    const r = await run(s, `${P}/app:1`, '-t', `${P}/app:realm-redirected`, '-b', `${P}/base:2`, '-s', `${P}/base:1`);
    assert.equal(r.code, 0, r.err);
    assert.ok(tokenProxy.log.length >= 1 && tokenProxy.log.every((e) => e.authorization), 'the realm itself got the Basic credentials');
    assertStorageSawNoCredentials();
  });
});
