import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ChainedCredentialStore, Credentials, StaticCredentialStore } from '../../src/core/auth/credentials';
import { DockerConfigCredentialStore } from '../../src/core/auth/dockerConfigStore';
import { helperServerUrl, lookupRegistryKey, registryHostname } from '../../src/core/auth/registryKeys';
import { UserError } from '../../src/core/errors';

// Lower-case directory names, so registry names (which are lower-cased) can point into them.
let root: string;
let n = 0;
function freshDir(): string {
  const d = path.join(root, `d${n++}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
function writeConfig(dir: string, config: unknown): void {
  fs.writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');

before(() => {
  root = path.join(os.tmpdir(), `auth-cred-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(root);
});
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function rejectsWith(p: Promise<unknown>, code: string, check: (msg: string) => void): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected UserError, got ${e}`);
    assert.equal(e.code, code);
    check(e.message);
    return e;
  }
  assert.fail('expected a rejection');
}

test('registryHostname strips scheme and path, lower-cases', () => {
  assert.equal(registryHostname('https://ghcr.io/v1/'), 'ghcr.io');
  assert.equal(registryHostname('http://127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(registryHostname('Registry.Example.com/some/path'), 'registry.example.com');
  assert.equal(registryHostname('localhost:5000'), 'localhost:5000');
  assert.equal(helperServerUrl('docker.io'), 'https://index.docker.io/v1/');
  assert.equal(helperServerUrl('ghcr.io'), 'ghcr.io');
});

test('missing config file → undefined', async () => {
  const dir = freshDir();
  const store = new DockerConfigCredentialStore({ configDir: dir });
  assert.equal(await store.get('docker.io'), undefined);
  const store2 = new DockerConfigCredentialStore({ configDir: path.join(dir, 'does-not-exist') });
  assert.equal(await store2.get('ghcr.io'), undefined);
});

test('malformed JSON → credentials error naming the file, without its content', async () => {
  const dir = freshDir();
  writeConfig(dir, '{"auths": {"ghcr.io": {"auth": "c2VjcmV0LXZhbHVl"}} oops');
  const store = new DockerConfigCredentialStore({ configDir: dir });
  await rejectsWith(store.get('ghcr.io'), 'credentials', (m) => {
    assert.ok(m.includes(path.join(dir, 'config.json')), m);
    assert.ok(!m.includes('c2VjcmV0'), m);
  });
});

test('DOCKER_CONFIG in env picks the directory', async () => {
  const dir = freshDir();
  writeConfig(dir, { auths: { 'ghcr.io': { auth: b64('u:p') } } });
  const store = new DockerConfigCredentialStore({ env: { DOCKER_CONFIG: dir, PATH: '' } });
  assert.equal(store.configFile, path.join(dir, 'config.json'));
  assert.deepEqual(await store.get('ghcr.io'), { username: 'u', password: 'p' });
});

test('auths entries in every form', async () => {
  const dir = freshDir();
  writeConfig(dir, {
    auths: {
      'ghcr.io': { auth: b64('octo:ghp_pass:with:colons') },
      'registry.example.com': { username: 'bob', password: 'hunter2' },
      'myreg.azurecr.io': { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh-abc' },
      'tokens.example.com': { registrytoken: 'ready-bearer' },
      'placeholder.example.com': {},
      'empty-auth.example.com': { auth: '' },
    },
  });
  const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: '' });
  assert.deepEqual(await store.get('ghcr.io'), { username: 'octo', password: 'ghp_pass:with:colons' });
  assert.deepEqual(await store.get('registry.example.com'), { username: 'bob', password: 'hunter2' });
  assert.deepEqual(await store.get('myreg.azurecr.io'), {
    username: '00000000-0000-0000-0000-000000000000',
    identityToken: 'refresh-abc',
  });
  assert.deepEqual(await store.get('tokens.example.com'), { registryToken: 'ready-bearer' });
  assert.equal(await store.get('placeholder.example.com'), undefined);
  assert.equal(await store.get('empty-auth.example.com'), undefined);
  assert.equal(await store.get('unknown.example.com'), undefined);
});

test('auth value that is not user:password → credentials error without the value', async () => {
  const dir = freshDir();
  writeConfig(dir, { auths: { 'bad.example.com': { auth: b64('nocolonsecret') } } });
  const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: '' });
  await rejectsWith(store.get('bad.example.com'), 'credentials', (m) => {
    assert.ok(m.includes('bad.example.com'), m);
    assert.ok(!m.includes('nocolonsecret') && !m.includes(b64('nocolonsecret')), m);
  });
});

test('key normalisation: scheme, trailing path and port', async () => {
  const dir = freshDir();
  writeConfig(dir, {
    auths: {
      'https://ghcr.io/v1/': { auth: b64('gh:one') },
      'http://127.0.0.1:5000': { auth: b64('local:two') },
      'https://registry.example.com/': { auth: b64('ex:three') },
      'quay.io': { auth: b64('quay:exact') },
      'https://quay.io': { auth: b64('quay:scheme') },
      'ghcr.io.evil.example': { auth: b64('evil:nope') },
    },
  });
  const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: '' });
  assert.deepEqual(await store.get('ghcr.io'), { username: 'gh', password: 'one' });
  assert.deepEqual(await store.get('127.0.0.1:5000'), { username: 'local', password: 'two' });
  assert.equal(await store.get('127.0.0.1:5001'), undefined);
  assert.equal(await store.get('127.0.0.1'), undefined);
  assert.deepEqual(await store.get('registry.example.com'), { username: 'ex', password: 'three' });
  assert.deepEqual(await store.get('quay.io'), { username: 'quay', password: 'exact' }, 'exact key preferred');
  assert.equal(await store.get('evil.example'), undefined);
});

test('Docker Hub aliases', async () => {
  const forms: Array<[string, string]> = [
    ['https://index.docker.io/v1/', 'a'],
    ['index.docker.io', 'b'],
    ['docker.io', 'c'],
    ['registry-1.docker.io', 'd'],
    ['https://registry-1.docker.io/v2/', 'e'],
  ];
  for (const [key, user] of forms) {
    const dir = freshDir();
    writeConfig(dir, { auths: { [key]: { auth: b64(`${user}:pw`) } } });
    const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: '' });
    assert.deepEqual(await store.get('docker.io'), { username: user, password: 'pw' }, key);
    assert.deepEqual(await store.get('registry-1.docker.io'), { username: user, password: 'pw' }, key);
  }
  // Docker's own key wins over the aliases.
  const dir = freshDir();
  writeConfig(dir, {
    auths: {
      'docker.io': { auth: b64('alias:pw') },
      'https://index.docker.io/v1/': { auth: b64('canonical:pw') },
    },
  });
  const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: '' });
  assert.deepEqual(await store.get('docker.io'), { username: 'canonical', password: 'pw' });
});

test('the config is re-read when it changes', async () => {
  const dir = freshDir();
  const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: '' });
  assert.equal(await store.get('ghcr.io'), undefined);
  writeConfig(dir, { auths: { 'ghcr.io': { auth: b64('first:pw') } } });
  assert.deepEqual(await store.get('ghcr.io'), { username: 'first', password: 'pw' });
  writeConfig(dir, { auths: { 'ghcr.io': { auth: b64('second-user:pw2') } } });
  assert.deepEqual(await store.get('ghcr.io'), { username: 'second-user', password: 'pw2' });
  fs.rmSync(path.join(dir, 'config.json'));
  assert.equal(await store.get('ghcr.io'), undefined);
});

// --- credential helpers -------------------------------------------------------------------------

const HELPER = `#!/bin/sh
server=$(cat)
printf '%s|%s\\n' "$1" "$server" >> "$HELPER_LOG"
case "$server" in
  registry.example.com)
    printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\\n' "$server" ;;
  https://index.docker.io/v1/)
    printf '{"ServerURL":"%s","Username":"<token>","Secret":"hub-identity-token"}\\n' "$server" ;;
  broken.example.com)
    echo "something went wrong" >&2; exit 3 ;;
  garbage.example.com)
    echo "not json at all" ;;
  slow.example.com)
    sleep 10 ;;
  *)
    echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

