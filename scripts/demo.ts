/**
 * `npm start`: the whole product on one machine. Starts a local registry seeded with sample
 * images, runs a real CLI rebase against it, and opens VS Code (code-server) with the packaged
 * extension installed and that registry configured. Ctrl-C stops everything it started.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry } from '../test/harness/registry';
import { seedSampleRegistry } from '../test/harness/samples';
import { startCodeServer } from '../test/vscode/harness/codeServer';

async function main(): Promise<void> {
  const reg = await startRegistry();
  const host = reg.host;
  console.log(`Local registry: http://${host}`);
  const samples = await seedSampleRegistry(host);
  console.log('Seeded: base:1 and base:2, app:1 (built on base:1), multi:1 (linux/amd64 + linux/arm64), dbase/dapp (Docker format), many (25 tags)');

  const cli = (args: string[]) => {
    console.log(`\n$ rebase-image ${args.join(' ')}`);
    return spawnSync(process.execPath, ['bin/rebase-image.js', ...args], { stdio: 'inherit' }).status;
  };
  const code = cli([`${host}/app:1`, '-t', `${host}/app:1-on-base2`, '-b', `${host}/base:2`]);
  if (code !== 0) throw new Error(`the demo rebase failed with exit code ${code}`);

  const workspace = await mkdtemp(join(tmpdir(), 'image-rebase-demo-'));
  await writeFile(join(workspace, 'Dockerfile'), `FROM ${host}/base:1\nCOPY hello.txt /app/\nCMD ["cat", "/app/hello.txt"]\n`);
  const server = await startCodeServer({
    workspace,
    installVsix: 'image-rebase.vsix',
    settings: { 'imageRebase.registries': [host] },
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
  });
  console.log(`\nVS Code with Image Rebase: ${server.url}?folder=${encodeURIComponent(workspace)}`);
  console.log('Open the Image Rebase view in the activity bar; right-click a tag for "Rebase Image…".');
  console.log(`CLI: npx rebase-image ${host}/dapp:1 -t ${host}/dapp:patched -b ${host}/dbase:2 --dry-run`);
  console.log('Press Ctrl-C to stop.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nStopping…');
  await server.stop();
  await samples.cleanup();
  await reg.stop();
  await rm(workspace, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`Demo failed: ${(e as Error).message}`);
  process.exit(1);
});
