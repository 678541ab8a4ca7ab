import { createHash } from 'node:crypto';

const DIGEST_RE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

export function sha256Digest(data: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function isDigest(s: string): boolean {
  const m = DIGEST_RE.exec(s);
  if (!m) return false;
  if (m[1] === 'sha256') return /^[a-f0-9]{64}$/.test(m[2]);
  if (m[1] === 'sha512') return /^[a-f0-9]{128}$/.test(m[2]);
  return m[2].length >= 32;
}

/** Hash of `data` in the same algorithm as `expected`; undefined for algorithms we cannot check. */
export function digestLike(expected: string, data: Uint8Array): string | undefined {
  const alg = expected.split(':', 1)[0];
  if (alg !== 'sha256' && alg !== 'sha512') return undefined;
  return `${alg}:` + createHash(alg).update(data).digest('hex');
}

export { shortDigest } from '../shared/format';
