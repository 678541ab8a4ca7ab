/**
 * The rules for the tag and digest parts of a reference, usable on their own (a tag to push to, a
 * digest from a registry) and by the parser's messages.
 */
import { InvalidReferenceError, clip, quote } from './referenceErrors';
import { MAX_TAG_LENGTH, grammar } from './referenceGrammar';

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

// Tags.

/** Why `tag` is not a valid tag, as a lowercase clause, or undefined if it is one. */
export function tagDetail(tag: string): string | undefined {
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
