/**
 * What a fleet scan answers, as data: the CLI prints it, `--json` writes it, and the later fleet
 * steps (sync, the extension's Check Base Updates) read it instead of scanning again.
 */
import { RepositoryName } from '../registry/client';

export type ScanStatus = 'up-to-date' | 'outdated' | 'unknown-base' | 'error';
export type BaseFoundBy = 'annotation' | 'provenance' | 'search';

export interface ScanBase {
  /** The base tag the image is judged against, fully qualified: "registry/base:1". */
  name: string;
  /** The base image the image is on (this platform's image, when that could be told); null when only its name was recorded. */
  digest: string | null;
  foundBy: BaseFoundBy;
}

export interface ScanCurrent {
  /** The image the base tag points to now, for this platform. */
  digest: string;
  /** Its config's `created`: since when the image has been outdated. */
  created: string | null;
}

export interface ScanResult {
  /** As scanned: "registry/repo:tag" (or "@digest" for an image named so). */
  image: string;
  /** This platform's image manifest; null when the tag could not be read. */
  digest: string | null;
  /** "os/arch[/variant]", from the index entry or the base; null when neither says. */
  platform: string | null;
  base: ScanBase | null;
  current: ScanCurrent | null;
  status: ScanStatus;
  /** The sentence, for status `error`. */
  error: string | null;
  /** One sentence on how the answer was reached when it is not obvious (a deleted tag, a guess). */
  note: string | null;
  /** Where it came from, for the steps that act on the result (sync rebases per tag). */
  source: { repo: RepositoryName; tag?: string; indexDigest?: string };
}

export interface ScanRequest {
  /** Registries ("host:port"), namespaces ("host/team/"), repositories or images. */
  targets: string[];
  /** Base repositories or tags whose tags are searched for images without a recorded base. */
  bases?: string[];
  /** Only tags matching this glob (`*`, `?`), for registry, namespace and repository targets. */
  tags?: string;
  /** At most this many tags per repository (after --tags), in the registry's order. */
  maxTags?: number;
}

export interface ScanSummary {
  results: ScanResult[];
  /** Tags that hold no container image (signatures, other artifacts): left out, counted. */
  skipped: number;
  /** One sentence each, for stderr: truncated tag lists, repositories left out. */
  notices: string[];
}

/** The `--json` shape of one result, as the issue lists it (plus `note`). */
export function resultToJson(r: ScanResult): Record<string, unknown> {
  return { image: r.image, digest: r.digest, platform: r.platform, base: r.base, current: r.current, status: r.status, error: r.error, note: r.note };
}
