import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUserError } from '../../src/core/errors';
import {
  digestIssue,
  validateCatalog,
  validateConfig,
  validateDescriptor,
  validateImageManifest,
  validateIndex,
  validatePlatform,
  validateTagList,
} from '../../src/core/registry/validate';

const WHERE = 'the manifest of 127.0.0.1:5000/app:1';
const AFTER = '; the registry sent a malformed document, so nothing was written.';
const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;
const D3 = `sha256:${'c'.repeat(64)}`;
const ESC = '\u001b';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Runs `f`, expects the one-sentence 'unsupported' UserError, checks what it says, returns it. */
function refused(f: () => unknown, ...says: Array<string | RegExp>): string {
  let message: string | undefined;
  try {
    f();
  } catch (e) {
    assert.ok(isUserError(e), `not a UserError: ${String(e)}`);
    assert.equal(e.code, 'unsupported');
    message = e.message;
  }
  assert.ok(message !== undefined, 'expected a refusal');
  assert.ok(message.endsWith(AFTER), message);
  assert.ok(!RAW_CONTROL.test(message), `raw control in: ${JSON.stringify(message)}`);
  assert.ok(message.length < 1000, 'message is short');
  for (const s of says) {
    if (typeof s === 'string') assert.ok(message.includes(s), `${JSON.stringify(s)} not in: ${message}`);
    else assert.match(message, s);
  }
  return message;
}

