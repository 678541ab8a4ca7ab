import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../../src/core/errors';
import {
  InvalidReferenceError,
  type ImageReference,
  type ReferenceProblem,
  apiHost,
  digestProblem,
  familiarName,
  familiarString,
  formatReference,
  grammar,
  isLoopbackHost,
  parseRawReference,
  parseReference,
  parseReferenceWithDefaultTag,
  repositoryName,
  validateDigest,
  validateTag,
  withDigest,
  withTag,
} from '../../src/core/reference';

// ---------------------------------------------------------------------------------------------------
// Vectors (test/data/reference-vectors.json), transcribed from distribution/reference and go-digest.

interface ParseCase { input: string; err?: string; domain?: string; repository?: string; tag?: string; digest?: string }
interface SplitCase { input: string; domain: string; path: string }
interface MatchCase { input: string; match: boolean; subs?: string[] }
interface Vectors {
  referenceParse: ParseCase[];
  serialization: (ParseCase & { description: string })[];
  withNameFailure: { input: string; err: string }[];
  domainAndPath: SplitCase[];
  withTag: { name: string; tag: string; digest?: string; combined: string }[];
  withDigest: { name: string; digest: string; tag?: string; combined: string }[];
  parseNamed: { input: string; domain?: string; path?: string; err?: string }[];
  validateReferenceName: { valid: string[]; invalid: string[] };
  validateRemoteName: { valid: string[]; invalid: string[] };
  parseRepositoryInfo: { remoteName: string; familiarName: string; fullName: string; ambiguousName: string; domain: string }[];
  parseReferenceWithTagAndDigest: { input: string; string: string; familiarString: string }[];
  invalidReferenceComponents: { invalidName: string; validName: string; invalidTag: string; invalidDigest: string };
  parseAnyReference: { reference: string; equivalent: string }[];
  normalizedSplitHostname: SplitCase[];
  parseDockerRef: { name: string; input: string; expected: string }[];
  domainRegexp: MatchCase[];
  fullNameRegexp: MatchCase[];
  referenceRegexp: MatchCase[];
  identifierRegexp: MatchCase[];
  parseDigest: { input: string; algorithm?: string; encoded?: string; err?: string }[];
  project: {
    normalize: { input: string; registry: string; repository: string; tag?: string; digest?: string; familiar: string }[];
    invalid: { input: string; reason: ReferenceProblem }[];
  };
}

const vectors: Vectors = JSON.parse(readFileSync(join(__dirname, '..', 'data', 'reference-vectors.json'), 'utf8'));

/** Go error variable -> the reason this module reports. */
const GO_ERROR_REASON: Record<string, ReferenceProblem> = {
  ErrNameEmpty: 'empty',
  ErrReferenceInvalidFormat: 'format',
  ErrNameContainsUppercase: 'uppercase',
  ErrNameTooLong: 'name-too-long',
  ErrDigestInvalidFormat: 'digest',
  ErrDigestInvalidLength: 'digest',
  ErrDigestUnsupported: 'digest',
};

/** go-digest error variable -> DigestProblem.kind. */
const GO_DIGEST_KIND: Record<string, string> = {
  ErrDigestInvalidFormat: 'format',
  ErrDigestInvalidLength: 'length',
  ErrDigestUnsupported: 'unsupported',
};

const label = (s: string): string => JSON.stringify(s.length > 70 ? `${s.slice(0, 50)}…(${s.length})` : s);

/** Asserts `fn` throws a reference UserError with `reason` and a well-formed one-sentence message. */
function assertInvalid(fn: () => unknown, reason?: ReferenceProblem): InvalidReferenceError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected an error');
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.ok(caught instanceof InvalidReferenceError);
  assert.equal(caught.code, 'reference');
  if (reason !== undefined) assert.equal(caught.reason, reason, caught.message);
  assertOneSentence(caught.message);
  return caught;
}

