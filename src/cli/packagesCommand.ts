/**
 * OS package changes on the command line: `rebase-image packages IMAGE_A IMAGE_B`, and the
 * `--packages` option of a rebase (old base against new base, per platform for an index).
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isUserError } from '../core/errors';
import { PackageDiff, diffPackages, packageSummaryLines, requestFromImages, requestFromPlan } from '../core/packages';
import { AnyPreparedRebase, isIndexRebase } from '../core/rebase/rebase';
import { fetchImage, formatPlatform, parsePlatform, platformOf } from '../core/rebase/fetchImage';
import { parseReferenceWithDefaultTag } from '../core/reference';
import { RegistryClient } from '../core/registry/client';
import { oneLine } from '../shared/sanitize';
import { EXIT_USAGE, MESSAGE_MAX, REGISTRY_USAGE, parseCommand, userArguments, withClient } from './session';
import { Terminal } from './terminal';

const PACKAGES_USAGE = `Usage: rebase-image packages IMAGE_A IMAGE_B [options]

Compares the OS packages of two images, A as the old and B as the new: typically two tags of a
base image, to see what a rebase onto B would bring. Reads the package databases (dpkg, apk,
rpm) and os-release of each image from its layers, each layer once, and caches what it read, so
a second comparison of the same images downloads no layer. Windows base layers are foreign and
never downloaded: their os.version is the update level.

Options:
      --platform OS/ARCH[/VARIANT]  the image of a multi-platform IMAGE_A to compare; IMAGE_B's
                                image for the same platform is taken
      --json                    print the comparison as JSON on stdout
${REGISTRY_USAGE}
  -h, --help                    show this help

Cache: $XDG_CACHE_HOME/image-rebase (else ~/.cache/image-rebase), at most 64 MiB.

${EXIT_USAGE}`;

/** Where the CLI caches layer scans: the XDG cache directory, as other command-line tools do. */
export function cliCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'image-rebase', 'packages');
}

type Progress = (e: { message: string }) => void;

/** The summary through `print`, warnings on stderr; an index's platforms indented under their name. */
function printDiff(io: Terminal, diff: PackageDiff, print: (line: string) => void, platform?: string): void {
  const indent = platform ? '  ' : '';
  for (const line of packageSummaryLines(diff)) print(`${indent}${line}`);
  for (const w of diff.warnings) io.err(`Warning: ${platform ? `${oneLine(platform, 100)}: ` : ''}${oneLine(w, MESSAGE_MAX)}`);
}

export async function packagesMain(argv: string[], io: Terminal): Promise<number> {
  const args = parseCommand(io, 'packages', argv, { platform: { type: 'string' }, json: { type: 'boolean' } }, PACKAGES_USAGE);
  if ('exit' in args) return args.exit;
  const v = args.values;
  const pos = args.positionals;
  if (pos.length !== 2) {
    io.err(
      pos.length < 2
        ? `rebase-image packages: missing ${pos.length === 0 ? 'IMAGE_A and IMAGE_B' : 'IMAGE_B'}. Run rebase-image packages --help for usage.`
        : `rebase-image packages: unexpected argument "${oneLine(pos[2], 200)}". Run rebase-image packages --help for usage.`,
    );
    return 2;
  }
  return withClient(io, v, async (client, signal, progress) => {
    const [refA, refB] = userArguments(() => pos.map((p) => parseReferenceWithDefaultTag(p)));
    const platform = v.platform ? userArguments(() => parsePlatform(v.platform!)) : undefined;
    progress({ message: `Retrieving information about ${oneLine(pos[0], 300)}` });
    const a = await fetchImage(client, refA, platform, signal);
    progress({ message: `Retrieving information about ${oneLine(pos[1], 300)}` });
    const b = await fetchImage(client, refB, platformOf(a.config, 'newest'), signal);
    if (formatPlatform(a.config) !== formatPlatform(b.config)) {
      io.err(`Warning: ${a.reference} is ${formatPlatform(a.config)} but ${b.reference} is ${formatPlatform(b.config)}; their packages are compared all the same.`);
    }
    const diff = await diffPackages(client, requestFromImages(a, b), { cacheDir: cliCacheDir(), signal, onProgress: progress });
    if (v.json) {
      io.json({ old: { reference: a.reference, digest: a.manifest.digest }, new: { reference: b.reference, digest: b.manifest.digest }, packages: diff });
      for (const w of diff.warnings) io.err(`Warning: ${oneLine(w, MESSAGE_MAX)}`);
    } else {
      printDiff(io, diff, (l) => io.out(l));
    }
    return 0;
  });
}

/** `--packages` of a rebase: what `--json` adds, and the lines to print. */
export interface RebasePackages {
  json: { packages: unknown };
  print(to: (line: string) => void): void;
}

/**
 * Compares the old and the new base of a prepared rebase (each platform of an index). A failure
 * other than Ctrl-C is a warning: the comparison informs the rebase, it does not decide it.
 */
export async function packagesForRebase(client: RegistryClient, prepared: AnyPreparedRebase, io: Terminal, signal: AbortSignal, progress: Progress): Promise<RebasePackages> {
  const opts = { cacheDir: cliCacheDir(), signal, onProgress: progress };
  const one = async (plan: Parameters<typeof requestFromPlan>[0]): Promise<PackageDiff | { error: string }> => {
    try {
      return await diffPackages(client, requestFromPlan(plan), opts);
    } catch (e) {
      if (!isUserError(e) || e.code === 'cancelled') throw e;
      io.err(`Warning: the package comparison failed: ${oneLine(e.message, MESSAGE_MAX)}`);
      return { error: e.message };
    }
  };
  progress({ message: 'Comparing the packages of the old and the new base' });
  if (!isIndexRebase(prepared)) {
    const diff = await one(prepared.plan);
    return { json: { packages: diff }, print: (to) => ('error' in diff ? undefined : printDiff(io, diff, to)) };
  }
  const perPlatform: Array<{ platform: string; diff: PackageDiff | { error: string } }> = [];
  for (const c of prepared.plan.children) perPlatform.push({ platform: c.platform, diff: await one(c.plan) });
  return {
    json: { packages: perPlatform.map((p) => ({ platform: p.platform, ...p.diff })) },
    print: (to) => {
      for (const p of perPlatform) {
        to(`${oneLine(p.platform, 100)}:`);
        if (!('error' in p.diff)) printDiff(io, p.diff, to, p.platform);
      }
    },
  };
}
