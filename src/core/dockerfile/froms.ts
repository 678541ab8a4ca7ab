import { DockerfileParser } from 'dockerfile-ast';
import { parseReference, parseReferenceWithDefaultTag, formatReference } from '../reference';

export interface TextRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export type FromKind = 'image' | 'scratch' | 'stage' | 'unresolved' | 'invalid';

/** One FROM instruction, understood: what it names and where, with no network involved. */
export interface FromEntry {
  /** The whole instruction (a lens sits above its first line). */
  range: TextRange;
  /** The image text as written, e.g. "${REG}/base:${TAG:-1}". */
  written: string;
  /** After substituting the ARGs declared before the first FROM (their defaults). */
  expanded: string;
  kind: FromKind;
  /** Fully qualified reference (kind "image" only). */
  reference?: string;
  /** With a pin: the tag written beside it (`image:tag@sha256:…`), fully qualified. */
  taggedReference?: string;
  /** The `@sha256:…` the line pins, and where that digest text is in the document. */
  pinnedDigest?: string;
  digestRange?: TextRange;
  stage?: string;
  /** `--platform=` value, after substitution (BUILDPLATFORM and friends stay as written). */
  platform?: string;
  /** The last FROM: the stage that produces the final image. */
  isFinal: boolean;
  /** Why an image could not be resolved (kind "unresolved" or "invalid"). */
  problem?: string;
}

/** The external image a stage finally builds on, following `FROM <earlier stage>` links. */
export function rootImage(froms: FromEntry[], entry: FromEntry): FromEntry | undefined {
  let current: FromEntry | undefined = entry;
  const seen = new Set<FromEntry>();
  while (current?.kind === 'stage' && !seen.has(current)) {
    seen.add(current);
    const name = current.expanded.toLowerCase();
    current = froms.slice(0, froms.indexOf(current)).reverse().find((f) => f.stage?.toLowerCase() === name);
  }
  return current?.kind === 'image' ? current : undefined;
}

/**
 * Every FROM of a Dockerfile, parsed with dockerfile-ast (line continuations, the escape
 * directive, flags, stage names) and with ARG defaults substituted the way BuildKit does for
 * FROM: only ARGs declared before the first FROM are in scope.
 */
export function analyzeDockerfile(text: string): FromEntry[] {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map<string, string | undefined>();
  for (const arg of dockerfile.getInitialARGs()) {
    const p = arg.getProperty();
    if (p?.getName()) args.set(p.getName(), p.getValue() ?? undefined);
  }
  const froms = dockerfile.getFROMs();
  const stages = new Set<string>();
  return froms.map((from, i) => {
    const written = from.getImage() ?? '';
    const { value: expanded, missing } = substitute(written, args);
    const platformFlag = from.getPlatformFlag()?.getValue() ?? undefined;
    const entry: FromEntry = {
      range: from.getRange() as TextRange,
      written,
      expanded,
      kind: 'image',
      stage: from.getBuildStage() ?? undefined,
      platform: platformFlag ? substitute(platformFlag, args).value : undefined,
      isFinal: i === froms.length - 1,
    };
    if (expanded.toLowerCase() === 'scratch') entry.kind = 'scratch';
    else if (stages.has(expanded.toLowerCase())) entry.kind = 'stage';
    else if (missing.length || !expanded) {
      entry.kind = 'unresolved';
      entry.problem = missing.length ? `ARG ${missing.join(', ')} has no default value` : 'no image given';
    } else {
      try {
        const ref = parseReferenceWithDefaultTag(expanded);
        entry.reference = formatReference(ref);
        if (ref.digest) {
          entry.pinnedDigest = ref.digest;
          const written = parseReference(expanded);
          if (written.tag) entry.taggedReference = formatReference({ ...written, digest: undefined });
          // The pin can only be edited in place when the digest is written literally.
          const r = from.getImageDigestRange();
          if (r && !/\$/.test(from.getImageDigest() ?? '$')) entry.digestRange = r as TextRange;
        }
      } catch (e) {
        entry.kind = 'invalid';
        entry.problem = (e as Error).message;
      }
    }
    if (entry.stage) stages.add(entry.stage.toLowerCase());
    return entry;
  });
}

/** `$X`, `${X}`, `${X:-default}` and `${X:+alt}`, as the Dockerfile syntax defines for FROM. */
function substitute(s: string, args: Map<string, string | undefined>): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, op, word, bare) => {
    const name: string = braced ?? bare;
    const v = args.get(name);
    if (op === '-') return v ? v : word;
    if (op === '+') return v ? word : '';
    if (v === undefined) {
      // Built-in platform ARGs are filled in by the builder, not declared.
      if (!/^(BUILD|TARGET)(PLATFORM|OS|ARCH|VARIANT)$/.test(name)) missing.push(name);
      return `$${name}`;
    }
    return v;
  });
  return { value, missing };
}