function assertOneSentence(message: string): void {
  assert.ok(message.endsWith('.'), `ends with a period: ${message}`);
  assert.ok(!message.includes('\n'), `single line: ${message}`);
  assert.ok(!/\bat .+:\d+:\d+/.test(message), `no stack trace: ${message}`);
  assert.ok(!/[.!?]\s+[A-Z]/.test(message.replace(/"(?:[^"\\]|\\.)*"/g, '""')), `one sentence: ${message}`);
}

function rawName(r: { domain: string; path: string }): string {
  return r.domain === '' ? r.path : `${r.domain}/${r.path}`;
}

function rawString(r: { domain: string; path: string; tag?: string; digest?: string }): string {
  return rawName(r) + (r.tag !== undefined ? `:${r.tag}` : '') + (r.digest !== undefined ? `@${r.digest}` : '');
}

/** Go's WithName: the anchored name grammar plus the path length limit. */
function goWithName(name: string): { domain: string; path: string } | 'ErrReferenceInvalidFormat' | 'ErrNameTooLong' {
  const m = grammar.name.exec(name);
  if (!m) return 'ErrReferenceInvalidFormat';
  if (m[2].length > 255) return 'ErrNameTooLong';
  return { domain: m[1] ?? '', path: m[2] };
}

/** `checkDomain` is false for TestSerialization, which only compares names. */
function checkParseCase(tc: ParseCase, checkDomain = true): void {
  if (tc.err !== undefined) {
    assertInvalid(() => parseRawReference(tc.input), GO_ERROR_REASON[tc.err]);
    return;
  }
  const r = parseRawReference(tc.input);
  assert.equal(rawString(r), tc.input, 'String() round-trips');
  assert.equal(rawName(r), tc.repository ?? '');
  if (checkDomain) assert.equal(r.domain, tc.domain ?? '');
  assert.equal(r.tag, tc.tag);
  assert.equal(r.digest, tc.digest);
}

describe('distribution/reference TestReferenceParse (grammar, no normalisation)', () => {
  for (const tc of vectors.referenceParse) {
    test(label(tc.input), () => checkParseCase(tc));
  }
});

describe('distribution/reference TestSerialization', () => {
  for (const tc of vectors.serialization) {
    test(tc.description, () => checkParseCase(tc, false));
  }
});

describe('distribution/reference TestWithNameFailure', () => {
  for (const tc of vectors.withNameFailure) {
    test(label(tc.input), () => assert.equal(goWithName(tc.input), tc.err));
  }
});

describe('distribution/reference TestDomainAndPath', () => {
  for (const tc of vectors.domainAndPath) {
    test(label(tc.input), () => assert.deepEqual(goWithName(tc.input), { domain: tc.domain, path: tc.path }));
  }
});

describe('distribution/reference TestWithTag', () => {
  for (const tc of vectors.withTag) {
    test(label(tc.combined), () => {
      const named = parseReference(tc.name);
      if (tc.digest !== undefined) {
        // Upstream accepts a 37-digit sha256 here; this module validates digests fully (see notes in the JSON).
        assertInvalid(() => withDigest(named, tc.digest!), 'digest');
        assert.equal(familiarString(withTag(named, tc.tag)), tc.combined.split('@')[0]);
        return;
      }
      assert.equal(familiarString(withTag(named, tc.tag)), tc.combined);
    });
  }
});

describe('distribution/reference TestWithDigest', () => {
  for (const tc of vectors.withDigest) {
    test(label(tc.combined), () => {
      let named = parseReference(tc.name);
      if (tc.tag !== undefined) named = withTag(named, tc.tag);
      const err = assertInvalid(() => withDigest(named, tc.digest), 'digest');
      assert.match(err.message, /64 hex digits/);
    });
  }
});

describe('distribution/reference TestParseNamed (canonical form)', () => {
  for (const tc of vectors.parseNamed) {
    test(label(tc.input), () => {
      const ref = parseReference(tc.input);
      if (tc.err === 'ErrNameNotCanonical') {
        assert.notEqual(formatReference(ref), tc.input);
        return;
      }
      assert.equal(formatReference(ref), tc.input);
      assert.equal(ref.registry, tc.domain);
      assert.equal(ref.repository, tc.path);
    });
  }
});

describe('distribution/reference TestValidateReferenceName', () => {
  for (const name of vectors.validateReferenceName.valid) {
    test(`valid ${label(name)}`, () => assert.doesNotThrow(() => parseReference(name)));
  }
  for (const name of vectors.validateReferenceName.invalid) {
    test(`invalid ${label(name)}`, () => {
      assertInvalid(() => parseReference(name));
    });
  }
});

describe('distribution/reference TestValidateRemoteName', () => {
  for (const name of vectors.validateRemoteName.valid) {
    test(`valid ${label(name)}`, () => assert.doesNotThrow(() => parseReference(name)));
  }
  for (const name of vectors.validateRemoteName.invalid) {
    test(`invalid ${label(name)}`, () => {
      assertInvalid(() => parseReference(name));
    });
  }
});

describe('distribution/reference TestParseRepositoryInfo', () => {
  for (const tc of vectors.parseRepositoryInfo) {
    const inputs = [tc.familiarName, tc.fullName, ...(tc.ambiguousName ? [tc.ambiguousName] : [])];
    for (const input of inputs) {
      test(label(input), () => {
        const ref = parseReference(input);
        assert.equal(familiarName(ref), tc.familiarName);
        assert.equal(repositoryName(ref), tc.fullName);
        assert.equal(ref.registry, tc.domain);
        assert.equal(ref.repository, tc.remoteName);
      });
    }
  }
});

describe('distribution/reference TestParseReferenceWithTagAndDigest', () => {
  for (const tc of vectors.parseReferenceWithTagAndDigest) {
    test(label(tc.input), () => {
      const ref = parseReference(tc.input);
      assert.equal(formatReference(ref), tc.string);
      assert.ok(ref.tag !== undefined && ref.digest !== undefined);
      assert.equal(familiarString(ref), tc.familiarString);
    });
  }
});

test('distribution/reference TestInvalidReferenceComponents', () => {
  const c = vectors.invalidReferenceComponents;
  assertInvalid(() => parseReference(c.invalidName), 'format');
  const ref = parseReference(c.validName);
  assertInvalid(() => withTag(ref, c.invalidTag), 'tag');
  assertInvalid(() => withDigest(ref, c.invalidDigest), 'digest');
});

describe('distribution/reference TestParseAnyReference (named cases)', () => {
  for (const tc of vectors.parseAnyReference) {
    test(label(tc.reference), () => {
      const ref = parseReference(tc.reference);
      assert.equal(formatReference(ref), tc.equivalent);
      const raw = parseRawReference(tc.equivalent);
      assert.deepEqual(
        { registry: raw.domain, repository: raw.path, tag: raw.tag, digest: raw.digest },
        { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest },
      );
    });
  }
});

describe('distribution/reference TestNormalizedSplitHostname', () => {
  for (const tc of vectors.normalizedSplitHostname) {
    test(label(tc.input), () => {
      const ref = parseReference(tc.input);
      assert.equal(ref.registry, tc.domain);
      assert.equal(ref.repository, tc.path);
    });
  }
});

describe('distribution/reference TestParseDockerRef', () => {
  for (const tc of vectors.parseDockerRef) {
    test(tc.name, () => {
      const out = formatReference(parseReferenceWithDefaultTag(tc.input));
      assert.equal(out, tc.expected);
      assert.doesNotThrow(() => parseRawReference(out));
    });
  }
});

function checkMatch(re: RegExp, tc: MatchCase): void {
  const m = re.exec(tc.input);
  if (!tc.match) {
    assert.equal(m, null, `unexpected match for ${tc.input}`);
    return;
  }
  assert.ok(m, `expected a match for ${tc.input}`);
  assert.equal(m[0], tc.input);
  (tc.subs ?? []).forEach((sub, i) => assert.equal(m[i + 1] ?? '', sub, `submatch ${i + 1}`));
}

describe('distribution/reference regexp_test.go', () => {
  for (const tc of vectors.domainRegexp) test(`domain ${label(tc.input)}`, () => checkMatch(grammar.domainAndPort, tc));
  for (const tc of vectors.fullNameRegexp) test(`name ${label(tc.input)}`, () => checkMatch(grammar.name, tc));
  for (const tc of vectors.referenceRegexp) test(`reference ${label(tc.input)}`, () => checkMatch(grammar.reference, tc));
  for (const tc of vectors.identifierRegexp) test(`identifier ${label(tc.input)}`, () => checkMatch(grammar.identifier, tc));
  test('group counts match the Go regexps', () => {
    assert.equal(new RegExp(`${grammar.name.source}|`).exec('')!.length - 1, 2);
    assert.equal(new RegExp(`${grammar.reference.source}|`).exec('')!.length - 1, 3);
  });
});

describe('go-digest TestParseDigest', () => {
  for (const tc of vectors.parseDigest) {
    test(label(tc.input), () => {
      if (tc.err === undefined) {
        assert.equal(digestProblem(tc.input), undefined);
        assert.doesNotThrow(() => validateDigest(tc.input));
        assert.equal(tc.input, `${tc.algorithm}:${tc.encoded}`);
        return;
      }
      assert.equal(digestProblem(tc.input)?.kind, GO_DIGEST_KIND[tc.err]);
      assertInvalid(() => validateDigest(tc.input), 'digest');
    });
  }
});

describe('project vectors: normalisation', () => {
  for (const tc of vectors.project.normalize) {
    test(label(tc.input), () => {
      const ref = parseReference(tc.input);
      const expected: ImageReference = { registry: tc.registry, repository: tc.repository };
      if (tc.tag !== undefined) expected.tag = tc.tag;
      if (tc.digest !== undefined) expected.digest = tc.digest;
      assert.deepEqual(ref, expected);
      assert.equal(familiarString(ref), tc.familiar);
    });
  }
});

describe('project vectors: rejected inputs', () => {
  for (const tc of vectors.project.invalid) {
    test(`${tc.reason} ${label(tc.input)}`, () => {
      assertInvalid(() => parseReference(tc.input), tc.reason);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// API behaviour beyond the vectors.

test('every valid vector round-trips through formatReference', () => {
  const inputs = [
    ...vectors.validateReferenceName.valid,
    ...vectors.validateRemoteName.valid,
    ...vectors.parseAnyReference.map((tc) => tc.reference),
    ...vectors.project.normalize.map((tc) => tc.input),
  ];
  for (const input of inputs) {
    const ref = parseReference(input);
    assert.deepEqual(parseReference(formatReference(ref)), ref, input);
    // As in Docker, "docker.io/<64 hex digits>" has a familiar form that reads as an image ID.
    if (!grammar.identifier.test(familiarName(ref))) assert.deepEqual(parseReference(familiarString(ref)), ref, input);
  }
});

test('parseReference adds no default tag; parseReferenceWithDefaultTag adds latest', () => {
  assert.deepEqual(parseReference('ubuntu'), { registry: 'docker.io', repository: 'library/ubuntu' });
  assert.deepEqual(parseReferenceWithDefaultTag('ubuntu'), { registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' });
  assert.equal(formatReference(parseReferenceWithDefaultTag('ubuntu')), 'docker.io/library/ubuntu:latest');
  assert.equal(parseReferenceWithDefaultTag('ghcr.io/org/app:v2').tag, 'v2');
  const d = `sha256:${'0'.repeat(64)}`;
  assert.deepEqual(parseReferenceWithDefaultTag(`app:1@${d}`), { registry: 'docker.io', repository: 'library/app', digest: d });
});

test('apiHost maps Docker Hub to registry-1.docker.io and leaves others alone', () => {
  assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(apiHost(parseReference('ubuntu').registry), 'registry-1.docker.io');
  for (const host of ['ghcr.io', '127.0.0.1:5000', '[::1]:5000', 'localhost', 'registry-1.docker.io', 'quay.io']) {
    assert.equal(apiHost(host), host);
  }
});

test('isLoopbackHost', () => {
  for (const host of ['127.0.0.1:5000', '127.0.0.1', '127.1.2.3', '127.255.255.255:80', 'localhost', 'localhost:5000', '[::1]', '[::1]:5000', '[0:0:0:0:0:0:0:1]:5000']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['128.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '127.0.0.256', '10.0.0.1:5000', '[::2]:5000', '[::1]x', 'docker.io', '', 'localhost:', '127.0.0']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
  assert.equal(isLoopbackHost(parseReference('[::1]:5000/foo').registry), true);
  assert.equal(isLoopbackHost(parseReference('localhost/foo').registry), true);
});

test('familiarString and repositoryName', () => {
  assert.equal(familiarString(parseReferenceWithDefaultTag('docker.io/library/ubuntu')), 'ubuntu:latest');
  assert.equal(familiarString(parseReference('index.docker.io/user/app:1')), 'user/app:1');
  assert.equal(familiarString(parseReference('docker.io/library/foo/bar:1')), 'library/foo/bar:1');
  assert.equal(familiarString(parseReference('ghcr.io/org/app:1')), 'ghcr.io/org/app:1');
  assert.equal(familiarString(parseReference('localhost:5000/app')), 'localhost:5000/app');
  assert.equal(repositoryName(parseReference('ubuntu:22.04')), 'docker.io/library/ubuntu');
  assert.equal(formatReference({ registry: 'host:5000', repository: 'repo', tag: 'tag', digest: `sha256:${'a'.repeat(64)}` }), `host:5000/repo:tag@sha256:${'a'.repeat(64)}`);
});

test('withTag validates the tag, keeps the repository and drops the digest', () => {
  const d = `sha256:${'b'.repeat(64)}`;
  const ref = parseReference(`ghcr.io/org/app:1@${d}`);
  assert.deepEqual(withTag(ref, 'v2.0_rc-1'), { registry: 'ghcr.io', repository: 'org/app', tag: 'v2.0_rc-1' });
  assert.deepEqual(withTag(ref, 'x'.repeat(128)).tag, 'x'.repeat(128));
  assertInvalid(() => withTag(ref, ''), 'tag');
  assertInvalid(() => withTag(ref, '.hidden'), 'tag');
  assertInvalid(() => withTag(ref, 'a/b'), 'tag');
  assertInvalid(() => withTag(ref, 'x'.repeat(129)), 'tag');
  assert.deepEqual(ref.tag, '1', 'input not mutated');
});

test('withDigest validates the digest, keeps the repository and drops the tag', () => {
  const ref = parseReference('ghcr.io/org/app:1');
  const d = `sha256:${'c'.repeat(64)}`;
  assert.deepEqual(withDigest(ref, d), { registry: 'ghcr.io', repository: 'org/app', digest: d });
  assert.deepEqual(withDigest(ref, `sha512:${'c'.repeat(128)}`).digest, `sha512:${'c'.repeat(128)}`);
  assertInvalid(() => withDigest(ref, 'sha256:abc'), 'digest');
  assertInvalid(() => withDigest(ref, `sha256:${'C'.repeat(64)}`), 'digest');
  assertInvalid(() => withDigest(ref, `md5:${'c'.repeat(32)}`), 'digest');
  assertInvalid(() => withDigest(ref, 'c'.repeat(64)), 'digest');
  assert.equal(ref.tag, '1', 'input not mutated');
});

test('validateTag', () => {
  for (const tag of ['latest', '1', '_', 'A.b-C_d', 'x'.repeat(128)]) assert.doesNotThrow(() => validateTag(tag), tag);
  for (const tag of ['', '-x', '.x', 'a:b', 'a@b', 'ü', 'x'.repeat(129)]) assertInvalid(() => validateTag(tag), 'tag');
});

describe('error messages', () => {
  const usage = 'NAME[:TAG][@DIGEST], e.g. registry.example.com/team/app:1.0';
  const cases: { input: string; reason: ReferenceProblem; contains: string[] }[] = [
    { input: '', reason: 'empty', contains: ['"" is not a valid image reference', 'empty', usage] },
    { input: 'Foo', reason: 'uppercase', contains: ['"Foo" is not a valid image reference', 'must be lowercase', 'use "foo"'] },
    { input: 'ghcr.io/Org/App:V1', reason: 'uppercase', contains: ['must be lowercase', '"ghcr.io/org/app:V1"'] },
    { input: 'foo/bar$', reason: 'format', contains: ['"foo/bar$" is not a valid image reference', '"bar$"', '"$"'] },
    { input: 'foo//bar', reason: 'format', contains: ['empty path component'] },
    { input: 'https://ghcr.io/org/app', reason: 'format', contains: ['URL', 'scheme'] },
    { input: 'ubuntu latest', reason: 'format', contains: ['whitespace'] },
    { input: ':tag', reason: 'format', contains: ['repository name is missing', usage] },
    { input: 'foo_bar.com/app', reason: 'format', contains: ['"foo_bar.com" is not a valid registry host'] },
    { input: 'bad_host.com:5000/app', reason: 'format', contains: ['"bad_host.com:5000" is not a valid registry host'] },
    { input: 'foo/-bar', reason: 'format', contains: ['"-bar"', 'start and end with a letter or digit'] },
    { input: '[::1]:5000', reason: 'format', contains: ['needs a repository path', 'e.g. [::1]:5000/team/app:1.0'] },
    { input: 'example.com/' + 'a'.repeat(256), reason: 'name-too-long', contains: ['256 characters', 'at most 255'] },
    { input: 'a'.repeat(250), reason: 'name-too-long', contains: ['258 characters', '"library/"'] },
    { input: 'app:', reason: 'tag', contains: ['"app:" is not a valid image reference', 'nothing follows the ":"'] },
    { input: 'app:' + 'a'.repeat(129), reason: 'tag', contains: ['129 characters', 'at most 128'] },
    { input: 'app:-x', reason: 'tag', contains: ['the tag "-x" is invalid, as tags'] },
    { input: 'app@', reason: 'digest', contains: ['nothing follows the "@"'] },
    { input: 'app@sha256:abcd', reason: 'digest', contains: ['64 hex digits', '4 characters'] },
    { input: `app@sha256:${'f'.repeat(34)}`, reason: 'digest', contains: ['64 hex digits', '34 characters'] },
    { input: `app@md5:${'f'.repeat(32)}`, reason: 'digest', contains: ['"md5" is not supported', 'sha256'] },
    { input: `app@sha256:${'F'.repeat(64)}`, reason: 'digest', contains: ['lowercase hex'] },
    { input: 'd'.repeat(64), reason: 'identifier', contains: ['image ID', usage] },
  ];
  for (const tc of cases) {
    test(`${tc.reason}: ${label(tc.input)}`, () => {
      const err = assertInvalid(() => parseReference(tc.input), tc.reason);
      for (const fragment of tc.contains) assert.ok(err.message.includes(fragment), `${JSON.stringify(fragment)} in: ${err.message}`);
    });
  }

  test('long inputs are shortened in messages', () => {
    const err = assertInvalid(() => parseReference('example.com/' + 'a'.repeat(300)), 'name-too-long');
    assert.ok(err.message.length < 300, err.message);
    assert.ok(err.message.includes('…'));
  });

  test('validateDigest and validateTag name the bad value', () => {
    assert.match(assertInvalid(() => validateDigest('sha256:xyz'), 'digest').message, /^"sha256:xyz" is not a valid digest: /);
    assert.match(assertInvalid(() => validateTag('a b'), 'tag').message, /^"a b" is not a valid tag: /);
  });
});

test('pathological inputs are rejected quickly', () => {
  const inputs = [
    'a'.repeat(20000) + '!',
    'a-'.repeat(10000) + '!',
    'aa.'.repeat(5000) + '!/x',
    'a/'.repeat(10000) + '!',
    'a.'.repeat(10000) + 'a:' + 'a'.repeat(10000) + '!',
    'x/' + 'a__'.repeat(5000) + '_',
    `a@sha256:${'f'.repeat(20000)}!`,
  ];
  const start = process.hrtime.bigint();
  for (const input of inputs) assertInvalid(() => parseReference(input));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.ok(ms < 1000, `took ${ms} ms`);
});
