/**
 * `npm start`: the whole product on one machine. Starts a local registry seeded with sample
 * images, runs a real CLI rebase against it, then keeps the registry up until Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { startRegistry } from '../test/harness/registry';
import { seedStandardImages } from '../test/harness/fixtures';
import { pushIndex } from '../test/harness/fixtures';

async function main(): Promise<void> {
  const reg = await startRegistry();
  const host = reg.host;
  console.log(`Local registry: http://${host} (storage ${reg.storageDir})`);
  const seed = await seedStandardImages(host);
  const multi = await pushIndex([seed.built.base1, seed.built.base2], `${host}/multi:1`).catch(() => undefined);
  console.log('Seeded: base:1, base:2, app:1 (built on base:1) as OCI; dbase, dapp as Docker schema 2' + (multi ? '; multi:1 index' : ''));

  const cli = (args: string[]) => {
    console.log(`\n$ rebase-image ${args.join(' ')}`);
    return spawnSync(process.execPath, ['bin/rebase-image.js', ...args], { stdio: 'inherit' }).status;
  };
  const code = cli([`${host}/app:1`, '-t', `${host}/app:1-on-base2`, '-b', `${host}/base:2`]);
  if (code !== 0) throw new Error(`the demo rebase failed with exit code ${code}`);

  console.log(`\nTry it yourself, e.g.:\n  npx rebase-image ${host}/dapp:1 -t ${host}/dapp:patched -b ${host}/dbase:2 --dry-run`);
  console.log('Press Ctrl-C to stop the registry.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await seed.cleanup();
  await reg.stop();
}

main().catch((e) => {
  console.error(`Demo failed: ${(e as Error).message}`);
  process.exit(1);
});
