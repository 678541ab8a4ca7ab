/** `rebase-image sync`: scan, then rebase every outdated image; a report that `rollback` can undo. */
import { writeFile } from 'node:fs/promises';
import { shortDigest } from '../core/digest';
import { UserError } from '../core/errors';
import { checkScanRequest } from '../core/fleet/scan';
import { SyncEntry, SyncRequest, checkSyncRequest, syncImages } from '../core/fleet/sync';
import { makeReport } from '../core/fleet/report';
import { SyncTargetMode } from '../core/fleet/syncJobs';
import { isIndexRebase } from '../core/rebase/rebase';
import { anyPlanToJson } from '../core/rebase/planJson';
import { oneLine } from '../shared/sanitize';
import { configLines } from './configOutput';
import { EXIT, MESSAGE_MAX, REGISTRY_USAGE, parseCommand, userArguments, withClient } from './session';
import { Terminal } from './terminal';

const SYNC_USAGE = `Usage: rebase-image sync TARGET... [--base REF]... (--in-place | --tag-suffix S) [options]

Scans TARGET as 'rebase-image scan' does (see scan --help for TARGET and --base), then rebases
every outdated image onto the image its base tag points to now. Each image is its own rebase:
its manifest is pushed last, so a failure leaves its tag as it was, and one failure does not
stop the others. A multi-platform tag is rebased whole (every platform) when any platform is
outdated; platforms whose base offers no image for them are kept unchanged. Up-to-date images
are left alone and not listed.

Target (one is required):
      --in-place                push each rebased image to its own tag
      --tag-suffix S            push it to its tag followed by S (app:1 -> app:1S)

Options:
      --base REF                a base repository or tag (repeatable), as for scan
      --tags GLOB               only tags matching GLOB (* and ?)
      --max-tags N              at most N tags per repository
      --dry-run                 plan every rebase and print the plans; write nothing
      --concurrency N           rebases in flight at once (default 8)
      --fail-fast               start no further rebase after the first failure
      --keep-config             keep each app's container settings instead of merging them
      --report FILE             write the report (JSON) to FILE, for 'rebase-image rollback'
      --json                    print the report on stdout (with each plan, in a dry run)
${REGISTRY_USAGE}
  -h, --help                    show this help

The report lists per image: image, target, previous (the digest the target tag held before,
or null), digest (pushed, or planned in a dry run), status (rebased, failed, skipped, dry-run)
and error.

Exit status: 0 when no image failed, 1 when one did (or the scan failed), 2 for a usage
error, 130 when interrupted (the report still lists what was done).`;

function positiveWhole(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) throw new UserError('usage', `${flag} takes a whole number from 1 to 1000, not "${oneLine(text, 40)}".`);
  return Number(text);
}

function printPlan(io: Terminal, e: SyncEntry): void {
  const p = e.prepared!;
  io.out(`${oneLine(e.image, 200)} -> ${oneLine(e.target ?? '', 200)} would become ${e.digest}`);
  const plans = isIndexRebase(p) ? p.plan.children.map((c) => ({ label: `${oneLine(c.platform, 60)}: `, plan: c.plan })) : [{ label: '', plan: p.plan }];
  for (const { label, plan } of plans) {
    for (const l of plan.layers) {
      const mark = l.change === 'removed' ? '-' : l.change === 'added' ? '+' : ' ';
      io.out(`    ${label}${mark} ${l.change.padEnd(7)} ${shortDigest(l.descriptor.digest)} ${String(l.descriptor.size).padStart(10)}  ${oneLine(l.createdBy ?? '', 100)}`);
    }
    for (const line of configLines(plan.configMerge)) io.out(`    ${label}${line}`);
    for (const w of plan.warnings) io.out(`    ${label}Warning: ${oneLine(w, MESSAGE_MAX)}`);
  }
}

