// Runs the mocha tests of test/vscode/suite/*.test.ts inside a real VS Code extension host
// (code-server 4.100.3 in headless Chromium) with the extension under development loaded from
// the repo root. Usage: node --import tsx test/vscode/runExtensionTests.ts
//
// - Finishes the code-server install (scripts/setup-code-server.sh, a no-op once done), builds
//   the extension (npm run build) and bundles the tests to out/test/suite-<pid>/ (removed afterwards).
// - If test/vscode/fixtures.ts exists, calls its setup() first (e.g. to start a registry): its env
//   goes to code-server and so to the extension host, its settings into the user settings, and
//   its teardown() runs at the end. Variables named IMAGE_REBASE_TEST_* pass through as well.
// - Forwards the extension host's output, ends with "# pass N" and "# fail N", exits 0 only when
//   every test passed. IMAGE_REBASE_VSCODE_TIMEOUT_MS bounds the run (default 5 min).
//   IMAGE_REBASE_EXTENSION_PATH replaces the extension folder (default: the repo root).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { openWorkbench, screenshot, type Workbench } from './harness/browser';
import { REPO_ROOT, startCodeServer, type CodeServer } from './harness/codeServer';

export interface VscodeFixtures {
  env: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Folder to open in the workbench (default: an empty temporary folder). */
  workspace?: string;
  teardown(): Promise<void>;
}

const SUITE_DIR = join(REPO_ROOT, 'test/vscode/suite');
// The benchmark runs its own files (and fixtures) through this same runner.
const TESTS_DIR = join(REPO_ROOT, process.env.IMAGE_REBASE_VSCODE_SUITE ?? 'test/vscode/suite');
const FIXTURES_FILE = join(REPO_ROOT, process.env.IMAGE_REBASE_VSCODE_FIXTURES ?? 'test/vscode/fixtures.ts');
// One folder per run: two runs in one checkout (a developer's and a helper's) must not clash.
const OUT_DIR = join(REPO_ROOT, `out/test/suite-${process.pid}`);

function step(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

export async function bundleSuite(): Promise<string> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  // Named outputs: entries from two folders would otherwise land in subfolders of OUT_DIR.
  const entries = [
    { in: join(SUITE_DIR, 'index.ts'), out: 'index' },
    ...readdirSync(TESTS_DIR)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => ({ in: join(TESTS_DIR, f), out: f.replace(/\.ts$/, '') })),
  ];
  await build({
    entryPoints: entries,
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(OUT_DIR, 'index.js');
}

function countsFrom(logs: string[]): { pass?: number; fail?: number; skipped?: number } {
  const counts: { pass?: number; fail?: number; skipped?: number } = {};
  for (const entry of logs) {
    for (const line of entry.split('\n')) {
      const m = /^# (pass|fail|skipped) (\d+)\s*$/.exec(line.trim());
      if (m) counts[m[1] as 'pass' | 'fail' | 'skipped'] = Number(m[2]);
    }
  }
  return counts;
}

async function main(): Promise<number> {
  const timeoutMs = Number(process.env.IMAGE_REBASE_VSCODE_TIMEOUT_MS) || 300_000;
  const extensionPath = resolve(process.env.IMAGE_REBASE_EXTENSION_PATH || REPO_ROOT);
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

  step('bash', ['scripts/setup-code-server.sh']);
  step('npm', ['run', '--silent', 'build']);
  const testsPath = await bundleSuite();
  console.log(`# prepared in ${elapsed()}`);

  let fixtures: VscodeFixtures | undefined;
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let tmpWorkspace: string | undefined;
  const logs: string[] = [];
  let code = 1;
  try {
    const fixturesFile = FIXTURES_FILE;
    if (existsSync(fixturesFile)) {
      const mod = await import(pathToFileURL(fixturesFile).href);
      const setup = (mod.setup ?? mod.default?.setup) as (() => Promise<VscodeFixtures>) | undefined;
      if (typeof setup !== 'function') throw new Error('test/vscode/fixtures.ts does not export setup()');
      fixtures = await setup();
      console.log(`# fixtures ready in ${elapsed()}`);
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (k.startsWith('IMAGE_REBASE_TEST_') && v !== undefined) env[k] = v;
    Object.assign(env, fixtures?.env);
    let workspace = fixtures?.workspace;
    if (!workspace) workspace = tmpWorkspace = await mkdtemp(join(tmpdir(), 'image-rebase-workspace-'));

    server = await startCodeServer({ workspace, env, settings: fixtures?.settings });
    console.log(`# code-server up at ${server.url} in ${elapsed()}`);
    wb = await openWorkbench(server, {
      extensionDevelopmentPath: extensionPath,
      extensionTestsPath: testsPath,
      onLog: (line) => {
        logs.push(line);
        console.log(line);
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([wb.exitCode, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      console.log(`not ok - the extension tests did not finish within ${timeoutMs / 1000}s`);
      const shot = await screenshot(wb.page, 'extension-tests-timeout').catch(() => undefined);
      if (shot) console.log(`# screenshot: ${shot}`);
      console.log(`# code-server output (tail):\n${server.output().slice(-3000)}`);
      code = 1;
    } else {
      code = result;
    }
  } catch (err) {
    console.log(`not ok - extension test run failed: ${(err as Error)?.stack ?? err}`);
    if (server) console.log(`# code-server output (tail):\n${server.output().slice(-3000)}`);
    code = 1;
  } finally {
    await wb?.close();
    await server?.stop();
    if (tmpWorkspace) await rm(tmpWorkspace, { recursive: true, force: true });
    await fixtures?.teardown().catch((e: unknown) => console.log(`# fixtures teardown failed: ${e}`));
    rmSync(OUT_DIR, { recursive: true, force: true });
  }

  const counts = countsFrom(logs);
  const pass = counts.pass ?? 0;
  let fail = counts.fail ?? 0;
  // A run that died before reporting, or exited non-zero with no failed test, still failed.
  if (code !== 0 && fail === 0) fail = 1;
  if (code === 0 && counts.pass === undefined) {
    console.log('not ok - the extension host reported no test results');
    fail = 1;
    code = 1;
  }
  if ((counts.skipped ?? 0) > 0) console.log(`# skipped ${counts.skipped}`);
  console.log(`# duration ${elapsed()}`);
  console.log(`# pass ${pass}`);
  console.log(`# fail ${fail}`);
  return code === 0 && fail === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.log(`not ok - ${(err as Error)?.stack ?? err}`);
    console.log('# pass 0');
    console.log('# fail 1');
    process.exit(1);
  },
);
