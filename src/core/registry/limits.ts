/**
 * How much of a registry answer is read into memory. Documents are read whole (they are parsed and
 * hashed), so each kind has a ceiling; layers are never read whole, only streamed.
 */
const MiB = 1024 * 1024;

export const SIZE_LIMITS = {
  /** Manifests and indexes: the distribution spec's and Distribution's own limit. */
  manifest: 4 * MiB,
  /** Image configs: far above real ones (long histories reach a few hundred KiB). */
  config: 16 * MiB,
  /** Token service answers: a JWT plus a refresh token is a few KiB. */
  token: 1 * MiB,
  /** A page of tags or repositories (tens of thousands of names). */
  listPage: 16 * MiB,
  /** Error bodies: only a one-line summary is kept, so a little suffices. */
  errorBody: 64 * 1024,
} as const;

export type LimitedKind = keyof typeof SIZE_LIMITS;

export function formatLimit(bytes: number): string {
  return bytes >= MiB ? `${Math.round(bytes / MiB)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