function printLine(io: Terminal, e: SyncEntry): void {
  const what = e.status === 'rebased' ? `${e.previous ? shortDigest(e.previous) : '(new tag)'} -> ${e.digest}` : e.error ?? '';
  io.out(`${e.status.padEnd(8)} ${oneLine(e.image, 200)}${e.target ? ` -> ${oneLine(e.target, 200)}` : ''}  ${oneLine(what, MESSAGE_MAX)}`);
}

/** Suffixes usually start with "-" (app:1-patched), which parseArgs takes for an option: glue it on. */
function glueSuffix(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tag-suffix' && i + 1 < argv.length) out.push(`--tag-suffix=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

export async function syncMain(argv: string[], io: Terminal): Promise<number> {
  const options = {
    base: { type: 'string', multiple: true },
    tags: { type: 'string' },
    'max-tags': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'in-place': { type: 'boolean' },
    'tag-suffix': { type: 'string' },
    concurrency: { type: 'string' },
    'fail-fast': { type: 'boolean' },
    'keep-config': { type: 'boolean' },
    report: { type: 'string' },
    json: { type: 'boolean' },
  } as const;
  const args = parseCommand(io, 'sync', glueSuffix(argv), options, SYNC_USAGE);
  if ('exit' in args) return args.exit;
  const v = args.values;
  const problem =
    args.positionals.length === 0
      ? 'missing TARGET'
      : v['in-place'] === undefined && v['tag-suffix'] === undefined
        ? 'say where the rebased images go: --in-place (their own tags) or --tag-suffix S (each tag followed by S)'
        : v['in-place'] && v['tag-suffix'] !== undefined
          ? '--in-place and --tag-suffix exclude each other; choose one'
          : undefined;
  if (problem) {
    io.err(`rebase-image sync: ${problem}. Run rebase-image sync --help for usage.`);
    return EXIT.usage;
  }
  const mode: SyncTargetMode = v['in-place'] ? { inPlace: true } : { suffix: v['tag-suffix']! };
  return withClient(io, v, async (client, signal, progress) => {
    const request: SyncRequest = userArguments(() => {
      const r: SyncRequest = { targets: args.positionals, bases: v.base ?? [], tags: v.tags, maxTags: positiveWhole(v['max-tags'], '--max-tags'), mode, dryRun: v['dry-run'], failFast: v['fail-fast'], keepConfig: v['keep-config'] };
      checkScanRequest(r);
      checkSyncRequest(r);
      return r;
    });
    const concurrency = userArguments(() => positiveWhole(v.concurrency, '--concurrency'));
    const summary = await syncImages(client, request, { signal, onProgress: progress, concurrency });
    for (const n of summary.scan.notices) io.err(oneLine(n, MESSAGE_MAX));
    const report = makeReport(summary.entries, Boolean(v['dry-run']));
    // The report is written before anything else can fail: it is what rollback needs.
    if (v.report) await writeFile(v.report, JSON.stringify(report, null, 2) + '\n');
    if (v.json) {
      const plans = summary.entries.map((e) => (e.prepared && v['dry-run'] ? { plan: anyPlanToJson(e.prepared) } : {}));
      io.json({ ...report, images: report.images.map((e, i) => ({ ...e, ...plans[i] })) });
    } else {
      if (v['dry-run']) io.out('Dry run: nothing was written.');
      for (const e of summary.entries) {
        printLine(io, e);
        if (v['dry-run'] && e.prepared) printPlan(io, e);
      }
    }
    const n = (s: string) => summary.entries.filter((e) => e.status === s).length;
    const upToDate = new Set(summary.scan.results.filter((r) => r.status === 'up-to-date').map((r) => r.image));
    for (const e of summary.entries) upToDate.delete(e.image);
    io.err(`${summary.entries.length} listed: ${n('rebased')} rebased, ${n('dry-run')} planned, ${n('failed')} failed, ${n('skipped')} skipped; ${upToDate.size} up to date${v.report ? `; report written to ${oneLine(v.report, 300)}` : ''}`);
    if (summary.interrupted) return EXIT.interrupted;
    return n('failed') > 0 ? EXIT.failed : EXIT.ok;
  });
}
