import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tagDigest, type CliRun } from '../harness/cli';
import { startRegistry, TestRegistry } from '../harness/registry';
import { seedStandardImages, StandardImages } from '../harness/fixtures';
import { catalog, fetchManifest, putManifest } from '../harness/rawRegistry';
import { seedLinuxIndexes, type LinuxIndexes } from '../harness/indexFixtures';

// Requests that make no sense are refused in one sentence, and a rebase onto the base the image
// is already on writes nothing and succeeds: checked against the registry's own answers.

/** Request lines of `-v` that write (anything but GET and HEAD). */
function writes(r: CliRun): string[] {
  return r.err.filter((l) => /^ {2}(PUT|POST|PATCH|DELETE) /.test(l)).map((l) => l.trim());
}

describe('refusals and rebases with nothing to do', () => {
  let reg: TestRegistry;
  let host: string;
  let seed: StandardImages;
  let fx: LinuxIndexes;
  /** A tag that must survive every refusal (a copy of app:1). */
  let guard: string;

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    [seed, fx] = await Promise.all([seedStandardImages(host), seedLinuxIndexes(host)]);
    const app = await fetchManifest(host, 'app', '1');
    guard = await putManifest(host, 'app', 'guard', app.body, app.mediaType.split(';')[0]);
  });
  after(async () => {
    await Promise.all([seed?.cleanup(), fx?.cleanup()]);
    await reg?.stop();
  });

  async function refused(r: CliRun, sentence: string): Promise<void> {
    assert.equal(r.code, 1, r.err.join('\n'));
    assert.equal(r.err.at(-1), `Error: ${sentence}`);
    assert.deepEqual(writes(r), [], 'nothing was written');
    assert.equal(await tagDigest(host, 'app', 'guard'), guard, 'the target tag is as it was');
  }

  test('the source itself as the new base', async () => {
    const r = await cli(`${host}/app:1`, '-t', `${host}/app:guard`, '-b', `${host}/app:1`, '-v');
    await refused(r, `The new base ${host}/app:1 is the image ${host}/app:1 itself, so its app layers would be stacked twice; name the base image to move it onto with -b.`);
    // By another name (its digest) and with the old base given: the same sentence.
    const byDigest = await cli(`${host}/app:1`, '-t', `${host}/app:guard`, '-b', `${host}/app@${seed.oci.app1.digest}`, '-s', `${host}/base:1`, '-v');
    await refused(byDigest, `The new base ${host}/app@${seed.oci.app1.digest} is the image ${host}/app:1 itself, so its app layers would be stacked twice; name the base image to move it onto with -b.`);
  });

  test('a new base that already holds the app layers: a rebased copy of the image', async () => {
    assert.equal((await cli(`${host}/app:1`, '-t', `${host}/app:on-2`, '-b', `${host}/base:2`, '-s', `${host}/base:1`)).code, 0);
    const r = await cli(`${host}/app:1`, '-t', `${host}/app:guard`, '-b', `${host}/app:on-2`, '-s', `${host}/base:1`, '-v');
    await refused(r, `The new base ${host}/app:on-2 already contains the app layers of ${host}/app:1 (it is that image or one made from it), so they would be stacked twice; name the base image itself with -b.`);
  });

  test('a multi-platform source as its own new base', async () => {
    const r = await cli(`${host}/mapp:1`, '-t', `${host}/app:guard`, '-b', `${host}/mapp:1`, '-v');
    await refused(r, `The new base ${host}/mapp:1 is the image ${host}/mapp:1 itself, so its app layers would be stacked twice; name the base image to move it onto with -b.`);
  });

  test('the base the image is already on: exit 0, the sentence, nothing written', async () => {
    const before = await catalog(host);
    for (const args of [[], ['-s', `${host}/base:1`], ['--dry-run']]) {
      const r = await cli(`${host}/app:1`, '-t', `${host}/app:same`, '-b', `${host}/base:1`, '-v', ...args);
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.match(r.err.at(-1)!, new RegExp(`^${host.replace(/\./g, '\\.')}/app:1 is already on that base: ${host.replace(/\./g, '\\.')}/base:1 \\([0-9a-f]{12}\\) is the image it was built on, so there is nothing to rebase and nothing was written\\.$`));
      assert.deepEqual(r.out, [], 'no reference printed: nothing was pushed');
      assert.deepEqual(writes(r), []);
    }
    assert.equal(await tagDigest(host, 'app', 'same'), undefined);
    assert.deepEqual(await catalog(host), before);

    const json = await cli(`${host}/app:1`, '-t', `${host}/app:guard`, '-b', `${host}/base:1`, '--json');
    assert.equal(json.code, 0);
    assert.deepEqual({ ...JSON.parse(json.out.join('\n')), message: undefined }, { alreadyOnBase: true, written: false, message: undefined });
    assert.equal(await tagDigest(host, 'app', 'guard'), guard);
  });

  test('a multi-platform image already on a multi-platform base, named by another tag of the same index', async () => {
    const b1 = await fetchManifest(host, 'mbase', '1');
    const index = await putManifest(host, 'mbase', 'stable', b1.body, b1.mediaType.split(';')[0]);
    const r = await cli(`${host}/mapp:1`, '-t', `${host}/mapp:same`, '-b', `${host}/mbase:stable`, '-v');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.err.at(-1), `${host}/mapp:1 is already on that base: ${host}/mbase:stable (${index.slice(7, 19)}) is what each of its platforms was built on, so there is nothing to rebase and nothing was written.`);
    assert.deepEqual(writes(r), []);
    assert.equal(await tagDigest(host, 'mapp', 'same'), undefined);
    // One platform of it, too.
    const one = await cli(`${host}/mapp:1`, '--platform', 'linux/arm64', '-t', `${host}/mapp:same`, '-b', `${host}/mbase:1`);
    assert.equal(one.code, 0, one.err.join('\n'));
    assert.match(one.err.at(-1)!, /is already on that base/);
    assert.equal(await tagDigest(host, 'mapp', 'same'), undefined);
  });
});
