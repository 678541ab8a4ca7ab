/**
 * A blob download as a stream, hashed on the way through: a digest mismatch or a break fails the
 * stream, so a corrupt or partial layer never reaches a target. Layers can be gigabytes, hence no
 * buffering.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { UserError, isUserError } from '../errors';
import { oneLine } from '../../shared/sanitize';
import { RepositoryName, display } from './repositoryName';

/** Passes `body` (blob `digest` of `repo`) through, telling `onChunk` the size of every chunk. */
export function verifiedBlobStream(body: Readable, digest: string, repo: RepositoryName, onChunk: (bytes: number) => void): PassThrough {
  const alg = digest.split(':', 1)[0];
  const hash = alg === 'sha256' || alg === 'sha512' ? createHash(alg) : undefined;
  const out = new PassThrough();
  body.on('data', (chunk: Buffer) => {
    hash?.update(chunk);
    onChunk(chunk.length);
  });
  body.on('error', (e) =>
    out.destroy(isUserError(e) ? e : new UserError('unreachable', `Registry ${repo.registry} broke off layer ${digest} (${oneLine(e.message, 120)}); try again.`)),
  );
  body.on('end', () => {
    const got = hash ? `${alg}:${hash.digest('hex')}` : digest;
    if (got !== digest) {
      out.destroy(new UserError('digest-mismatch', `Blob ${digest} from ${display(repo)} arrived with digest ${got}; the registry returned corrupt data, try again.`));
    }
  });
  // A reader that gives up (the upload failed) must not leave the download running.
  out.on('close', () => body.destroy());
  body.pipe(out);
  return out;
}