const layer = (digest: unknown = D2, size: unknown = 100) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size });
const manifest = (over: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D1, size: 321 },
  layers: [layer(D2), layer(D3)],
  ...over,
});
const withLayer = (l: unknown) => manifest({ layers: [layer(), l] });
const config = (over: Record<string, unknown> = {}) => ({
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [D2, D3] },
  history: [{ created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in /' }, { empty_layer: true, comment: 'x' }],
  config: { Env: ['PATH=/usr/bin'], Cmd: ['sh'], Labels: { a: 'b' }, WorkingDir: '/', User: '0' },
  ...over,
});

describe('validateImageManifest', () => {
  test('accepts OCI and Docker manifests and returns the same object', () => {
    const m = manifest({ annotations: { 'org.opencontainers.image.base.name': 'x' }, subject: layer(D1) });
    assert.equal(validateImageManifest(m, WHERE), m);
    const docker = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D1, size: 1 },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          digest: D2,
          size: 0,
          urls: ['https://mcr.microsoft.com/v2/windows/nanoserver/blobs/' + D2],
        },
      ],
    };
    assert.equal(validateImageManifest(docker, WHERE), docker);
    assert.deepEqual(validateImageManifest(manifest({ layers: [] }), WHERE).layers, []);
  });

  test('the message names the document, the field and the value, in one sentence', () => {
    const m = refused(() => validateImageManifest(withLayer(layer(D3, -1)), WHERE));
    assert.equal(m, `In ${WHERE}, layers[1].size is -1, not a size in bytes (a whole number from 0 to 2^53 - 1)${AFTER}`);
    assert.equal(refused(() => validateImageManifest([], WHERE)), `The manifest of 127.0.0.1:5000/app:1 is a list, not a JSON object${AFTER}`);
  });

  for (const [what, size, shown] of [
    ['-1', -1, '-1'],
    ['1e30', 1e30, '1e+30'],
    ['the string "256"', '256', '"256"'],
    ['256.5', 256.5, '256.5'],
    ['NaN', NaN, 'NaN'],
    ['Infinity', Infinity, 'Infinity'],
    ['2^53', 2 ** 53, String(2 ** 53)],
    ['null', null, 'null'],
  ] as const) {
    test(`size ${what} is refused`, () => {
      refused(() => validateImageManifest(withLayer(layer(D3, size)), WHERE), `layers[1].size is ${shown}, not a size in bytes`);
    });
  }

  test('a missing size or config size is refused', () => {
    refused(() => validateImageManifest(withLayer({ mediaType: 'a/b', digest: D2 }), WHERE), 'layers[1].size is missing');
    refused(() => validateImageManifest(manifest({ config: { mediaType: 'a/b', digest: D1, size: -5 } }), WHERE), 'config.size is -5');
  });

  test('size 0 and the largest safe integer are fine', () => {
    validateImageManifest(withLayer(layer(D3, 0)), WHERE);
    validateImageManifest(withLayer(layer(D3, Number.MAX_SAFE_INTEGER)), WHERE);
  });

  for (const digest of [
    'sha256:../../x',
    'sha256:../../../v2/_catalog',
    '../../../v2/_catalog',
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `sha256:${'a'.repeat(65)}`,
    `sha512:${'a'.repeat(64)}`,
    `sha256:${'a'.repeat(64)}/x`,
    `sha256:${'a'.repeat(64)}?x`,
    `sha256:${'a'.repeat(64)}#x`,
    `sha256:${'a'.repeat(64)}\n`,
    'sha256:',
    ':abc',
    'abc',
    '',
    'SHA256:' + 'a'.repeat(64),
    'foo:../x',
    'foo:a/b',
    'foo:a%2fb',
    'foo:' + 'a'.repeat(300),
  ]) {
    test(`digest ${JSON.stringify(digest.slice(0, 80))} is refused`, () => {
      const m = refused(() => validateImageManifest(withLayer(layer(digest)), WHERE), 'layers[1].digest is ');
      assert.ok(!m.includes('\n'));
    });
  }

  test('digest messages say what a digest must be', () => {
    refused(() => validateImageManifest(withLayer(layer(`sha256:${'A'.repeat(64)}`)), WHERE), 'a sha256 digest is 64 lowercase hex digits');
    refused(() => validateImageManifest(withLayer(layer('sha256:abc')), WHERE), 'a sha256 digest has 64 hex digits, and this one has 3 characters');
    refused(() => validateImageManifest(withLayer(layer('sha256:../../x')), WHERE), '"sha256:../../x"', 'ALGORITHM:ENCODED');
    refused(() => validateImageManifest(withLayer(layer(256)), WHERE), 'layers[1].digest is 256, not a string');
  });

  test('sha512 and other registered-looking algorithms are accepted', () => {
    validateImageManifest(withLayer(layer(`sha512:${'0'.repeat(128)}`)), WHERE);
    validateImageManifest(withLayer(layer(`blake3:${'0'.repeat(64)}`)), WHERE);
    validateImageManifest(withLayer(layer('multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8')), WHERE);
    assert.equal(digestIssue('constructor:abc'), undefined);
    assert.equal(digestIssue(D1), undefined);
  });

  test('layers null, missing, an object, or with a null entry', () => {
    refused(() => validateImageManifest(manifest({ layers: null }), WHERE), 'layers is null, not a list of layer descriptors');
    refused(() => validateImageManifest(manifest({ layers: undefined }), WHERE), 'layers is missing');
    refused(() => validateImageManifest(manifest({ layers: { 0: layer() } }), WHERE), 'layers is an object');
    refused(() => validateImageManifest(manifest({ layers: [null] }), WHERE), 'layers[0] is null, not a descriptor');
    refused(() => validateImageManifest(manifest({ layers: [layer(), 'x'] }), WHERE), 'layers[1] is "x", not a descriptor');
  });

  test('config missing or not a descriptor; schemaVersion; subject', () => {
    refused(() => validateImageManifest(manifest({ config: undefined }), WHERE), 'config is missing');
    refused(() => validateImageManifest(manifest({ config: [] }), WHERE), 'config is a list');
    refused(() => validateImageManifest(manifest({ schemaVersion: 1 }), WHERE), 'schemaVersion is 1, not 2');
    refused(() => validateImageManifest(manifest({ schemaVersion: '2' }), WHERE), 'schemaVersion is "2", not 2');
    refused(() => validateImageManifest(manifest({ subject: { digest: D1 } }), WHERE), 'subject.mediaType is missing');
    refused(() => validateImageManifest(null, WHERE), 'The manifest of 127.0.0.1:5000/app:1 is null');
  });

  test('a media type with ESC in it is refused and the message holds no raw ESC', () => {
    const evil = `application/vnd.oci.image.layer.v1.tar${ESC}]0;pwned\u0007${ESC}[2J`;
    const m = refused(() => validateImageManifest(withLayer({ ...layer(), mediaType: evil }), WHERE), 'layers[1].mediaType is ');
    assert.ok(!m.includes(ESC));
    assert.ok(m.includes('\\x1b]0;pwned\\x07'), m);
    refused(() => validateImageManifest(manifest({ mediaType: `a/b${ESC}` }), WHERE), 'mediaType is "a/b\\x1b"');
  });

  test('media types: parameters, length, emptiness and shape', () => {
    const bad = ['application/json; charset=utf-8', '', 'application', 'application/', '/json', 'a/b/c', 'a /b', 'a/b\n', '../x/y'];
    for (const mediaType of bad) {
      refused(() => validateImageManifest(withLayer({ ...layer(), mediaType }), WHERE), 'layers[1].mediaType is ');
    }
    refused(() => validateImageManifest(withLayer({ ...layer(), mediaType: `a/${'b'.repeat(300)}` }), WHERE), 'is 302 characters long, but a media type has at most 255');
    refused(() => validateImageManifest(withLayer({ ...layer(), mediaType: 42 }), WHERE), 'layers[1].mediaType is 42, not a string');
    refused(() => validateImageManifest(manifest({ artifactType: 'nope' }), WHERE), 'artifactType is "nope"');
    validateImageManifest(withLayer({ ...layer(), mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }), WHERE);
  });

  test('a long registry value is shown cut, not whole', () => {
    const m = refused(() => validateImageManifest(withLayer({ ...layer(), mediaType: 'x'.repeat(100_000) }), WHERE));
    assert.ok(m.length < 400, m);
  });

  test('urls must be http or https URLs', () => {
    const withUrls = (urls: unknown) => withLayer({ ...layer(), urls });
    validateImageManifest(withUrls(['http://example.com/a', 'https://example.com/b?c=d']), WHERE);
    for (const url of ['ftp://example.com/a', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', '/relative', 'https://exa mple.com/', 'https://example.com/\n', 1]) {
      refused(() => validateImageManifest(withUrls([url]), WHERE), 'layers[1].urls[0] is ');
    }
    refused(() => validateImageManifest(withUrls('https://example.com/'), WHERE), 'layers[1].urls is "https://example.com/", not a list of URLs');
  });

  test('annotations must be strings', () => {
    refused(() => validateImageManifest(manifest({ annotations: { a: 1 } }), WHERE), 'annotations["a"] is 1, not a string');
    refused(() => validateImageManifest(manifest({ annotations: ['a'] }), WHERE), 'annotations is a list');
    refused(() => validateImageManifest(manifest({ annotations: null }), WHERE), 'annotations is null');
    refused(() => validateImageManifest(withLayer({ ...layer(), annotations: { [`k${ESC}`]: null } }), WHERE), 'layers[1].annotations["k\\x1b"] is null');
  });
});

