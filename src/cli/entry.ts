/**
 * The process shell of the CLI: runs `main` and sets the exit status. It also guards the one
 * outcome a script could misread: if Node ran out of work before `main` settled (a connection
 * that died without an error), the process would otherwise exit 0 having printed no result.
 */
import { main } from './main';

export { main };

export function run(argv: string[]): void {
  let settled = false;
  const onBeforeExit = (): void => {
    if (settled) return;
    process.stderr.write(
      'Error: rebase-image stopped before it had a result (a registry connection ended without an answer); check the target tag before trying again.\n',
    );
    process.exit(4);
  };
  process.on('beforeExit', onBeforeExit);
  main(argv).then(
    (code) => {
      settled = true;
      process.off('beforeExit', onBeforeExit);
      process.exitCode = code;
    },
    () => {
      settled = true;
      process.stderr.write('Error: rebase-image failed unexpectedly; check the target tag before trying again, and please report this with the output of --verbose.\n');
      process.exitCode = 1;
    },
  );
}
