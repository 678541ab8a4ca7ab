import { UserError, isUserError } from '../../core/errors';

/**
 * The engine words its sentences for the command line; in VS Code the same advice is an action
 * the user can take where the message is shown. Each rule rewrites one CLI instruction.
 */
const RULES: Array<[RegExp, string]> = [
  [/; name the exact base it was built FROM with -s\./, '; pick the image it was built FROM as the old base.'],
  [/; name the old base with -s\./, '; pick or type the old base.'],
  [/, or leave -s out to find the old base of each platform\./, ', or leave the old base to be found for each platform.'],
  [/; name the base image to move it onto with -b\./, '; choose another new base.'],
  [/; name the base image itself with -b\./, '; choose the base image itself as the new base.'],
  [/; choose one with --platform, e\.g\. --platform [^.]+\./, '; pick one of its platforms.'],
  [/; add --keep-unmatched to keep (it|them) unchanged in the new index, or rebase one platform with --platform\./, '; keep $1 unchanged in the new index, or rebase one platform.'],
  [/; run docker login (\S+) and try again\./, '; use Sign In… on $1 in the Registries view and try again.'],
  [/; sign in again \(docker login ([^)]+)\)\./, '; use Sign In… on $1 in the Registries view.'],
  [/ \(docker login ([^)]+)\)\./, ' (Sign In… on $1 in the Registries view).'],
  [/,? ?(?:then )?run "?docker login[^".;]*"? again/, ', then use Sign In… in the Registries view'],
];

export function speak(message: string): string {
  let out = message;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** The same error with its sentence in VS Code's words; anything else passes through. */
export function spoken(e: unknown): unknown {
  if (!isUserError(e)) return e;
  const message = speak(e.message);
  return message === e.message ? e : new UserError(e.code, message, e.detail);
}
