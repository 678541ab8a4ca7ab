// The CLI's output gate and its exit codes for the user's own arguments: no registry is needed,
// since both happen before the first request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/main';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// Nothing listens here, and nothing may be asked: the arguments are refused first.
const H = '127.0.0.1:9';

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('the CLI output gate', () => {
  test('an argument holding escape sequences is echoed escaped', async () => {
    const r = await cli(`${H}/app:1`, `${H}/x\u001b]0;pwned\u0007\u009b2J\u202e`, '-t', `${H}/app:2`, '-b', `${H}/base:2`);
    assert.equal(r.code, 2);
    assert.equal(r.err.length, 1);
    assert.ok(!RAW_CONTROL.test(r.err[0]), JSON.stringify(r.err[0]));
    assert.ok(r.err[0].includes('\\x1b]0;pwned\\x07\\u009b2J\\u202e'), r.err[0]);
  });

  test('an argument with a newline in it cannot fake a line of its own', async () => {
    for (const argv of [['--evil\nError: fake', `${H}/app:1`], [`${H}/app:1`, 'extra\nError: fake', '-t', `${H}/a:2`, '-b', `${H}/b:2`]]) {
      const r = await cli(...argv);
      assert.equal(r.code, 2);
      assert.equal(r.err.length, 1);
      assert.ok(!RAW_CONTROL.test(r.err[0]), JSON.stringify(r.err[0]));
    }
  });

  test('--help is printed as written', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    assert.match(r.out.join('\n'), /^Usage: rebase-image SOURCE -t TARGET -b NEWBASE/);
    assert.match(r.out.join('\n'), /\n {2}-t, --target TARGET +tag to push the rebased image to\n/);
  });
});

describe('malformed references of the user are usage errors (exit 2)', () => {
  for (const [what, argv] of [
    ['SOURCE', ['Foo/Bar:1', '-t', `${H}/app:2`, '-b', `${H}/base:2`]],
    ['-t', [`${H}/app:1`, '-t', 'app:', '-b', `${H}/base:2`]],
    ['-b', [`${H}/app:1`, '-t', `${H}/app:2`, '-b', 'a@sha256:123']],
    ['-s', [`${H}/app:1`, '-t', `${H}/app:2`, '-b', `${H}/base:2`, '-s', '::']],
    ['an empty -s', [`${H}/app:1`, '-t', `${H}/app:2`, '-b', `${H}/base:2`, '-s', '']],
    ['manifest-list TARGET', ['manifest-list', 'Foo/Bar:1', `${H}/app:1`]],
    ['manifest-list IMAGE', ['manifest-list', `${H}/list:1`, `${H}/app:1`, 'app:']],
  ] as const) {
    test(what, async () => {
      const r = await cli(...argv);
      assert.equal(r.code, 2, r.err.join('\n'));
      assert.deepEqual(r.out, []);
      assert.equal(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0], /^Error: ".*" is not a valid image reference: .*\.$/);
    });
  }
});
