/** A JSON object (not null, not a list): the first check on any document or message from outside. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
