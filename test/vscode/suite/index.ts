// Entry point the real VS Code extension host loads as `extensionTestsPath` (bundled by
// test/vscode/runExtensionTests.ts to out/test/suite-<pid>/index.js, next to the bundled *.test.js).
// Runs every *.test.js beside it with mocha (bdd: describe/it, importable from 'mocha') and reports
// through console.log, which the workbench forwards to the runner, in TAP form:
//   ok 1 - suite title test title
//   not ok 2 - ...        (followed by the indented error and stack)
//   # pass N / # fail N / # skipped N
// run() rejects when a test failed, so the workbench exits with code 1.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

type MochaTest = { fullTitle(): string; duration?: number };

export async function run(): Promise<void> {
  // mocha 12 is ESM-only; Node 20.19+ loads it with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('mocha');
  const Mocha = m.default || m;
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.IMAGE_REBASE_TEST_TIMEOUT_MS) || 60_000,
    // Reporting is done below; 'base' prints nothing itself.
    reporter: 'base',
  });
  const grep = process.env.IMAGE_REBASE_TEST_GREP;
  if (grep) mocha.grep(grep);

  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(join(__dirname, f));
  console.log(`TAP version 13\n# image-rebase extension tests in VS Code ${require('vscode').version}: ${files.join(', ')}`);

  await mocha.loadFilesAsync();
  const counts = { pass: 0, fail: 0, skipped: 0 };
  let n = 0;
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t: MochaTest) => {
      counts.pass++;
      console.log(`ok ${++n} - ${t.fullTitle()}${t.duration !== undefined ? ` # ${t.duration}ms` : ''}`);
    });
    runner.on('pending', (t: MochaTest) => {
      counts.skipped++;
      console.log(`ok ${++n} - ${t.fullTitle()} # SKIP`);
    });
    runner.on('fail', (t: MochaTest, err: Error) => {
      counts.fail++;
      const detail = (err?.stack || String(err))
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n');
      console.log(`not ok ${++n} - ${t.fullTitle()}\n  ---\n${detail}\n  ...`);
    });
  });
  console.log(`1..${n}\n# tests ${n}\n# pass ${counts.pass}\n# fail ${counts.fail}\n# skipped ${counts.skipped}`);
  if (counts.fail > 0) throw new Error(`${counts.fail} test(s) failed`);
}
