/**
 * Messages for references the grammar rejects: finds the first part that is wrong and says why,
 * so the user gets more than "invalid reference format".
 */
import { OFFICIAL_REPOSITORY_PREFIX } from './referenceDefaults';
import { EXAMPLE, InvalidReferenceError, ReferenceProblem, USAGE, invalid, quote } from './referenceErrors';
import { MAX_REPOSITORY_LENGTH, grammar } from './referenceGrammar';
import { digestProblem, tagDetail } from './referenceTagAndDigest';

export function tooLong(input: string, path: string): InvalidReferenceError {
  const hub = path.startsWith(OFFICIAL_REPOSITORY_PREFIX) && !input.includes(OFFICIAL_REPOSITORY_PREFIX)
    ? ` (including the "${OFFICIAL_REPOSITORY_PREFIX}" Docker Hub adds)`
    : '';
  return invalid(
    'name-too-long',
    input,
    `the repository path is ${path.length} characters long${hub}, but at most ${MAX_REPOSITORY_LENGTH} are allowed`,
  );
}

/** For an input the grammar rejected: finds the first part that is wrong and says why. */
export function diagnose(input: string): InvalidReferenceError {
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
