// Bundles the CLI (and, once they exist, the extension and webview) with esbuild.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const common = { define: { __VERSION__: JSON.stringify(version) }, bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const jobs = [
  build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/cli.js', platform: 'node', target: 'node20', format: 'cjs' }),
];
if (existsSync('src/extension.ts')) {
  jobs.push(build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'] }));
}
if (existsSync('webview/main.ts')) {
  jobs.push(build({ ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', target: 'es2022', format: 'iife' }));
}
// The fleet preview (Rebase Outdated Images) is a page of its own: a second webview bundle.
if (existsSync('webview/fleet/main.ts')) {
  jobs.push(build({ ...common, entryPoints: ['webview/fleet/main.ts'], outfile: 'dist/fleet.js', platform: 'browser', target: 'es2022', format: 'iife' }));
}
await Promise.all(jobs);

// sql.js (rpmdb.sqlite reader) loads its WebAssembly from beside the code that runs it; in the
// bundles that is dist/, so the .wasm ships there (and in the .vsix, see .vscodeignore).
const sqlWasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
mkdirSync('dist', { recursive: true });
copyFileSync(sqlWasm, 'dist/sql-wasm.wasm');
