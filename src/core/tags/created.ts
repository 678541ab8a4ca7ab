/**
 * Which of two images is newer, by the `created` of their configs (RFC 3339). Builders write
 * nanoseconds (umoci, BuildKit), which a Date would round away: two images built in the same
 * millisecond still compare by their full timestamps.
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch, or undefined for a missing or unreadable date. */
export function createdNanos(created: string | undefined): bigint | undefined {
  const m = RFC3339.exec(created?.trim() ?? '');
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1].replace(/[t ]/, 'T')}${m[3].toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  const nanos = BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
  // Reproducible builders (ko, Bazel, SOURCE_DATE_EPOCH=0) write the epoch, Go's zero time is
  // year 1: both say "no date", and would make every such image look as old as any other.
  return nanos <= 0n ? undefined : nanos;
}

/**
 * Positive when `now` was built after `pinned`, negative before, 0 at the same instant;
 * undefined when either date is missing or unreadable (nothing can be said then).
 */
export function compareCreated(pinned: string | undefined, now: string | undefined): number | undefined {
  const a = createdNanos(pinned);
  const b = createdNanos(now);
  if (a === undefined || b === undefined) return undefined;
  return b > a ? 1 : b < a ? -1 : 0;
}
