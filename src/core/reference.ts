/**
 * Image references, parsed and normalised the way Docker does it.
 *
 * The grammar is that of the distribution/reference Go package (v0.6.0), which Docker and containerd use:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | \[ IPv6address \]
 *   domain-name      := domain-component ['.' domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   remote-name      := path-component ['/' path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex   (then checked by go-digest's rules: sha256/sha384/sha512,
 *                                            exact length, lowercase hex)
 *
 * Normalisation follows ParseNormalizedNamed: a first path element is a registry host only if it is
 * "localhost", contains "." or ":", or contains capitals; otherwise the registry is docker.io. Docker Hub
 * names with a single component get "library/", and "index.docker.io" becomes "docker.io".
 *
 * Test vectors transcribed from the Go tests live in test/data/reference-vectors.json.
 */
import { UserError } from './errors';

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

/** What was wrong with an input; every value is also a UserError with code "reference". */
export type ReferenceProblem =
  | 'empty'
  | 'uppercase'
  | 'format'
  | 'name-too-long'
  | 'tag'
  | 'digest'
  | 'identifier';

export class InvalidReferenceError extends UserError {
  constructor(
    readonly reason: ReferenceProblem,
    message: string,
  ) {
    super('reference', message);
  }
}

export const DEFAULT_REGISTRY = 'docker.io';
/** The old name of Docker Hub's index; normalised to DEFAULT_REGISTRY. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** The host that actually serves Docker Hub's /v2/ API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
/** Longest repository path (registry host not counted), as RepositoryNameTotalLengthMax. */
export const MAX_REPOSITORY_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

const EXAMPLE = 'registry.example.com/team/app:1.0';
const USAGE = `use NAME[:TAG][@DIGEST], e.g. ${EXAMPLE}`;

// ---------------------------------------------------------------------------------------------------
// Grammar, composed from named parts as in distribution/reference's regexp.go.

const optional = (...parts: string[]): string => `(?:${parts.join('')})?`;
const anyTimes = (...parts: string[]): string => `(?:${parts.join('')})*`;
const capture = (...parts: string[]): string => `(${parts.join('')})`;
const anchored = (...parts: string[]): string => `^${parts.join('')}$`;

/** Lowercase letters and digits: the atoms of path components. */
const alphanumeric = '[a-z0-9]+';
/** One period, one or two underscores, or any number of dashes. */
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const identifierPat = '([a-f0-9]{64})';
/** Bracketed IPv6, without zone identifiers or IPv4-mapped forms. */
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = domainNameComponent + anyTimes('\\.', domainNameComponent);
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = alphanumeric + anyTimes(separator, alphanumeric);
const remoteName = pathComponent + anyTimes('/', pathComponent);
const namePat = optional(domainAndPort, '/') + remoteName;

/** Anchored regular expressions for each production of the grammar. */
export const grammar = {
  /** A registry host with optional port. */
  domainAndPort: new RegExp(anchored(domainAndPort)),
  /** A whole name; groups: 1 = domain (may be undefined), 2 = remote name. */
  name: new RegExp(anchored(optional(capture(domainAndPort), '/'), capture(remoteName))),
  /** A whole reference; groups: 1 = name, 2 = tag, 3 = digest. */
  reference: new RegExp(anchored(capture(namePat), optional(':', capture(tagPat)), optional('@', capture(digestPat)))),
  tag: new RegExp(anchored(tagPat)),
  /** Digest syntax only; see digestProblem for the stricter go-digest rules. */
  digest: new RegExp(anchored(digestPat)),
  /** A bare 64-character hex string (an image ID). */
  identifier: new RegExp(anchored(identifierPat)),
  pathComponent: new RegExp(anchored(pathComponent)),
} as const;

// ---------------------------------------------------------------------------------------------------
// Digests (go-digest's Digest.Validate with sha256, sha384 and sha512 registered, as in Docker builds).

const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const GO_DIGEST_SYNTAX = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface DigestProblem {
  /** The go-digest error it corresponds to: ErrDigestInvalidFormat, ErrDigestInvalidLength, ErrDigestUnsupported. */
  kind: 'format' | 'length' | 'unsupported';
  /** Lowercase clause saying what is wrong and what is expected. */
  detail: string;
}