describe('validateIndex and validatePlatform', () => {
  const entry = (platform: unknown) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, size: 500, platform });
  const index = (manifests: unknown) => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
  const W = 'the index of 127.0.0.1:5000/multi:1';

  test('accepts an index with images, Windows fields and an attestation', () => {
    const i = index([
      entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }),
      entry({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1577', 'os.features': ['win32k'] }),
      entry({ os: 'unknown', architecture: 'unknown' }),
      entry({ os: 'linux', architecture: 'amd64', variant: '' }),
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D2, size: 1 },
    ]);
    assert.equal(validateIndex(i, W), i);
  });

  test('manifests null, missing or with bad entries', () => {
    refused(() => validateIndex(index(null), W), `In ${W}, manifests is null, not a list of descriptors`);
    refused(() => validateIndex({ schemaVersion: 2 }, W), 'manifests is missing');
    refused(() => validateIndex(index([null]), W), 'manifests[0] is null');
    refused(() => validateIndex(index([{ ...entry(undefined), size: -1 }]), W), 'manifests[0].size is -1');
    refused(() => validateIndex(index([{ ...entry(undefined), digest: 'sha256:../../../v2/_catalog' }]), W), 'manifests[0].digest is "sha256:../../../v2/_catalog"');
  });

  test('platform fields are words, not paths or escapes', () => {
    refused(() => validateIndex(index([entry({ os: '../x', architecture: 'amd64' })]), W), 'manifests[0].platform.os is "../x", not a platform name');
    refused(() => validateIndex(index([entry({ os: 'linux' })]), W), 'manifests[0].platform.architecture is missing');
    refused(() => validateIndex(index([entry({ os: '', architecture: 'amd64' })]), W), 'platform.os is an empty string');
    refused(() => validateIndex(index([entry({ os: `linux${ESC}[2J`, architecture: 'amd64' })]), W), 'platform.os is "linux\\x1b[2J"');
    refused(() => validateIndex(index([entry({ os: 'linux', architecture: 'x'.repeat(65) })]), W), 'platform.architecture is ');
    refused(() => validateIndex(index([entry({ os: 'linux', architecture: 'amd64', variant: 8 })]), W), 'platform.variant is 8, not a string');
    refused(() => validateIndex(index([entry({ os: 'windows', architecture: 'amd64', 'os.version': '10.0 beta' })]), W), 'platform.os.version is "10.0 beta"');
    refused(() => validateIndex(index([entry({ os: 'windows', architecture: 'amd64', 'os.features': 'win32k' })]), W), 'platform.os.features is "win32k", not a list');
    refused(() => validateIndex(index([entry({ os: 'linux', architecture: 'amd64', features: [1] })]), W), 'platform.features[0] is 1');
    refused(() => validateIndex(index([entry('linux/amd64')]), W), 'manifests[0].platform is "linux/amd64", not a platform');
  });

  test('validatePlatform and validateDescriptor on their own', () => {
    const p = { os: 'linux', architecture: 'arm', variant: 'v7' };
    assert.equal(validatePlatform(p, 'the platform of entry 2'), p);
    refused(() => validatePlatform({ os: 'linux', architecture: 'a/b' }, 'the platform of entry 2'), 'In the platform of entry 2, architecture is "a/b"');
    refused(() => validatePlatform(null, 'the platform of entry 2'), 'The platform of entry 2 is null, not a platform');
    const d = layer();
    assert.equal(validateDescriptor(d, 'the config descriptor'), d);
    refused(() => validateDescriptor({ ...d, size: '256' }, 'the config descriptor'), 'In the config descriptor, size is "256"');
  });
});

