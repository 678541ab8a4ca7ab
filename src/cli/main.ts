import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DockerConfigCredentialStore } from '../core/auth/credentials';
import { UserError, isUserError } from '../core/errors';
import { RegistryClient } from '../core/registry/client';
import { AnyPreparedRebase, RebaseRequest, executeRebase, isIndexRebase, parseRequest, prepareAnyRebase } from '../core/rebase/rebase';
import { indexPlanToJson, planToJson } from '../core/rebase/planJson';
import { IndexRebasePlan } from '../core/rebase/planIndex';
import { IndexPushResult, PushResult } from '../core/rebase/push';
import { shortDigest } from '../core/digest';
import { ManifestListRequest, parseManifestListSpec } from '../core/manifestList/spec';
import { ManifestListPlan } from '../core/manifestList/build';
import { ManifestListResult, prepareManifestList, pushManifestList } from '../core/manifestList/publish';
import { parseReferenceWithDefaultTag } from '../core/reference';
import { oneLine } from '../shared/sanitize';
import { Io, Terminal, gate, processIo } from './terminal';

const USAGE = `Usage: rebase-image SOURCE -t TARGET -b NEWBASE [-s OLDBASE] [options]
       rebase-image manifest-list TARGET IMAGE... | --from-spec FILE   (see manifest-list --help)

Rebases a container image inside its registry: the layers of the old base image under SOURCE
are replaced by those of NEWBASE, and the result is pushed as TARGET. Only the manifest and
config are rewritten; no layer is pulled or rebuilt.

A multi-platform SOURCE (OCI index or Docker manifest list) is rebased platform by platform:
each image onto NEWBASE's image of the same os/architecture/variant (Windows: same os.version
build, newest revision), the images first, then the index, last, to TARGET.

Arguments:
  SOURCE                        image to rebase (also --src)
  -t, --target TARGET           tag to push the rebased image to
  -b, --targetbase NEWBASE      new base image (also --base)
  -s, --srcbase OLDBASE         base the image was built on; found from its OCI base
                                annotations or the tags of NEWBASE's repository if omitted

Options:
      --platform OS/ARCH[/VARIANT]  rebase only this image of a multi-platform SOURCE; TARGET
                                is then a single-platform image
      --keep-unmatched          keep the images of a multi-platform SOURCE that have no
                                matching new base unchanged (default: refuse)
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

/** Caps for progress and warnings, and for errors: long enough for any message of ours, short of a flood. */
const MESSAGE_MAX = 1000;
const ERROR_MAX = 1500;

export async function main(argv: string[], rawIo: Io = processIo): Promise<number> {
  const io = gate(rawIo);
  if (argv[0] === 'manifest-list') return manifestListMain(argv.slice(1), io);
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
        'keep-unmatched': { type: 'boolean' },
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
  const request: RebaseRequest = {
    source: source!,
    target: v.target!,
    newBase: newBase!,
    oldBase: v.srcbase,
    platform: v.platform,
    keepUnmatched: v['keep-unmatched'],
  };
  return withClient(io, v, async (client, signal, progress) => {
    userArguments(() => parseRequest(request));
    const prepared = await prepareAnyRebase(client, request, { signal, onProgress: progress });
    for (const w of prepared.plan.warnings) io.err(`Warning: ${oneLine(w, MESSAGE_MAX)}`);
    if (v['dry-run']) {
      if (json) io.json(toJson(prepared));
      else if (isIndexRebase(prepared)) printIndexDryRun(io, prepared.plan);
      else printDryRun(io, prepared.plan);
      return 0;
    }
    const result = await executeRebase(client, prepared, { signal, onProgress: progress });
    if (isIndexRebase(prepared)) printIndexSummary(io, prepared.plan);
    if (json) io.json(toJson(prepared, result));
    else io.out(`${result.reference}@${result.digest}`);
    return 0;
  });
}

function toJson(prepared: AnyPreparedRebase, result?: PushResult | IndexPushResult): Record<string, unknown> {
  return isIndexRebase(prepared) ? indexPlanToJson(prepared, result as IndexPushResult | undefined) : planToJson(prepared, result as PushResult | undefined);
}

/**
 * The user's own references, parsed before any request: a malformed one is a usage error (exit 2),
 * while one found malformed later, inside registry data, is a failed rebase (exit 1).
 */
function userArguments<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isUserError(e) && e.code === 'reference') throw new UserError('usage', e.message);
    throw e;
  }
}

/** Client, Ctrl-C handling and the one place errors become one line on stderr and an exit status. */
async function withClient(
  io: Terminal,
  v: { 'insecure-registry'?: string[]; verbose?: boolean },
  body: (client: RegistryClient, signal: AbortSignal, progress: (e: { message: string }) => void) => Promise<number>,
): Promise<number> {
  const client = new RegistryClient({
    credentials: new DockerConfigCredentialStore(),
    insecureRegistries: v['insecure-registry'] ?? [],
    log: v.verbose ? (line) => io.err(`  ${oneLine(line, MESSAGE_MAX)}`) : undefined,
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
  const progress = (e: { message: string }) => io.err(oneLine(e.message, MESSAGE_MAX));
  try {
    return await body(client, controller.signal, progress);
  } catch (e) {
    if (isUserError(e)) {
      io.err(`Error: ${oneLine(e.message, ERROR_MAX)}`);
      return e.code === 'cancelled' ? 130 : e.code === 'usage' ? 2 : 1;
    }
    io.err(`Error: unexpected failure (${oneLine(firstLine(e), 300)}); the target tag was not changed. Please report this with the output of --verbose.`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function printIndexDryRun(io: Terminal, plan: IndexRebasePlan): void {
  io.out(`Dry run: nothing was written. ${plan.target.reference} would become ${plan.newIndexDigest} (${plan.newIndex.manifests.length} entries)`);
  for (const e of plan.entries) {
    io.out(`${oneLine(e.platform ?? e.kind, 100)}: ${e.action} ${shortDigest(e.source.digest)}${e.descriptor && e.descriptor.digest !== e.source.digest ? ` -> ${shortDigest(e.descriptor.digest)}` : ''}  ${oneLine(e.reason)}`);
    if (e.child) {
      for (const l of e.child.plan.layers) io.out(`    ${layerLine(l)}`);
    }
  }
}

function printIndexSummary(io: Terminal, plan: IndexRebasePlan): void {
  for (const e of plan.entries) {
    io.err(`${oneLine(e.platform ?? e.kind, 100)} ${shortDigest(e.source.digest)}: ${e.action}${e.descriptor && e.descriptor.digest !== e.source.digest ? ` as ${e.descriptor.digest}` : ''}`);
  }
}

function printDryRun(io: Terminal, plan: import('../core/rebase/plan').RebasePlan): void {
  io.out(`Dry run: nothing was written. ${plan.target.reference} would become ${plan.newManifestDigest}`);
  for (const l of plan.layers) io.out(layerLine(l));
}

function layerLine(l: import('../core/rebase/plan').LayerRow): string {
  const mark = l.change === 'removed' ? '-' : l.change === 'added' ? '+' : ' ';
  return `${mark} ${l.change.padEnd(7)} ${shortDigest(l.descriptor.digest)} ${String(l.descriptor.size).padStart(10)}  ${l.foreign ? '(foreign) ' : ''}${oneLine(l.createdBy ?? '', 100)}`;
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


const MANIFEST_LIST_USAGE = `Usage: rebase-image manifest-list TARGET IMAGE... [--tag TAG]... [options]
       rebase-image manifest-list --from-spec FILE [options]

