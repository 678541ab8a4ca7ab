/** `rebase-image rollback REPORT`: every tag a sync changed, back to the digest it held before. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors';
import { parseReport } from '../core/fleet/report';
import { rollbackReport } from '../core/fleet/rollback';
import { oneLine } from '../shared/sanitize';
import { EXIT, MESSAGE_MAX, REGISTRY_USAGE, parseCommand, withClient } from './session';
import { Terminal } from './terminal';

const ROLLBACK_USAGE = `Usage: rebase-image rollback REPORT [--force] [options]

Puts every tag that the sync report REPORT (written by sync --report) says was rebased back to
the digest it held before: the previous manifest is read by digest and pushed to the tag again,
byte for byte. A tag that changed since the report (it no longer points to what the sync pushed)
is refused unless --force. A tag the sync created (previous: null) cannot be un-created through
the registry API, which deletes manifests by digest (and with them every tag on them), so it is
left as it is and reported.

Options:
      --force                   put tags back even when they changed since the report
      --json                    print one object per tag: target, found, previous, status, message
${REGISTRY_USAGE}
  -h, --help                    show this help

Exit status: 0 when every tag was put back (or already was, or was a new tag left alone), 1
when a tag was refused or could not be put back, 2 for a usage error, 130 when interrupted.`;

export async function rollbackMain(argv: string[], io: Terminal): Promise<number> {
  const args = parseCommand(io, 'rollback', argv, { force: { type: 'boolean' }, json: { type: 'boolean' } }, ROLLBACK_USAGE);
  if ('exit' in args) return args.exit;
  const v = args.values;
  if (args.positionals.length !== 1) {
    io.err(`rebase-image rollback: ${args.positionals.length ? 'give one REPORT' : 'missing REPORT'}. Run rebase-image rollback --help for usage.`);
    return EXIT.usage;
  }
  const file = args.positionals[0];
  return withClient(io, v, async (client, signal, progress) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UserError('usage', `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); give the file written by sync --report.`);
    }
    const report = parseReport(text, file);
    if (report.dryRun) io.err(`${oneLine(file, 300)} is the report of a dry run: nothing was written, so there is nothing to put back.`);
    const results = await rollbackReport(client, report, { force: v.force, signal, onProgress: progress });
    if (v.json) io.json(results);
    else for (const r of results) io.out(`${r.status.padEnd(9)} ${oneLine(r.message, MESSAGE_MAX)}`);
    const n = (s: string) => results.filter((r) => r.status === s).length;
    io.err(`${results.length} ${results.length === 1 ? 'tag' : 'tags'}: ${n('restored')} restored, ${n('unchanged')} unchanged, ${n('refused')} refused, ${n('skipped')} skipped, ${n('failed')} failed`);
    if (signal.aborted) return EXIT.interrupted;
    return n('refused') + n('failed') > 0 ? EXIT.failed : EXIT.ok;
  });
}