function installHelper(dir: string, name: string): void {
  const file = path.join(dir, `docker-credential-${name}`);
  fs.writeFileSync(file, HELPER);
  fs.chmodSync(file, 0o755);
}

function helperSetup(
  config: unknown,
  helperName = 'testhelper',
  extraEnv: Record<string, string> = {},
): { dir: string; log: string; store: DockerConfigCredentialStore } {
  const dir = freshDir();
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  installHelper(bin, helperName);
  writeConfig(dir, config);
  const log = path.join(dir, 'helper.log');
  const pathEnv = `${bin}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`;
  const store = new DockerConfigCredentialStore({
    configDir: dir,
    env: { ...process.env, ...extraEnv, HELPER_LOG: log, PATH: pathEnv },
    pathEnv,
    helperTimeoutMs: 500,
  });
  return { dir, log, store };
}

const readLog = (log: string): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);

test('credHelpers: username/password answer, <token> answer, not found, fallback to auths', async () => {
  const { log, store } = helperSetup({
    credHelpers: { 'registry.example.com': 'testhelper', 'docker.io': 'testhelper', 'other.example.com': 'testhelper' },
    auths: { 'other.example.com': { auth: b64('from-auths:pw') } },
  });
  assert.deepEqual(await store.get('registry.example.com'), { username: 'helper-user', password: 'helper-secret' });
  assert.deepEqual(await store.get('docker.io'), { identityToken: 'hub-identity-token' });
  assert.deepEqual(await store.get('other.example.com'), { username: 'from-auths', password: 'pw' });
  assert.deepEqual(readLog(log), ['get|registry.example.com', 'get|https://index.docker.io/v1/', 'get|other.example.com']);
});