/** Why `digest` is not a usable digest, or undefined if it is one. */
export function digestProblem(digest: string): DigestProblem | undefined {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) {
    return { kind: 'format', detail: 'a digest is ALGORITHM:HEX, e.g. sha256: followed by 64 hex digits' };
  }
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const expected = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
  if (expected === undefined) {
    if (!GO_DIGEST_SYNTAX.test(digest)) {
      return { kind: 'format', detail: 'a digest is ALGORITHM:HEX, e.g. sha256: followed by 64 hex digits' };
    }
    return {
      kind: 'unsupported',
      detail: `the digest algorithm ${JSON.stringify(clip(algorithm))} is not supported (use sha256, sha384 or sha512)`,
    };
  }
  if (encoded.length !== expected) {
    return {
      kind: 'length',
      detail: `a ${algorithm} digest has ${expected} hex digits, but this one has ${encoded.length} characters`,
    };
  }
  if (!/^[a-f0-9]+$/.test(encoded)) {
    return { kind: 'format', detail: `a ${algorithm} digest is ${expected} lowercase hex digits (0-9, a-f)` };
  }
  return undefined;
}

/** Throws an InvalidReferenceError unless `digest` is a valid sha256/sha384/sha512 digest. */
export function validateDigest(digest: string): void {
  const problem = typeof digest === 'string' ? digestProblem(digest) : digestProblem('');
  if (problem) {
    throw new InvalidReferenceError('digest', `${quote(digest)} is not a valid digest: ${problem.detail}.`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Tags.

function tagDetail(tag: string): string | undefined {
  if (grammar.tag.test(tag)) return undefined;
  if (tag === '') return 'nothing follows the ":", so give a tag such as 1.0 or leave the ":" out';
  if (tag.length > MAX_TAG_LENGTH && /^\w[\w.-]*$/.test(tag)) {
    return `the tag is ${tag.length} characters long, but tags may have at most ${MAX_TAG_LENGTH}`;
  }
  return (
    `the tag ${quote(tag)} is invalid, as tags are up to ${MAX_TAG_LENGTH} letters, digits, "_", "." and "-", ` +
    'and may not start with "." or "-"'
  );
}

/** Throws an InvalidReferenceError unless `tag` is a valid tag (1-128 of [A-Za-z0-9_.-], not starting with "." or "-"). */
export function validateTag(tag: string): void {
  const detail = typeof tag === 'string' ? tagDetail(tag) : 'a tag must be text';
  if (detail !== undefined) {
    throw new InvalidReferenceError('tag', `${quote(String(tag))} is not a valid tag: ${detail}.`);
  }
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

// ---------------------------------------------------------------------------------------------------
// Formatting and helpers.

/** The host that serves the registry's /v2/ API: Docker Hub's is registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry.toLowerCase() === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}

function suffix(ref: ImageReference): string {
  return (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Fully qualified: "docker.io/library/ubuntu:latest", "host:5000/repo:tag@sha256:...". */
export function formatReference(ref: ImageReference): string {
  return repositoryName(ref) + suffix(ref);
}

/** Registry and repository: "docker.io/library/ubuntu". */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The name as Docker shows it (FamiliarName): "ubuntu", "user/app", "ghcr.io/org/app". */
export function familiarName(ref: ImageReference): string {
  if (ref.registry !== DEFAULT_REGISTRY) return repositoryName(ref);
  if (ref.repository.startsWith(OFFICIAL_REPOSITORY_PREFIX)) {
    const rest = ref.repository.slice(OFFICIAL_REPOSITORY_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.repository;
}

/** The reference as Docker shows it (FamiliarString): "ubuntu:latest", "user/app:1", "ghcr.io/org/app:1". */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

/** The same repository with `tag` (validated) and no digest. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  validateTag(tag);
  return { registry: ref.registry, repository: ref.repository, tag };
}

/** The same repository pinned to `digest` (validated), without a tag. */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  validateDigest(digest);
  return { registry: ref.registry, repository: ref.repository, digest };
}

/** True for localhost, 127.0.0.0/8 and [::1], with or without a port. */
export function isLoopbackHost(registry: string): boolean {
  if (typeof registry !== 'string') return false;
  const value = registry.toLowerCase();
  let hostPart: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || !/^(?::[0-9]+)?$/.test(value.slice(close + 1))) return false;
    hostPart = value.slice(0, close + 1);
    try {
      return new URL(`http://${hostPart}/`).hostname === '[::1]';
    } catch {
      return false;
    }
  }
  const m = /^([^:]+)(?::[0-9]+)?$/.exec(value);
  if (!m) return false;
  hostPart = m[1];
  if (hostPart === 'localhost') return true;
  const v4 = /^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(hostPart);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

// ---------------------------------------------------------------------------------------------------
// Error messages.

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 60)}…${s.slice(-20)}` : s;
}

function quote(s: string): string {
  return JSON.stringify(clip(s));
}

function invalid(reason: ReferenceProblem, input: string, detail: string): InvalidReferenceError {
  return new InvalidReferenceError(reason, `${quote(input)} is not a valid image reference: ${detail}.`);
}

function tooLong(input: string, path: string): InvalidReferenceError {
  const hub = path.startsWith(OFFICIAL_REPOSITORY_PREFIX) && !input.includes(OFFICIAL_REPOSITORY_PREFIX)
    ? ` (including the "${OFFICIAL_REPOSITORY_PREFIX}" Docker Hub adds)`
    : '';
  return invalid(
    'name-too-long',
    input,
    `the repository path is ${path.length} characters long${hub}, but at most ${MAX_REPOSITORY_LENGTH} are allowed`,
  );
}

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

/** For an input the grammar rejected: finds the first part that is wrong and says why. */
function diagnose(input: string): InvalidReferenceError {
  if (/\s/.test(input)) {
    return invalid('format', input, `it contains whitespace; ${USAGE}`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    return invalid('format', input, `it looks like a URL, so leave out the scheme and write HOST/REPOSITORY[:TAG], e.g. ${EXAMPLE}`);
  }
  const at = input.indexOf('@');
  const beforeDigest = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? undefined : input.slice(at + 1);
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/') && !/^\[[^\]]*$/.test(beforeDigest.slice(0, colon));
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = hasTag ? beforeDigest.slice(colon + 1) : undefined;

  if (name === '') return invalid('format', input, `the repository name is missing; ${USAGE}`);
  if (!name.includes('/') && grammar.domainAndPort.test(beforeDigest) && /[[:]/.test(beforeDigest)) {
    // "[::1]:5000" or "[::1]": a registry host with no repository.
    return invalid('format', input, `a registry host needs a repository path after it, e.g. ${beforeDigest}/team/app:1.0`);
  }
  const nameProblem = describeName(name);
  if (nameProblem) return invalid(nameProblem.reason, input, nameProblem.detail);
  if (tag !== undefined) {
    const detail = tagDetail(tag);
    if (detail) return invalid('tag', input, detail);
  }
  if (digest !== undefined) {
    if (digest === '') {
      return invalid('digest', input, 'nothing follows the "@", so give a digest such as sha256: followed by 64 hex digits, or leave the "@" out');
    }
    if (!grammar.digest.test(digest)) {
      const problem = digestProblem(digest);
      const detail = problem?.detail ?? 'a digest is ALGORITHM:HEX, e.g. sha256: followed by 64 hex digits';
      return invalid('digest', input, detail);
    }
  }
  return invalid('format', input, `it does not follow the image reference syntax; ${USAGE}`);
}

function describeName(name: string): { reason: ReferenceProblem; detail: string } | undefined {
  if (grammar.name.test(name)) return undefined;
  const format = (detail: string) => ({ reason: 'format' as const, detail });
  if (name.startsWith('/')) return format(`the name starts with "/"; ${USAGE}`);
  if (name.endsWith('/')) return format(`the name ends with "/", so add the repository after it or drop the "/"`);
  if (name.includes('//')) return format(`the name has an empty path component ("//"); ${USAGE}`);

  const parts = name.split('/');
  const first = parts[0];
  const looksLikeHost = first === 'localhost' || /[.:[\]]/.test(first) || first.toLowerCase() !== first;
  if (parts.length === 1 && first.startsWith('[')) {
    return format(`a registry host needs a repository path after it, e.g. ${first}/team/app:1.0`);
  }
  if (parts.length > 1 && looksLikeHost && !grammar.domainAndPort.test(first)) {
    return format(
      `${quote(first)} is not a valid registry host (letters, digits, "-" and ".", optionally :PORT, ` +
        'or a bracketed IPv6 address without a zone)',
    );
  }
  const path = parts.length > 1 && looksLikeHost ? parts.slice(1) : parts;
  for (const component of path) {
    if (grammar.pathComponent.test(component)) continue;
    if (grammar.pathComponent.test(component.toLowerCase())) {
      return { reason: 'uppercase', detail: 'repository names must be lowercase (only the registry host and the tag may contain capitals)' };
    }
    const bad = [...new Set(component.replace(/[a-z0-9._-]/gi, ''))].join('');
    if (bad !== '') {
      return format(
        `the path component ${quote(component)} contains ${quote(bad)}, but repository paths may only use ` +
          'lowercase letters, digits, ".", "_" and "-"',
      );
    }
    return format(
      `the path component ${quote(component)} must start and end with a letter or digit, and its separators ` +
        'may only be one ".", one or two "_", or dashes',
    );
  }
  return format(`it does not follow the image reference syntax; ${USAGE}`);
}
