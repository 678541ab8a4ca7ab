import { parseArgs } from 'node:util';
import { DockerConfigCredentialStore } from '../core/auth/credentials';
import { isUserError } from '../core/errors';
import { RegistryClient } from '../core/registry/client';
import { executeRebase, prepareRebase } from '../core/rebase/rebase';
import { planToJson } from '../core/rebase/planJson';
import { shortDigest } from '../core/digest';

const USAGE = `Usage: rebase-image SOURCE -t TARGET -b NEWBASE [-s OLDBASE] [options]

Rebases a container image inside its registry: the layers of the old base image under SOURCE
are replaced by those of NEWBASE, and the result is pushed as TARGET. Only the manifest and
config are rewritten; no layer is pulled or rebuilt.

Arguments:
  SOURCE                        image to rebase (also --src)
  -t, --target TARGET           tag to push the rebased image to
  -b, --targetbase NEWBASE      new base image (also --base)
  -s, --srcbase OLDBASE         base the image was built on; found from its OCI base
                                annotations or the tags of NEWBASE's repository if omitted

Options:
      --platform OS/ARCH[/VARIANT]  image of a multi-platform SOURCE to rebase
      --dry-run                 plan only: fetch and compute, write nothing
      --json                    print the plan (and result) as JSON on stdout
      --insecure-registry HOST  use plain HTTP for HOST (repeatable; loopback hosts
                                such as localhost:5000 always use HTTP, as with Docker)
  -v, --verbose                 log every registry request on stderr
  -h, --help                    show this help
      --version                 show the version

Credentials come from ~/.docker/config.json ($DOCKER_CONFIG honoured): 'docker login'
entries, credsStore and credHelpers.

Examples:
  rebase-image myorg/app:1.0-1607 -t myorg/app:1.0-1709 \\
      -b mcr.microsoft.com/windows/nanoserver:1709 -s mcr.microsoft.com/windows/nanoserver:10.0.14393.1884
  rebase-image localhost:5000/app:1 -t localhost:5000/app:1-patched -b localhost:5000/base:2 --dry-run

Exit status: 0 on success, 1 when the rebase failed (the target tag is left as it was),
2 for a usage error, 130 when interrupted.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
};

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        src: { type: 'string' },
        target: { type: 'string', short: 't' },
        targetbase: { type: 'string', short: 'b' },
        base: { type: 'string' },
        srcbase: { type: 'string', short: 's' },
        platform: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        'insecure-registry': { type: 'string', multiple: true },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    io.err(`rebase-image: ${argumentProblem(e)}. Run rebase-image --help for usage.`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    io.out(USAGE);
    return 0;
  }
  if (v.version) {
    io.out(VERSION);
    return 0;
  }
  const positionals = args.positionals;
  const source = v.src ?? positionals[0];
  const newBase = v.targetbase ?? v.base;
  const extra = v.src ? positionals : positionals.slice(1);
  const missing = [!source && 'SOURCE', !v.target && '-t TARGET', !newBase && '-b NEWBASE'].filter(Boolean);
  if (missing.length || extra.length) {
    io.err(
      missing.length
        ? `rebase-image: missing ${missing.join(', ')}. Run rebase-image --help for usage.`
        : `rebase-image: unexpected argument "${extra[0]}". Run rebase-image --help for usage.`,
    );
    return 2;
  }

  const json = Boolean(v.json);
  const client = new RegistryClient({
    credentials: new DockerConfigCredentialStore(),
    insecureRegistries: v['insecure-registry'] ?? [],
    log: v.verbose ? (line) => io.err(`  ${line}`) : undefined,
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.err('Interrupted: stopping before the manifest is pushed (press Ctrl-C again to quit at once).');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = (e: { message: string }) => io.err(e.message);
  try {
    const prepared = await prepareRebase(
      client,
      { source: source!, target: v.target!, newBase: newBase!, oldBase: v.srcbase, platform: v.platform },
      { signal: controller.signal, onProgress: progress },
    );
    for (const w of prepared.plan.warnings) io.err(`Warning: ${w}`);
    if (v['dry-run']) {
      if (json) io.out(JSON.stringify(planToJson(prepared), null, 2));
      else printDryRun(io, prepared.plan);
      return 0;
    }
    const result = await executeRebase(client, prepared, { signal: controller.signal, onProgress: progress });
    if (json) io.out(JSON.stringify(planToJson(prepared, result), null, 2));
    else io.out(`${result.reference}@${result.digest}`);
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      io.err(`Error: ${e.message}`);
      return e.code === 'cancelled' ? 130 : e.code === 'usage' ? 2 : 1;
    }
    io.err(`Error: unexpected failure (${firstLine(e)}); the target tag was not changed. Please report this with the output of --verbose.`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function printDryRun(io: Io, plan: import('../core/rebase/plan').RebasePlan): void {
  io.out(`Dry run: nothing was written. ${plan.target.reference} would become ${plan.newManifestDigest}`);
  for (const l of plan.layers) {
    const mark = l.change === 'removed' ? '-' : l.change === 'added' ? '+' : ' ';
    io.out(`${mark} ${l.change.padEnd(7)} ${shortDigest(l.descriptor.digest)} ${String(l.descriptor.size).padStart(10)}  ${oneLine(l.createdBy ?? '')}`);
  }
}

/** Registry strings are untrusted: keep them on one line and free of terminal escapes. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 100);
}

/** parseArgs' own messages suggest `--` tricks that make no sense here: keep just the gist. */
function argumentProblem(e: unknown): string {
  const message = String((e as Error)?.message ?? e);
  const option = /'([^']+)'/.exec(message)?.[1];
  switch ((e as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${option ?? ''} needs a value`.replace('  ', ' ');
    default:
      return message.split('\n')[0].replace(/\.$/, '');
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';

