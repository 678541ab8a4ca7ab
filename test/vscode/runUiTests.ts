// Runs the Playwright UI tests (test/vscode/ui/*.ui.ts, node:test) against a real VS Code
// workbench after making sure code-server is set up and the extension is built.
// Usage: node --import tsx test/vscode/runUiTests.ts [files...]   (default: every *.ui.ts)
// Equivalent to what scripts/test-all.sh runs after its own setup and build:
//   node --import tsx --test --test-reporter=tap --test-concurrency=1 test/vscode/ui/*.ui.ts
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './harness/codeServer';

function step(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.log(`not ok - ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})\n# pass 0\n# fail 1`);
    process.exit(1);
  }
}

step('bash', ['scripts/setup-code-server.sh']);
step('npm', ['run', '--silent', 'build']);
const uiDir = join(REPO_ROOT, 'test/vscode/ui');
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(uiDir).filter((f) => f.endsWith('.ui.ts')).sort().map((f) => relative(REPO_ROOT, join(uiDir, f)));
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...files],
  { cwd: REPO_ROOT, stdio: 'inherit' },
);
process.exit(r.status ?? 1);
