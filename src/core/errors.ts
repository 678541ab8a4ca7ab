/**
 * An error meant for the person running the tool: `message` is one sentence saying what is wrong
 * and what to do. Anything else that escapes is a bug, and the shells print it without a stack
 * only as a last resort.
 */
export type UserErrorCode =
  | 'reference'
  | 'not-found'
  | 'auth'
  | 'denied'
  | 'unreachable'
  | 'unsupported'
  | 'not-based-on'
  | 'platform'
  | 'digest-mismatch'
  | 'registry'
  | 'cancelled'
  | 'usage'
  | 'credentials'
  /** A write may or may not have happened and the registry could not be asked which. */
  | 'uncertain'
  /** Nothing to do: the image is already on the base asked for. Not a failure (the CLI exits 0). */
  | 'already-on-base';

/**
 * The `detail` of a network or server failure, so a shell can word it (a tree row, an exit code)
 * without reading the sentence.
 */
export type FailureKind = 'connect-timeout' | 'idle-timeout' | 'truncated' | 'network' | 'rate-limited' | 'server-error';

export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The sentence a failure is told with: a UserError's own, anything else named as unexpected. */
export function errorText(e: unknown): string {
  return isUserError(e) ? e.message : `Unexpected error: ${String((e as Error)?.message ?? e)}`;
}

/** Thrown when an AbortSignal fires; kept distinct so callers can report "cancelled" calmly. */
export function cancelledError(): UserError {
  return new UserError('cancelled', 'The rebase was cancelled; the target tag was not changed.');
}