describe('validateConfig', () => {
  const W = 'the config of 127.0.0.1:5000/app:1';

  test('accepts a config, and the nulls Docker writes for empty settings', () => {
    const c = config();
    assert.equal(validateConfig(c, W), c);
    validateConfig(config({ config: { Env: null, Entrypoint: null, Cmd: null, Labels: null, ExposedPorts: null, Volumes: null, OnBuild: null } }), W);
    validateConfig(config({ config: { ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} } } }), W);
    validateConfig(config({ config: null, history: undefined }), W);
    validateConfig(config({ 'os.version': '10.0.17763.1577', 'os.features': ['win32k'], variant: 'v8', os: 'windows' }), W);
    validateConfig(config({ history: [] }), W);
  });

  test('history that does not line up with the layers is left to the planner', () => {
    validateConfig(config({ history: [{ created_by: 'a' }] }), W);
  });

  test('platform fields', () => {
    refused(() => validateConfig(config({ os: 1 }), W), `In ${W}, os is 1, not a string`);
    refused(() => validateConfig(config({ architecture: undefined }), W), 'architecture is missing');
    refused(() => validateConfig(config({ architecture: 'amd64\u202e' }), W), 'architecture is "amd64\\u202e"');
  });

  test('rootfs and diff_ids', () => {
    refused(() => validateConfig(config({ rootfs: undefined }), W), 'rootfs is missing');
    refused(() => validateConfig(config({ rootfs: 'layers' }), W), 'rootfs is "layers", not an object with type and diff_ids');
    refused(() => validateConfig(config({ rootfs: { type: 'layers' } }), W), 'rootfs.diff_ids is missing');
    refused(() => validateConfig(config({ rootfs: { type: 'layers', diff_ids: null } }), W), 'rootfs.diff_ids is null, not a list of digests');
    refused(() => validateConfig(config({ rootfs: { diff_ids: [] } }), W), 'rootfs.type is missing');
    refused(() => validateConfig(config({ rootfs: { type: 'layers', diff_ids: [D1, 'sha256:../../x'] } }), W), 'rootfs.diff_ids[1] is "sha256:../../x"');
    refused(() => validateConfig(config({ rootfs: { type: 'layers', diff_ids: [null] } }), W), 'rootfs.diff_ids[0] is null, not a string');
  });

  test('history as an object, or with malformed entries', () => {
    refused(() => validateConfig(config({ history: { created_by: 'x' } }), W), 'history is an object, not a list of history entries');
    refused(() => validateConfig(config({ history: null }), W), 'history is null');
    refused(() => validateConfig(config({ history: ['RUN x'] }), W), 'history[0] is "RUN x", not a history entry');
    refused(() => validateConfig(config({ history: [{}, { created_by: ['sh'] }] }), W), 'history[1].created_by is a list, not a string');
    refused(() => validateConfig(config({ history: [{ empty_layer: 'true' }] }), W), 'history[0].empty_layer is "true", not true or false');
    refused(() => validateConfig(config({ history: [{ created: 5 }] }), W), 'history[0].created is 5');
    refused(() => validateConfig(config({ history: [{ author: null }] }), W), 'history[0].author is null');
    refused(() => validateConfig(config({ history: [{ comment: {} }] }), W), 'history[0].comment is an object');
  });

  test('container settings', () => {
    const settings = (c: unknown) => config({ config: c });
    refused(() => validateConfig(settings([]), W), 'config is a list, not an object of container settings');
    refused(() => validateConfig(settings({ Env: 'PATH=/bin' }), W), 'config.Env is "PATH=/bin", not a list of strings');
    refused(() => validateConfig(settings({ Env: ['A=1', 2] }), W), 'config.Env[1] is 2');
    refused(() => validateConfig(settings({ Entrypoint: '/bin/sh' }), W), 'config.Entrypoint is "/bin/sh"');
    refused(() => validateConfig(settings({ Cmd: [null] }), W), 'config.Cmd[0] is null');
    refused(() => validateConfig(settings({ Labels: { a: 1 } }), W), 'config.Labels["a"] is 1');
    refused(() => validateConfig(settings({ Labels: ['a'] }), W), 'config.Labels is a list');
    refused(() => validateConfig(settings({ ExposedPorts: ['80/tcp'] }), W), 'config.ExposedPorts is a list, not an object');
    refused(() => validateConfig(settings({ Volumes: '/data' }), W), 'config.Volumes is "/data"');
    refused(() => validateConfig(settings({ WorkingDir: null }), W), 'config.WorkingDir is null, not a string');
    refused(() => validateConfig(settings({ User: 0 }), W), 'config.User is 0');
  });

  test('not an object at all', () => {
    refused(() => validateConfig('x', W), 'The config of 127.0.0.1:5000/app:1 is "x", not a JSON object');
  });
});