Builds a multi-platform manifest list from single-platform images and pushes it to TARGET.
Each image's platform (os, architecture, variant, os.version, os.features) is read from its
config unless the spec gives it. The list is a Docker manifest list when every image is Docker
schema 2, else an OCI index. Images from other repositories of the registry are made present in
TARGET's repository first (layers mounted, never downloaded; foreign Windows layers stay URL
references), as registries accept a list only when its repository holds every image in it.

Spec (YAML):
  image: registry.example.com/app:1.0
  tags: [1, latest]                 # more tags for the same list (same digest)
  manifests:
    - image: registry.example.com/app:1.0-linux-amd64
    - image: registry.example.com/app:1.0-nanoserver-1709
      platform:
        os: windows
        architecture: amd64
        os.version: 10.0.16299.125

Options:
      --from-spec FILE          read the list's name, tags and images from a YAML spec
      --tag TAG                 another tag of TARGET's repository for the same list (repeatable)
      --dry-run                 plan only: fetch and compute, write nothing
      --json                    print the list (and result) as JSON on stdout
      --insecure-registry HOST  use plain HTTP for HOST (repeatable)
  -v, --verbose                 log every registry request on stderr
  -h, --help                    show this help`;

async function manifestListMain(argv: string[], io: Terminal): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'from-spec': { type: 'string' },
        tag: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        'insecure-registry': { type: 'string', multiple: true },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`rebase-image manifest-list: ${argumentProblem(e)}. Run rebase-image manifest-list --help for usage.`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    io.out(MANIFEST_LIST_USAGE);
    return 0;
  }
  const specFile = v['from-spec'];
  const pos = args.positionals;
  if (specFile ? pos.length > 0 : pos.length < 2) {
    io.err(
      specFile
        ? `rebase-image manifest-list: --from-spec takes the list from FILE; remove the argument "${pos[0]}". Run rebase-image manifest-list --help for usage.`
        : `rebase-image manifest-list: missing ${pos.length === 0 ? 'TARGET and IMAGE' : 'IMAGE'} (or --from-spec FILE). Run rebase-image manifest-list --help for usage.`,
    );
    return 2;
  }
  return withClient(io, v, async (client, signal, progress) => {
    let req: ManifestListRequest;
    if (specFile) {
      let text: string;
      try {
        text = await readFile(specFile, 'utf8');
      } catch (e) {
        throw new UserError('usage', `Cannot read the spec ${specFile} (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path.`);
      }
      req = parseManifestListSpec(text, specFile);
      if (v.tag?.length) req.tags = [...(req.tags ?? []), ...v.tag];
    } else {
      req = { target: pos[0], tags: v.tag, manifests: pos.slice(1).map((image) => ({ image })) };
    }
    userArguments(() => [req.target, ...req.manifests.map((m) => m.image)].forEach((r) => parseReferenceWithDefaultTag(r)));
    const plan = await prepareManifestList(client, req, { signal, onProgress: progress });
    for (const w of plan.warnings) io.err(`Warning: ${oneLine(w, MESSAGE_MAX)}`);
    if (v['dry-run']) {
      if (v.json) io.json(manifestListJson(plan));
      else {
        io.out(`Dry run: nothing was written. ${plan.target.reference} would become ${plan.digest} (${plan.mediaType})`);
        for (const c of plan.children) io.out(`  ${oneLine(formatListPlatform(c.platform), 200)}  ${c.digest}  ${oneLine(c.reference, 300)}${c.copy ? '  (copied into the repository)' : ''}`);
      }
      return 0;
    }
    const result = await pushManifestList(client, plan, { signal, onProgress: progress });
    progress({ message: 'Done.' });
    if (v.json) io.json(manifestListJson(plan, result));
    else for (const t of result.tags) io.out(`${t}@${result.digest}`);
    return 0;
  });
}

function formatListPlatform(p: { os: string; architecture: string; variant?: string; 'os.version'?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/') + (p['os.version'] ? ` (${p['os.version']})` : '');
}

function manifestListJson(plan: ManifestListPlan, result?: ManifestListResult): Record<string, unknown> {
  return {
    dryRun: result === undefined,
    kind: 'manifest-list',
    target: { ...plan.target, digest: plan.digest, mediaType: plan.mediaType },
    tags: plan.tags,
    manifests: plan.children.map((c) => ({
      image: c.reference,
      digest: c.digest,
      mediaType: c.mediaType,
      platform: c.platform,
      platformFrom: c.platformFrom,
      copied: Boolean(c.copy),
    })),
    index: plan.index,
    warnings: plan.warnings,
    ...(result ? { result } : {}),
  };
}
