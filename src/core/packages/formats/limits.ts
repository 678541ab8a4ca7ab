/**
 * Bounds on what a layer may make us hold. A package database is attacker-controlled text like
 * any registry content: fields are cut and counted so that a hostile one cannot flood memory or
 * the output.
 */

/** More packages than any real image has (a full Debian desktop has about 5,000). */
export const MAX_PACKAGES = 100_000;
/** Longest name, version or architecture kept. */
export const MAX_FIELD = 256;

/** A field value as kept: trimmed, cut to MAX_FIELD, undefined when empty. */
export function cleanField(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!t) return undefined;
  return t.length > MAX_FIELD ? t.slice(0, MAX_FIELD) : t;
}