test('credsStore is used for every registry, then auths', async () => {
  const { log, store } = helperSetup({
    credsStore: 'testhelper',
    auths: { 'ghcr.io': { auth: b64('gh:pw') }, 'registry.example.com': {} },
  });
  assert.deepEqual(await store.get('registry.example.com'), { username: 'helper-user', password: 'helper-secret' });
  assert.deepEqual(await store.get('ghcr.io'), { username: 'gh', password: 'pw' });
  assert.equal(await store.get('nothing.example.com'), undefined);
  assert.deepEqual(readLog(log), ['get|registry.example.com', 'get|ghcr.io', 'get|nothing.example.com']);
});

test('helpers run without a shell: server names and helper names are never interpreted', async () => {
  const marker = path.join(root, 'pwned');
  const { log, store } = helperSetup({ credsStore: 'testhelper' }, 'testhelper', { marker });
  // No "/" in it (that would end the host name): the path comes from $marker in the helper's env.
  const evil = 'evil$(touch "$marker")`touch "$marker"`;touch "$marker";.example.com';
  assert.equal(await store.get(evil), undefined);
  assert.equal(fs.existsSync(marker), false, 'nothing was executed');
  assert.equal(registryHostname(evil), evil);
  assert.deepEqual(readLog(log), [`get|${evil}`]);

  // A helper name with shell metacharacters is looked up literally and reported as missing.
  const dir = freshDir();
  writeConfig(dir, { credHelpers: { 'x.example.com': `testhelper; touch ${marker}` } });
  const store2 = new DockerConfigCredentialStore({ configDir: dir, pathEnv: process.env.PATH });
  await rejectsWith(store2.get('x.example.com'), 'credentials', (m) => assert.match(m, /not found on PATH/));
  assert.equal(fs.existsSync(marker), false, 'nothing was executed');

  // A helper whose file name contains spaces and "$" still runs (a shell would split it).
  const odd = helperSetup({ credHelpers: { 'registry.example.com': 'odd name $HOME' } }, 'odd name $HOME');
  assert.deepEqual(await odd.store.get('registry.example.com'), { username: 'helper-user', password: 'helper-secret' });
});

test('missing helper → clear credentials error', async () => {
  const dir = freshDir();
  writeConfig(dir, { credsStore: 'nothere' });
  const store = new DockerConfigCredentialStore({ configDir: dir, pathEnv: freshDir() });
  await rejectsWith(store.get('ghcr.io'), 'credentials', (m) => {
    assert.equal(
      m,
      `The Docker credential helper "docker-credential-nothere" named in ${path.join(dir, 'config.json')} was not found on PATH; install it or remove it from the config.`,
    );
  });
});

test('helper failure, garbage output and timeout → credentials errors', async () => {
  const { store } = helperSetup({ credsStore: 'testhelper' });
  await rejectsWith(store.get('broken.example.com'), 'credentials', (m) => {
    assert.match(m, /docker-credential-testhelper" failed for broken\.example\.com \(exit code 3\)/);
    assert.ok(!m.includes('something went wrong'));
  });
  await rejectsWith(store.get('garbage.example.com'), 'credentials', (m) => {
    assert.match(m, /not valid JSON/);
    assert.ok(!m.includes('not json at all'));
  });
  const started = Date.now();
  await rejectsWith(store.get('slow.example.com'), 'credentials', (m) => assert.match(m, /did not answer within/));
  assert.ok(Date.now() - started < 5000, 'timed out promptly');
});

test('StaticCredentialStore and ChainedCredentialStore', async () => {
  const a = new StaticCredentialStore({ 'ghcr.io': { username: 'a', password: '1' }, 'https://index.docker.io/v1/': { registryToken: 't' } });
  const b = new StaticCredentialStore({ 'ghcr.io': { username: 'b', password: '2' }, 'quay.io': { username: 'q', password: '3' }, 'empty.io': {} });
  const chain = new ChainedCredentialStore([new StaticCredentialStore({ 'empty.io': {} }), a, b]);
  assert.deepEqual(await chain.get('ghcr.io'), { username: 'a', password: '1' });
  assert.deepEqual(await chain.get('quay.io'), { username: 'q', password: '3' });
  assert.deepEqual(await chain.get('docker.io'), { registryToken: 't' });
  assert.equal(await chain.get('empty.io'), undefined);
  assert.equal(await chain.get('nope.io'), undefined);
  const seen: string[] = [];
  const spy = { get: async (r: string): Promise<Credentials | undefined> => (seen.push(r), undefined) };
  await new ChainedCredentialStore([a, spy]).get('ghcr.io');
  assert.deepEqual(seen, []);
});

test('lookupRegistryKey tolerates missing maps', () => {
  assert.equal(lookupRegistryKey(undefined, 'ghcr.io'), undefined);
  assert.deepEqual(lookupRegistryKey({ 'https://ghcr.io': 1 }, 'ghcr.io'), { key: 'https://ghcr.io', value: 1 });
});
