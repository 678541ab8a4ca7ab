/**
 * `npm start`: the whole product on one machine. Starts a local registry seeded with sample
 * images, runs a real CLI rebase against it, and opens VS Code (code-server) with the packaged
 * extension installed and that registry configured. Ctrl-C, at any point, stops everything it
 * started, removes its temporary folders and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry } from '../test/harness/registry';
import { seedSampleRegistry } from '../test/harness/samples';
import { leaveSignalsToCaller } from '../test/harness/tools';
import { startCodeServer } from '../test/vscode/harness/codeServer';
import { Stopper } from './demoStopper';

// Tests point this at a package they built, so they need not rebuild dist/ for production.
const VSIX = process.env.IMAGE_REBASE_DEMO_VSIX || 'image-rebase.vsix';

async function main(stopper: Stopper): Promise<void> {
  const reg = await startRegistry();
  stopper.add('the local registry', () => reg.stop());
  const host = reg.host;
  console.log(`Local registry: http://${host}`);
  const samples = await seedSampleRegistry(host);
  stopper.add('the sample images\' build folders', () => samples.cleanup(), true);
  stopper.throwIfStopping();
  console.log('Seeded: base:1 and base:2, app:1 (built on base:1), multi:1 (linux/amd64 + linux/arm64), dbase/dapp (Docker format), many (25 tags)');

  console.log(`\n$ rebase-image ${host}/app:1 -t ${host}/app:1-on-base2 -b ${host}/base:2`);
  const code = spawnSync(process.execPath, ['bin/rebase-image.js', `${host}/app:1`, '-t', `${host}/app:1-on-base2`, '-b', `${host}/base:2`], { stdio: 'inherit' }).status;
  stopper.throwIfStopping();
  if (code !== 0) throw new Error(`the demo rebase failed with exit code ${code}`);

  const workspace = await mkdtemp(join(tmpdir(), 'image-rebase-demo-'));
  stopper.add('the demo workspace', () => rm(workspace, { recursive: true, force: true }), true);
  await writeFile(join(workspace, 'Dockerfile'), `FROM ${host}/base:1\nCOPY hello.txt /app/\nCMD ["cat", "/app/hello.txt"]\n`);
  const server = await startCodeServer({
    workspace,
    installVsix: VSIX,
    settings: { 'imageRebase.registries': [host] },
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
  });
  stopper.add('VS Code (code-server)', () => server.stop());
  stopper.throwIfStopping();
  console.log(`\nVS Code with Image Rebase: ${server.url}?folder=${encodeURIComponent(workspace)}`);
  console.log('Open the Image Rebase view in the activity bar; right-click a tag for "Rebase Image…".');
  console.log(`CLI: npx rebase-image ${host}/dapp:1 -t ${host}/dapp:patched -b ${host}/dbase:2 --dry-run`);
  console.log('Press Ctrl-C to stop.');
  await stopper.stopped;
}

leaveSignalsToCaller();
const stopper = new Stopper();
main(stopper).then(
  () => stopper.stop(0),
  async (e) => {
    if (stopper.stopping) return stopper.stop(130);
    console.error(`Demo failed: ${(e as Error).message}`);
    await stopper.stop(1);
  },
);
