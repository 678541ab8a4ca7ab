/** `rebase-image manifest-list`: publishes single-platform images as one multi-platform list. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors';
import { ManifestListRequest, parseManifestListSpec } from '../core/manifestList/spec';
import { ManifestListPlan } from '../core/manifestList/build';
import { ManifestListResult, prepareManifestList, pushManifestList } from '../core/manifestList/publish';
import { parseReferenceWithDefaultTag } from '../core/reference';
import { oneLine } from '../shared/sanitize';
import { EXIT_USAGE, MESSAGE_MAX, REGISTRY_USAGE, parseCommand, userArguments, withClient } from './session';
import { Terminal } from './terminal';

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
${REGISTRY_USAGE}
  -h, --help                    show this help

${EXIT_USAGE}`;

export async function manifestListMain(argv: string[], io: Terminal): Promise<number> {
  const options = {
    'from-spec': { type: 'string' },
    tag: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  } as const;
  const args = parseCommand(io, 'manifest-list', argv, options, MANIFEST_LIST_USAGE);
  if ('exit' in args) return args.exit;
  const v = args.values;
  const specFile = v['from-spec'];
  const pos = args.positionals;
  if (specFile ? pos.length > 0 : pos.length < 2) {
    io.err(
      specFile
        ? `rebase-image manifest-list: --from-spec takes the list from FILE; remove the argument "${oneLine(pos[0], 200)}". Run rebase-image manifest-list --help for usage.`
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
