/**
 * Image references, parsed and normalised the way Docker does it.
 *
 * The grammar is that of the distribution/reference Go package (v0.6.0), which Docker and containerd
 * use; referenceGrammar.ts spells it out.
 *
 * Normalisation follows ParseNormalizedNamed: a first path element is a registry host only if it is
 * "localhost", contains "." or ":", or contains capitals; otherwise the registry is docker.io. Docker Hub
 * names with a single component get "library/", and "index.docker.io" becomes "docker.io".
 *
 * This is the module to import references from: it re-exports the grammar, the tag and digest rules,
 * the formatting and the host helpers, which live in modules of their own.
 *
 * Test vectors transcribed from the Go tests live in test/data/reference-vectors.json.
 */
import { DEFAULT_REGISTRY, DEFAULT_TAG, LEGACY_DEFAULT_REGISTRY, OFFICIAL_REPOSITORY_PREFIX } from './referenceDefaults';
import { diagnose, tooLong } from './referenceDiagnosis';
import { InvalidReferenceError, USAGE, invalid, quote } from './referenceErrors';
import { MAX_REPOSITORY_LENGTH, grammar } from './referenceGrammar';
import { digestProblem } from './referenceTagAndDigest';

export {
  DEFAULT_REGISTRY,
  DEFAULT_TAG,
  DOCKER_HUB_API_HOST,
  LEGACY_DEFAULT_REGISTRY,
  OFFICIAL_REPOSITORY_PREFIX,
} from './referenceDefaults';
export { InvalidReferenceError, type ReferenceProblem } from './referenceErrors';
export { MAX_REPOSITORY_LENGTH, MAX_TAG_LENGTH, grammar } from './referenceGrammar';
export { type DigestProblem, digestProblem, validateDigest, validateTag } from './referenceTagAndDigest';
export { familiarName, familiarString, formatReference, repositoryName, withDigest, withTag } from './referenceFormat';
export { apiHost, isLoopbackHost } from './registryHost';

export interface ImageReference {
  /** Normalised domain as Docker names it: "docker.io", "ghcr.io", "127.0.0.1:5000", "[::1]:5000", "localhost". */
  registry: string;
  /** Path inside the registry: "library/ubuntu", "org/app". */
  repository: string;
  /** Undefined if not given. */
  tag?: string;
  /** "sha256:..." if given. */
  digest?: string;
}

/** A reference split by the grammar alone, without Docker's normalisation (Go's reference.Parse). */
export interface RawReference {
  /** "" when the name has no domain part. */
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

// ---------------------------------------------------------------------------------------------------
// Parsing.

/**
 * Splits a reference by the grammar alone, like Go's reference.Parse: no default registry, no "library/",
 * so "ubuntu" has domain "" and path "ubuntu". Throws InvalidReferenceError.
 */
export function parseRawReference(input: string): RawReference {
  return parseRaw(input, input);
}

/** `input` is parsed; `shown` is what the user typed, used for messages and diagnosis. */
function parseRaw(input: string, shown: string): RawReference {
  if (input === '') throw invalid('empty', shown, `it is empty; ${USAGE}`);
  const m = grammar.reference.exec(input);
  if (!m) {
    const lower = input.toLowerCase();
    if (lower !== input && grammar.reference.test(lower)) {
      throw invalid('uppercase', shown, 'repository names must be lowercase (only the registry host and the tag may contain capitals)');
    }
    throw diagnose(shown);
  }
  const [, name, tag, digest] = m;
  const nm = grammar.name.exec(name);
  const domain = nm?.[1] ?? '';
  const path = nm ? nm[2] : name;
  if (path.length > MAX_REPOSITORY_LENGTH) throw tooLong(shown, path);
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) throw invalid('digest', shown, problem.detail);
  }
  const ref: RawReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Docker's splitDockerDomain: picks the registry from the first path element, defaulting to docker.io.
 * `explicit` is the length of the registry prefix taken from the input (0 when defaulted).
 */
