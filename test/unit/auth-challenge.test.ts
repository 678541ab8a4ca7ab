import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findChallenge, parseWwwAuthenticate } from '../../src/core/auth/challenge';

test('Distribution spec example with comma inside quoted scope', () => {
  const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
  assert.deepEqual(parseWwwAuthenticate(h), [
    {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:samalba/my-app:pull,push',
      },
    },
  ]);
});

test('Docker Hub insufficient_scope challenge', () => {
  const h =
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull,push",error="insufficient_scope"';
  const [c] = parseWwwAuthenticate(h);
  assert.equal(c.scheme, 'bearer');
  assert.equal(c.params.scope, 'repository:library/ubuntu:pull,push');
  assert.equal(c.params.error, 'insufficient_scope');
});

test('Basic realm of the reference registry', () => {
  assert.deepEqual(parseWwwAuthenticate('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
});

test('GHCR, Quay, Artifact Registry, ACR, Harbor, ECR headers', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
      'bearer',
      { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' },
    ],
    ['Bearer realm="https://quay.io/v2/auth",service="quay.io"', 'bearer', { realm: 'https://quay.io/v2/auth', service: 'quay.io' }],
    [
      'Bearer realm="https://us-docker.pkg.dev/v2/token",service="us-docker.pkg.dev",scope="repository:proj/repo/img:pull"',
      'bearer',
      { realm: 'https://us-docker.pkg.dev/v2/token', service: 'us-docker.pkg.dev', scope: 'repository:proj/repo/img:pull' },
    ],
    [
      'Bearer realm="https://myreg.azurecr.io/oauth2/token",service="myreg.azurecr.io"',
      'bearer',
      { realm: 'https://myreg.azurecr.io/oauth2/token', service: 'myreg.azurecr.io' },
    ],
    [
      'Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"',
      'bearer',
      { realm: 'https://harbor.example.com/service/token', service: 'harbor-registry' },
    ],
    [
      'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
      'basic',
      { realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/', service: 'ecr.amazonaws.com' },
    ],
  ];
  for (const [h, scheme, params] of cases) {
    assert.deepEqual(parseWwwAuthenticate(h), [{ scheme, params }], h);
  }
});

test('several challenges in one header', () => {
  const got = parseWwwAuthenticate('Basic realm="simple", Bearer realm="https://a.example/token", service="svc", scope="repository:a/b:pull,push"');
  assert.deepEqual(got, [
    { scheme: 'basic', params: { realm: 'simple' } },
    { scheme: 'bearer', params: { realm: 'https://a.example/token', service: 'svc', scope: 'repository:a/b:pull,push' } },
  ]);
  assert.equal(findChallenge(got, 'Bearer')?.params.service, 'svc');
  assert.equal(findChallenge(got, 'negotiate'), undefined);
});

test('RFC 7235 example with escaped quotes and an unquoted value', () => {
  const got = parseWwwAuthenticate('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"');
  assert.deepEqual(got, [
    { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
    { scheme: 'basic', params: { realm: 'simple' } },
  ]);
});

test('escaped quotes and commas inside a quoted value', () => {
  const [c] = parseWwwAuthenticate('Basic realm="say \\"hi\\", then, \\\\ go"');
  assert.equal(c.params.realm, 'say "hi", then, \\ go');
});

test('unquoted values, including URLs', () => {
  assert.deepEqual(parseWwwAuthenticate('Bearer realm=https://auth.example.com/token,service=registry.example.com,scope=repository:a/b:pull'), [
    {
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull' },
    },
  ]);
});

test('extra whitespace, tabs and empty list elements', () => {
  const got = parseWwwAuthenticate('  ,  Bearer \t realm = "https://x/token" ,  , service\t=\t"y"  ,, Basic   realm="z"  , ');
  assert.deepEqual(got, [
    { scheme: 'bearer', params: { realm: 'https://x/token', service: 'y' } },
    { scheme: 'basic', params: { realm: 'z' } },
  ]);
});

test('space-separated scopes in one scope parameter', () => {
  const [c] = parseWwwAuthenticate('Bearer realm="r",scope="repository:a:pull repository:b:pull,push"');
  assert.equal(c.params.scope, 'repository:a:pull repository:b:pull,push');
});

test('token68 challenges', () => {
  assert.deepEqual(parseWwwAuthenticate('Negotiate YIIabc+/9==, Basic realm="r"'), [
    { scheme: 'negotiate', params: {}, token68: 'YIIabc+/9==' },
    { scheme: 'basic', params: { realm: 'r' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Custom abc'), [{ scheme: 'custom', params: {}, token68: 'abc' }]);
  assert.deepEqual(parseWwwAuthenticate('Custom abc='), [{ scheme: 'custom', params: {}, token68: 'abc=' }]);
});

test('schemes and parameter names are case-insensitive, values are kept', () => {
  assert.deepEqual(parseWwwAuthenticate('BEARER Realm="https://X/Token",SERVICE="Svc"'), [
    { scheme: 'bearer', params: { realm: 'https://X/Token', service: 'Svc' } },
  ]);
});

test('schemes without parameters', () => {
  assert.deepEqual(parseWwwAuthenticate('Basic'), [{ scheme: 'basic', params: {} }]);
  assert.deepEqual(parseWwwAuthenticate('Basic, Bearer realm="r"'), [
    { scheme: 'basic', params: {} },
    { scheme: 'bearer', params: { realm: 'r' } },
  ]);
});

test('first occurrence of a duplicated parameter wins; empty values kept', () => {
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="a", realm="b", error=, service=""'), [
    { scheme: 'bearer', params: { realm: 'a', error: '', service: '' } },
  ]);
});

test('malformed input does not throw or loop', () => {
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate('   '), []);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="unterminated'), [{ scheme: 'bearer', params: { realm: 'unterminated' } }]);
  assert.deepEqual(parseWwwAuthenticate('"junk", Basic realm="r"'), [{ scheme: 'basic', params: { realm: 'r' } }]);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="r" junk, service="s"'), [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]);
  for (const h of ['=', '==,,', 'a=b', '"', '\\', 'Bearer =', 'Bearer ,=', 'Bearer realm=']) {
    assert.ok(Array.isArray(parseWwwAuthenticate(h)), h);
  }
});
