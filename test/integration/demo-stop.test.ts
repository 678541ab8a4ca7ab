// `npm start` (scripts/demo.ts) run for real, then Ctrl-C sent to its process group the way a
// terminal sends it: everything it started must stop, its temporary folders must go, and it must
// say so, whether Ctrl-C comes once VS Code is up or in the middle of seeding the registry.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

const REPO = resolve(__dirname, '../..');
let work: string;
let vsix: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'image-rebase-demo-test-'));
  vsix = join(work, 'image-rebase.vsix');
  // Packages the dist/ the suites already built, so this test never rebuilds it for production.
  const r = spawnSync(join(REPO, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, `vsce package failed: ${r.stdout}${r.stderr}`);
});

after(() => rmSync(work, { recursive: true, force: true }));

interface Demo {
  child: ChildProcess;
  tmp: string;
  output(): string;
  waitFor(text: string, ms: number): Promise<void>;
  exited: Promise<number | null>;
}

function startDemo(name: string): Demo {
  const tmp = mkdtempSync(join(work, `${name}-`));
  let out = '';
  // Its own process group, like a terminal's foreground job, so Ctrl-C can go to all of it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: REPO,
    detached: true,
    env: { ...process.env, TMPDIR: tmp, IMAGE_REBASE_DEMO_VSIX: vsix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    child,
    tmp,
    output: () => out,
    exited,
    async waitFor(text, ms) {
      const end = Date.now() + ms;
      while (!out.includes(text)) {
        if (child.exitCode !== null) assert.fail(`the demo exited (${child.exitCode}) before "${text}":\n${out}`);
        if (Date.now() > end) assert.fail(`no "${text}" within ${ms} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

function ctrlC(demo: Demo): void {
  process.kill(-demo.child.pid!, 'SIGINT');
}

async function exitWithin(demo: Demo, ms: number): Promise<number | null> {
  const timer = new Promise<'late'>((ok) => setTimeout(() => ok('late'), ms).unref());
  const code = await Promise.race([demo.exited, timer]);
  if (code === 'late') {
    process.kill(-demo.child.pid!, 'SIGKILL');
    assert.fail(`the demo was still running ${ms} ms after Ctrl-C:\n${demo.output()}`);
  }
  return code;
}

/** Processes whose command line names a path under the demo's TMPDIR: its registry, code-server… */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(dir)) found.push(`${pid} ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** tsx keeps its compile cache in the temp dir for every run; it is tsx's, not the demo's. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => !/^tsx-\d+$/.test(n));
}

test('Ctrl-C once VS Code is up stops the registry and VS Code, removes the temp folders and says so', { timeout: 180_000 }, async () => {
  const demo = startDemo('up');
  await demo.waitFor('Press Ctrl-C to stop.', 150_000);
  assert.match(demo.output(), /VS Code with Image Rebase: http:\/\/127\.0\.0\.1:\d+\//);
  assert.ok(processesUnder(demo.tmp).length >= 2, `the registry and code-server run from ${demo.tmp}`);
  ctrlC(demo);
  assert.equal(await exitWithin(demo, 30_000), 0, demo.output());
  assert.match(demo.output(), /Stopping…\nStopped VS Code \(code-server\) and the local registry, and removed every temporary folder they used\.\n$/);
  assert.deepEqual(processesUnder(demo.tmp), []);
  assert.deepEqual(leftovers(demo.tmp), []);
});

test('Ctrl-C while the registry is being seeded stops it and removes what was made so far', { timeout: 120_000 }, async () => {
  const demo = startDemo('seeding');
  await demo.waitFor('Local registry: http://', 60_000);
  ctrlC(demo);
  assert.equal(await exitWithin(demo, 60_000), 130, demo.output());
  assert.match(demo.output(), /Stopping…/);
  assert.match(demo.output(), /Stopped the local registry, and removed every temporary folder they used\.\n$/);
  assert.doesNotMatch(demo.output(), /VS Code with Image Rebase/);
  assert.deepEqual(processesUnder(demo.tmp), []);
  assert.deepEqual(leftovers(demo.tmp), []);
});
