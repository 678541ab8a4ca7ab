import { parseArgs } from 'node:util';
import { AnyPreparedRebase, RebaseRequest, executeRebase, isIndexRebase, parseRequest, prepareAnyRebase } from '../core/rebase/rebase';
import { indexPlanToJson, planToJson } from '../core/rebase/planJson';
import { IndexRebasePlan } from '../core/rebase/planIndex';
import { IndexPushResult, PushResult } from '../core/rebase/push';
import { shortDigest } from '../core/digest';
import { FetchMemo } from '../core/rebase/fetchImage';
import { RegistryClient } from '../core/registry/client';
import { oneLine } from '../shared/sanitize';
import { configLines, printConfigNotes } from './configOutput';
import { manifestListMain } from './manifestListCommand';
import { packagesForRebase, packagesMain } from './packagesCommand';
import { scanMain } from './scanCommand';
import { syncMain } from './syncCommand';
import { rollbackMain } from './rollbackCommand';
import { fanOutTargets } from './fanOut';
import { EXIT, EXIT_USAGE, MESSAGE_MAX, REGISTRY_OPTIONS, REGISTRY_USAGE, argumentProblem, exitStatusFor, userArguments, withClient } from './session';
import { Io, Terminal, gate, processIo } from './terminal';

const USAGE = `Usage: rebase-image SOURCE -t TARGET -b NEWBASE [-s OLDBASE] [options]
       rebase-image manifest-list TARGET IMAGE... | --from-spec FILE   (see manifest-list --help)
       rebase-image packages IMAGE_A IMAGE_B   (OS package changes; see packages --help)
       rebase-image scan TARGET... [--base REF]...   (outdated bases; exit 3 with --fail-on-outdated; see scan --help)
       rebase-image sync TARGET... [--base REF]... (--in-place | --tag-suffix S)   (rebase every outdated image; see sync --help)
       rebase-image rollback REPORT [--force]   (put back the tags a sync changed; see rollback --help)

Rebases a container image inside its registry: the layers of the old base image under SOURCE
are replaced by those of NEWBASE, and the result is pushed as TARGET. Only the manifest and
config are rewritten; no layer is pulled or rebuilt.

A multi-platform SOURCE (OCI index or Docker manifest list) is rebased platform by platform:
each image onto NEWBASE's image of the same os/architecture/variant (Windows: same os.version
build, newest revision), the images first, then the index, last, to TARGET.

Arguments:
  SOURCE                        image to rebase (also --src)
  -t, --target TARGET           tag to push the rebased image to
  -b, --targetbase NEWBASE      new base image (also --base); repeatable for a fan-out, with
                                {base.tag} in TARGET: -t 'app:1-{base.tag}' -b base:1 -b base:2
                                pushes app:1-1 and app:1-2, each a separate rebase
  -s, --srcbase OLDBASE         base the image was built on; if omitted, found from its OCI
                                base annotations, else its build provenance attestation,
                                else the tags of NEWBASE's repository (the output says which)

Options:
      --platform OS/ARCH[/VARIANT]  rebase only this image of a multi-platform SOURCE; TARGET
                                is then a single-platform image
      --keep-unmatched          keep the images of a multi-platform SOURCE that have no
                                matching new base unchanged (default: refuse)
      --keep-config             keep the app's container settings (Env, Labels, Cmd…) exactly
                                as they are, instead of merging them onto the new base
      --dry-run                 plan only: fetch and compute, write nothing
      --json                    print the plan (and result) as JSON on stdout
      --packages                also compare the OS packages of the old and the new base
                                (upgraded, added, removed; read from their layers, cached)
${REGISTRY_USAGE}
  -h, --help                    show this help
      --version                 show the version

Container settings are merged as a rebuild would set them: what the app inherited from the
old base (Env by name, Labels, ports, volumes by key; User, WorkingDir, Entrypoint, Cmd,
StopSignal, Healthcheck, Shell as a whole) becomes the new base's; what the app set stays;
ENV PATH=/app/bin:$PATH gets the new base's PATH; a value both changed stays the app's, with
a warning. The dry run lists every key.

Refused: a NEWBASE that is SOURCE itself or already holds SOURCE's app layers. When SOURCE is
already on NEWBASE (same image), nothing is written and the exit status is 0.

Credentials come from ~/.docker/config.json ($DOCKER_CONFIG honoured): 'docker login'
entries, credsStore and credHelpers.

Examples:
  rebase-image myorg/app:1.0-1607 -t myorg/app:1.0-1709 \\
      -b mcr.microsoft.com/windows/nanoserver:1709 -s mcr.microsoft.com/windows/nanoserver:10.0.14393.1884
  rebase-image localhost:5000/app:1 -t localhost:5000/app:1-patched -b localhost:5000/base:2 --dry-run

${EXIT_USAGE}`;

