/**
 * The image reference grammar of the distribution/reference Go package (v0.6.0), which Docker and
 * containerd use, as anchored regular expressions:
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
 */

/** Longest repository path (registry host not counted), as RepositoryNameTotalLengthMax. */
export const MAX_REPOSITORY_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

// Composed from named parts as in distribution/reference's regexp.go.

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