function splitDockerDomain(input: string): { domain: string; remainder: string; explicit: number } {
  const slash = input.indexOf('/');
  if (slash < 0) {
    // A single element ("ubuntu", "ubuntu:22.04", even "localhost:5000") is an official Docker Hub image.
    return { domain: DEFAULT_REGISTRY, remainder: OFFICIAL_REPOSITORY_PREFIX + input, explicit: 0 };
  }
  const first = input.slice(0, slash);
  const rest = input.slice(slash + 1);
  let domain: string;
  let remainder: string;
  let explicit = slash + 1;
  if (first === 'localhost') {
    [domain, remainder] = [first, rest];
  } else if (first === LEGACY_DEFAULT_REGISTRY) {
    [domain, remainder] = [DEFAULT_REGISTRY, rest];
  } else if (/[.:]/.test(first) || first.toLowerCase() !== first) {
    // Looks like a host ("example.com", "127.0.0.1", "host:5000", "[::1]:5000"); capitals cannot be a path.
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [DEFAULT_REGISTRY, input];
    explicit = 0;
  }
  if (domain === DEFAULT_REGISTRY && !remainder.includes('/')) {
    remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
  }
  return { domain, remainder, explicit };
}

/**
 * Parses and normalises an image reference like Docker's ParseNormalizedNamed: "ubuntu" becomes
 * docker.io/library/ubuntu. No default tag is added. Throws InvalidReferenceError (a UserError).
 */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.trim() === '') {
    throw invalid('empty', typeof input === 'string' ? input : '', `it is empty; ${USAGE}`);
  }
  if (grammar.identifier.test(input)) {
    throw invalid(
      'identifier',
      input,
      `a bare 64-character hex string is an image ID, not a repository name; ${USAGE}`,
    );
  }
  const { domain, remainder, explicit } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) throw uppercase(input, explicit);

  const raw = parseRaw(`${domain}/${remainder}`, input);
  if (raw.domain === '') {
    // Docker accepts this with an empty domain ("foo_bar.com/app"), which no registry can serve.
    throw invalid(
      'format',
      input,
      `${quote(domain)} is not a valid registry host (letters, digits, "-" and ".", optionally :PORT, ` +
        `or a bracketed IPv6 address); ${USAGE}`,
    );
  }
  const ref: ImageReference = { registry: raw.domain, repository: raw.path };
  if (raw.tag !== undefined) ref.tag = raw.tag;
  if (raw.digest !== undefined) ref.digest = raw.digest;
  return ref;
}

/**
 * Like Docker's ParseDockerRef: parseReference, then tag "latest" when there is neither tag nor digest.
 * When both a tag and a digest are given, the digest wins and the tag is dropped.
 */
export function parseReferenceWithDefaultTag(input: string): ImageReference {
  const ref = parseReference(input);
  if (ref.digest !== undefined) {
    return { registry: ref.registry, repository: ref.repository, digest: ref.digest };
  }
  if (ref.tag === undefined) return { ...ref, tag: DEFAULT_TAG };
  return ref;
}

// Lives here rather than with the other messages because it tries its suggestion with parseReference.
function uppercase(input: string, explicit: number): InvalidReferenceError {
  // Offer the input with its repository path lowercased, if that parses.
  const colon = input.indexOf(':', explicit);
  const at = input.indexOf('@', explicit);
  const ends = [colon, at, input.length].filter((i) => i >= 0);
  const end = Math.min(...ends);
  const suggestion = input.slice(0, explicit) + input.slice(explicit, end).toLowerCase() + input.slice(end);
  let valid = false;
  try {
    parseReference(suggestion);
    valid = true;
  } catch {
    valid = false;
  }
  return invalid(
    'uppercase',
    input,
    valid
      ? `repository names must be lowercase, so use ${quote(suggestion)}`
      : 'repository names must be lowercase (only the registry host and the tag may contain capitals)',
  );
}