export async function main(argv: string[], rawIo: Io = processIo): Promise<number> {
  const io = gate(rawIo);
  if (argv[0] === 'manifest-list') return manifestListMain(argv.slice(1), io);
  if (argv[0] === 'packages') return packagesMain(argv.slice(1), io);
  if (argv[0] === 'scan') return scanMain(argv.slice(1), io);
  if (argv[0] === 'sync') return syncMain(argv.slice(1), io);
  if (argv[0] === 'rollback') return rollbackMain(argv.slice(1), io);
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        src: { type: 'string' },
        target: { type: 'string', short: 't' },
        targetbase: { type: 'string', short: 'b', multiple: true },
        base: { type: 'string', multiple: true },
        srcbase: { type: 'string', short: 's' },
        platform: { type: 'string' },
        'keep-unmatched': { type: 'boolean' },
        'keep-config': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        packages: { type: 'boolean' },
        ...REGISTRY_OPTIONS,
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
  // Fan-out: -b may be repeated (with --base, as before, the -b values win).
  const newBases = v.targetbase ?? v.base ?? [];
  const extra = v.src ? positionals : positionals.slice(1);
  const missing = [!source && 'SOURCE', !v.target && '-t TARGET', (!newBases.length || newBases.some((b) => !b)) && '-b NEWBASE'].filter(Boolean);
  if (missing.length || extra.length) {
    io.err(
      missing.length
        ? `rebase-image: missing ${missing.join(', ')}. Run rebase-image --help for usage.`
        : `rebase-image: unexpected argument "${oneLine(extra[0], 200)}". Run rebase-image --help for usage.`,
    );
    return 2;
  }

  let fan;
  try {
    fan = userArguments(() => fanOutTargets(v.target!, newBases));
  } catch (e) {
    io.err(`rebase-image: ${oneLine((e as Error).message, MESSAGE_MAX)} Run rebase-image --help for usage.`);
    return 2;
  }
  const json = Boolean(v.json);
  const requestFor = (newBase: string, target: string): RebaseRequest => ({
    source: source!,
    target,
    newBase,
    oldBase: v.srcbase,
    platform: v.platform,
    keepUnmatched: v['keep-unmatched'],
    keepConfig: v['keep-config'],
  });
  if (fan.length === 1) return withClient(io, v, (client, signal, progress) => rebaseOne(client, signal, progress, requestFor(fan[0].newBase, fan[0].target)));
  // One client and one document memo for every target (credentials, tokens, a registry's request
  // to wait, the source read once); each target on its own: one failing does not stop the
  // others, and the worst status is returned.
  return withClient(io, v, async (client, signal, progress) => {
    const memo = new FetchMemo();
    let worst = 0;
    for (const f of fan) {
      io.err(`${oneLine(f.target, 300)} (onto ${oneLine(f.newBase, 300)}):`);
      const code = await rebaseOne(client, signal, progress, requestFor(f.newBase, f.target), memo).catch((e: unknown) => exitStatusFor(io, v, e));
      if (code === EXIT.interrupted) return code;
      if (code !== 0 && (worst === 0 || code === EXIT.uncertain)) worst = code;
    }
    return worst;
  });

  async function rebaseOne(client: RegistryClient, signal: AbortSignal, progress: (e: { message: string }) => void, request: RebaseRequest, memo?: FetchMemo): Promise<number> {
    userArguments(() => parseRequest(request));
    const prepared = await prepareAnyRebase(client, request, { signal, onProgress: progress, memo });
    for (const w of prepared.plan.warnings) io.err(`Warning: ${oneLine(w, MESSAGE_MAX)}`);
    if (isIndexRebase(prepared)) for (const c of prepared.plan.children) printConfigNotes(io, c.plan.configMerge, `${oneLine(c.platform, 100)}: `);
    else printConfigNotes(io, prepared.plan.configMerge);
    // --packages (issue 12): see packagesCommand.ts.
    const packages = v.packages ? await packagesForRebase(client, prepared, io, signal, progress) : undefined;
    if (v['dry-run']) {
      if (json) io.json({ ...toJson(prepared), ...packages?.json });
      else if (isIndexRebase(prepared)) printIndexDryRun(io, prepared.plan);
      else printDryRun(io, prepared.plan);
      if (!json) packages?.print((line) => io.out(line));
      return 0;
    }
    if (!json) packages?.print((line) => io.err(line));
    const result = await executeRebase(client, prepared, { signal, onProgress: progress });
    if (isIndexRebase(prepared)) printIndexSummary(io, prepared.plan);
    if (json) io.json({ ...toJson(prepared, result), ...packages?.json });
    else io.out(`${result.reference}@${result.digest}`);
    return 0;
  }
}

function toJson(prepared: AnyPreparedRebase, result?: PushResult | IndexPushResult): Record<string, unknown> {
  return isIndexRebase(prepared) ? indexPlanToJson(prepared, result as IndexPushResult | undefined) : planToJson(prepared, result as PushResult | undefined);
}

function printIndexDryRun(io: Terminal, plan: IndexRebasePlan): void {
  io.out(`Dry run: nothing was written. ${plan.target.reference} would become ${plan.newIndexDigest} (${plan.newIndex.manifests.length} entries)`);
  for (const e of plan.entries) {
    io.out(`${oneLine(e.platform ?? e.kind, 100)}: ${e.action} ${shortDigest(e.source.digest)}${e.descriptor && e.descriptor.digest !== e.source.digest ? ` -> ${shortDigest(e.descriptor.digest)}` : ''}  ${oneLine(e.reason)}`);
    if (e.child) {
      for (const l of e.child.plan.layers) io.out(`    ${layerLine(l)}`);
      for (const line of configLines(e.child.plan.configMerge)) io.out(`    ${line}`);
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
  for (const line of configLines(plan.configMerge)) io.out(line);
}

function layerLine(l: import('../core/rebase/plan').LayerRow): string {
  const mark = l.change === 'removed' ? '-' : l.change === 'added' ? '+' : ' ';
  return `${mark} ${l.change.padEnd(7)} ${shortDigest(l.descriptor.digest)} ${String(l.descriptor.size).padStart(10)}  ${l.foreign ? '(foreign) ' : ''}${oneLine(l.createdBy ?? '', 100)}`;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';