describe('validateTagList and validateCatalog', () => {
  const W = 'the tag list of 127.0.0.1:5000/app';

  test('tags as sent, or none', () => {
    const body = { name: 'app', tags: ['1', 'latest', 'v1.2.3-rc_1'] };
    assert.equal(validateTagList(body, W), body.tags);
    assert.deepEqual(validateTagList({ name: 'app', tags: null }, W), []);
    assert.deepEqual(validateTagList({ name: 'app' }, W), []);
  });

  test('a page of 130,000 tags is checked without blowing the stack', () => {
    const tags: string[] = [];
    for (let i = 0; i < 130_000; i++) tags.push(`t${i}`);
    assert.equal(validateTagList({ tags }, W).length, 130_000);
    tags.push('../escape');
    refused(() => validateTagList({ tags }, W), 'tags[130000] is "../escape", not a tag');
  });

  test('malformed tag lists', () => {
    refused(() => validateTagList(null, W), 'The tag list of 127.0.0.1:5000/app is null');
    refused(() => validateTagList({ tags: {} }, W), `In ${W}, tags is an object, not a list of tags`);
    refused(() => validateTagList({ tags: 'latest' }, W), 'tags is "latest"');
    for (const tag of [1, null, '', '..', '.x', '-x', 'a/b', `x${ESC}[2J`, 'x'.repeat(129), 'a b']) {
      refused(() => validateTagList({ tags: ['ok', tag] }, W), 'tags[1] is ');
    }
  });

  test('catalogs', () => {
    const C = 'the catalog of 127.0.0.1:5000';
    const body = { repositories: ['app', 'team/app', 'a.b/c_d/e-f'] };
    assert.equal(validateCatalog(body, C), body.repositories);
    assert.deepEqual(validateCatalog({ repositories: null }, C), []);
    const many: string[] = [];
    for (let i = 0; i < 130_000; i++) many.push(`repo${i}`);
    assert.equal(validateCatalog({ repositories: many }, C).length, 130_000);
    refused(() => validateCatalog({ repositories: { a: 1 } }, C), 'repositories is an object, not a list of repository names');
    for (const name of [1, '', 'a/../b', '../a', 'a//b', '/a', 'a/', 'App', 'a b', `a${ESC}`, 'a/'.repeat(200) + 'a']) {
      refused(() => validateCatalog({ repositories: ['ok', name] }, C), 'repositories[1] is ');
    }
  });
});

describe('nesting', () => {
  const deep = (n: number): unknown => {
    let v: unknown = 'x';
    for (let i = 0; i < n; i++) v = { a: v };
    return v;
  };
  test('a document nested thousands deep is refused in one sentence, without a stack overflow', () => {
    const cfg = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, extra: deep(100_000) };
    assert.throws(() => validateConfig(cfg, 'the config of r/app:1'), (e: Error) => /nests objects and lists more than 64 levels deep/.test(e.message) && !/\n/.test(e.message));
  });
  test('ordinary nesting passes', () => {
    const cfg = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, extra: deep(20) };
    assert.doesNotThrow(() => validateConfig(cfg, 'the config of r/app:1'));
  });
});
