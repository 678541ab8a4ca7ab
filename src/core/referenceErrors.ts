/** The error a bad image reference raises, and the pieces every reference message is built from. */
import { UserError } from './errors';

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

export const EXAMPLE = 'registry.example.com/team/app:1.0';
export const USAGE = `use NAME[:TAG][@DIGEST], e.g. ${EXAMPLE}`;

/** Long inputs are shortened so that a message stays readable. */
export function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 60)}…${s.slice(-20)}` : s;
}

export function quote(s: string): string {
  return JSON.stringify(clip(s));
}

export function invalid(reason: ReferenceProblem, input: string, detail: string): InvalidReferenceError {
  return new InvalidReferenceError(reason, `${quote(input)} is not a valid image reference: ${detail}.`);
}
