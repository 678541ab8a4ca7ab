/** `rebase-image scan`: which images are on an outdated base, as a table or JSON, and a CI gate. */
import { shortDigest } from '../core/digest';
import { UserError } from '../core/errors';
import { checkScanRequest, scanImages } from '../core/fleet/scan';
import { ScanRequest, ScanResult, ScanStatus, resultToJson } from '../core/fleet/types';
import { oneLine } from '../shared/sanitize';
import { EXIT, MESSAGE_MAX, REGISTRY_USAGE, parseCommand, userArguments, withClient } from './session';
import { Terminal } from './terminal';

const SCAN_USAGE = `Usage: rebase-image scan TARGET... [--base REF]... [options]

Finds, for every image under each TARGET (every platform of a multi-platform tag), the base it
was built on and whether that base tag still points to it. TARGET is a registry (host:port or
host:port/), a namespace (host/team/), a repository (host/team/app) or an image (host/app:1).

The base comes from the image's OCI base annotations, else its BuildKit provenance, else the
longest layer-prefix match among the images of the --base repositories. Each image is:
  up-to-date     its base tag still points to the image it is on
  outdated       the base tag now points to another image (since: that image's created time),
                 or no longer exists
  unknown-base   no recorded base, and no --base candidate holds its lower layers
  error          it could not be read (the sentence says why)

Options:
      --base REF                a base repository (every tag is a candidate) or tag (also
                                the tag that images found by layer search are judged
                                against); repeatable. Its repository is left out of
                                registry and namespace TARGETs.
      --tags GLOB               only tags matching GLOB (* and ?), e.g. '1.*'
      --max-tags N              at most N tags per repository, in the registry's order
      --json                    print one object per image as a JSON array on stdout:
                                image, digest, platform, base {name, digest, foundBy},
                                current {digest, created}, status, error, note
      --fail-on-outdated        exit 3 when any image is outdated (a CI gate)
${REGISTRY_USAGE}
  -h, --help                    show this help

Exit status: 0 when every image was judged, 1 when some could not be (an error row) or the
scan failed, 2 for a usage error, 3 with --fail-on-outdated when an image is outdated (even
if another could not be read), 130 when interrupted.`;

const ORDER: ScanStatus[] = ['outdated', 'error', 'unknown-base', 'up-to-date'];

function day(created: string | null | undefined): string {
  return created ? created.slice(0, 10) : 'an unknown date';
}

/** The last column: what to do about the row, in a few words. */
function detail(r: ScanResult): string {
  if (r.status === 'error') return r.error ?? '';
  if (r.status === 'outdated' && r.current) return `now ${shortDigest(r.current.digest)}, since ${day(r.current.created)}${r.note ? ` (${r.note})` : ''}`;
  return r.note ?? '';
}

function printTable(io: Terminal, results: ScanResult[]): void {
  const rows = results.map((r) => [r.status, oneLine(r.image, 120), r.platform ? oneLine(r.platform, 40) : '-', r.base ? `${oneLine(r.base.name, 100)} (${r.base.foundBy})` : '-', oneLine(detail(r), MESSAGE_MAX)]);
  const head = ['STATUS', 'IMAGE', 'PLATFORM', 'BASE', 'DETAIL'];
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd();
  io.out(line(head));
  for (const row of rows) io.out(line(row));
}

function counts(results: ScanResult[]): string {
  const n = (s: ScanStatus) => results.filter((r) => r.status === s).length;
  return `${results.length} ${results.length === 1 ? 'image' : 'images'}: ${ORDER.map((s) => `${n(s)} ${s}`).join(', ')}`;
}

function positiveWhole(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UserError('usage', `${flag} takes a whole number of at least 1, not "${oneLine(text, 40)}".`);
  return Number(text);
}

export async function scanMain(argv: string[], io: Terminal): Promise<number> {
  const options = {
    base: { type: 'string', multiple: true },
    tags: { type: 'string' },
    'max-tags': { type: 'string' },
    json: { type: 'boolean' },
    'fail-on-outdated': { type: 'boolean' },
  } as const;
  const args = parseCommand(io, 'scan', argv, options, SCAN_USAGE);
  if ('exit' in args) return args.exit;
  const v = args.values;
  if (args.positionals.length === 0) {
    io.err('rebase-image scan: missing TARGET. Run rebase-image scan --help for usage.');
    return EXIT.usage;
  }
  return withClient(io, v, async (client, signal, progress) => {
    const request: ScanRequest = userArguments(() => {
      const r = { targets: args.positionals, bases: v.base ?? [], tags: v.tags, maxTags: positiveWhole(v['max-tags'], '--max-tags') };
      checkScanRequest(r);
      return r;
    });
    const summary = await scanImages(client, request, { signal, onProgress: progress });
    for (const n of summary.notices) io.err(oneLine(n, MESSAGE_MAX));
    if (v.json) io.json(summary.results.map(resultToJson));
    else if (summary.results.length) printTable(io, summary.results);
    const skipped = summary.skipped ? ` (${summary.skipped} ${summary.skipped === 1 ? 'tag holds' : 'tags hold'} no container image and ${summary.skipped === 1 ? 'was' : 'were'} left out)` : '';
    (v.json ? io.err : io.out)(`${counts(summary.results)}${skipped}`);
    if (v['fail-on-outdated'] && summary.results.some((r) => r.status === 'outdated')) return EXIT.outdated;
    return summary.results.some((r) => r.status === 'error') ? EXIT.failed : EXIT.ok;
  });
}
