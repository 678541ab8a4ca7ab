/**
 * What to do when a write's fate is unclear. A manifest PUT whose answer was lost (or that was
 * cancelled after it went out) is settled by reading the reference back; a blob upload, which
 * cannot be replayed within its session, is retried whole in a new one.
 */
import { UserError, isUserError } from '../errors';
import { decideRetry } from './retryPolicy';
import { sleep } from './registryHttp';
import type { RegistryClient, RepositoryName } from './client';

/**
 * After a failed or cancelled manifest PUT: the digest when `reference` now holds our manifest
 * (the write happened), else the original error saying the tag is unchanged, or an 'uncertain'
 * error when the registry cannot even be asked.
 */
export async function readBack(client: RegistryClient, target: RepositoryName, reference: string, ours: string, cause: UserError): Promise<string> {
  const name = `${target.registry}/${target.repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  let held: string | undefined;
  try {
    // A fresh signal: the user's cancel must not stop us from learning what the registry holds.
    held = (await client.headManifest(target, reference, AbortSignal.timeout(60_000)))?.digest;
  } catch (e) {
    const why = isUserError(e) ? e.message.replace(/\.$/, '') : String(e);
    throw new UserError('uncertain', `${cause.message.replace(/\.$/, '')}, and whether ${name} changed is unknown because reading it back failed too (${why}); check the tag before trying again.`);
  }
  if (held === ours) {
    client.notice(
      cause.code === 'cancelled'
        ? `The cancel came too late: ${name} already holds the new manifest ${ours}.`
        : `The registry's answer to the manifest push was lost, but ${name} holds the new manifest ${ours}.`,
    );
    return ours;
  }
  if (cause.code === 'cancelled') throw cause;
  throw new UserError(cause.code, `${cause.message.replace(/\.$/, '')}; ${name} was read back and is unchanged.`);
}

/**
 * A failure that a new upload session may not meet: the network broke, or the registry answered
 * with a passing status (a PUT with a streamed body is never resent within its session). A wait
 * the registry asked for that is too long to honour is final.
 */
function worthAnotherTry(e: unknown): e is UserError {
  if (!isUserError(e)) return false;
  if (e.code === 'unreachable') return e.detail !== 'rate-limited';
  return e.code === 'registry' && (e.detail === 'server-error' || e.detail === 'rate-limited');
}

/**
 * Runs a whole blob transfer (new upload session each time) until it succeeds, retrying what the
 * network broke under the client's policy. `present` is asked first on a retry: the previous
 * attempt may have completed with its answer lost.
 */
export async function withWholeRetry(client: RegistryClient, what: string, signal: AbortSignal | undefined, run: () => Promise<void>, present?: () => Promise<boolean>): Promise<void> {
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 && present && (await present())) return;
      await run();
      return;
    } catch (e) {
      if (!worthAnotherTry(e) || signal?.aborted) throw e;
      const d = decideRetry(client.policy, { attempt, startedAt, now: Date.now() });
      if (!d.retry) throw e;
      client.stats.retries++;
      client.notice(`The ${what} failed (${e.message.replace(/\.$/, '')}); starting it again in ${(d.delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${client.policy.retries + 1}).`);
      await sleep(d.delayMs, signal);
    }
  }
}
