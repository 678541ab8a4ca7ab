import * as vscode from 'vscode';
import { ScanResult } from '../../core/fleet/types';
import { fleetMarks, TagMark } from '../registries/fleetMarks';

/** One outdated tag, as the Base Updates view and the tree marks show it (an index's platforms together). */
export interface OutdatedImage {
  /** "registry/repo:tag", as scanned. */
  image: string;
  /** The base tag, fully qualified: "registry/base/deb:1". */
  base: string;
  /** Date (YYYY-MM-DD) the base tag's current image was made; null when it does not say. */
  since: string | null;
  platforms: string[];
}

/** "registry/base/deb:1" → "deb:1": the tree row has little room, the tooltip has the full name. */
export function shortBase(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export function outdatedImages(results: readonly ScanResult[]): OutdatedImage[] {
  const byImage = new Map<string, OutdatedImage>();
  for (const r of results) {
    if (r.status !== 'outdated' || !r.base) continue;
    const since = r.current?.created ? r.current.created.slice(0, 10) : null;
    const seen = byImage.get(r.image);
    if (seen) {
      if (r.platform) seen.platforms.push(r.platform);
      // For an index, "since" is the earliest platform that fell behind.
      if (since && (!seen.since || since < seen.since)) seen.since = since;
    } else {
      byImage.set(r.image, { image: r.image, base: r.base.name, since, platforms: r.platform ? [r.platform] : [] });
    }
  }
  return [...byImage.values()].sort((a, b) => a.base.localeCompare(b.base) || a.image.localeCompare(b.image));
}

export function markOf(o: OutdatedImage): TagMark {
  const since = o.since ? ` since ${o.since}` : '';
  return {
    // Short enough for the default sidebar width; the base is named in the tooltip.
    description: `outdated${since}`,
    detail: `Its base ${o.base} now points to a newer image${since}. Rebase Outdated Images… rebases it.`,
  };
}

/**
 * The results of the last Check Base Updates per scope (a registry, or a repository), so a check
 * of one repository does not forget what a check of another found. Fires when any scope changes.
 */
export class FleetStore implements vscode.Disposable {
  private readonly scopes = new Map<string, { targets: string[]; bases: string[]; results: ScanResult[] }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /** `scope` is "registry/" or "registry/repo:": marks under it are replaced. */
  set(scope: string, targets: string[], bases: string[], results: ScanResult[]): void {
    this.forgotten.delete(scope);
    this.scopes.delete(scope); // re-inserted last: checked() lists the newest last
    this.scopes.set(scope, { targets, bases, results });
    fleetMarks.replace(scope, this.marksOf(results));
    this.changed.fire();
  }

  /** The tree marks of a scope's results: one per outdated tag. */
  private marksOf(results: ScanResult[]): Map<string, TagMark> {
    const marks = new Map<string, TagMark>();
    for (const o of outdatedImages(results)) marks.set(o.image, markOf(o));
    return marks;
  }

  /** Results taken out by forget(), by scope: an undo puts the tags back where they were, outdated again. */
  private readonly forgotten = new Map<string, ScanResult[]>();

  /** After a push, those tags' scan results no longer hold: drop their rows and marks. */
  forget(images: readonly string[]): void {
    const gone = new Set(images);
    for (const [scope, s] of this.scopes) {
      this.forgotten.set(scope, [...(this.forgotten.get(scope) ?? []), ...s.results.filter((r) => gone.has(r.image))]);
      s.results = s.results.filter((r) => !gone.has(r.image));
    }
    fleetMarks.forget(images);
    this.changed.fire();
  }

  /** After an undo the tags hold what was scanned again, so what the scan said holds again too. */
  unforget(images: readonly string[]): void {
    const back = new Set(images);
    for (const [scope, s] of this.scopes) {
      const kept = this.forgotten.get(scope) ?? [];
      s.results.push(...kept.filter((r) => back.has(r.image)));
      this.forgotten.set(scope, kept.filter((r) => !back.has(r.image)));
      fleetMarks.replace(scope, this.marksOf(s.results));
    }
    this.changed.fire();
  }

  /** Every result of every scope, a tag checked in two scopes only once (the later check wins). */
  results(): ScanResult[] {
    const byImage = new Map<string, ScanResult[]>();
    for (const s of this.scopes.values()) {
      const mine = new Map<string, ScanResult[]>();
      for (const r of s.results) mine.set(r.image, [...(mine.get(r.image) ?? []), r]);
      for (const [k, v] of mine) byImage.set(k, v);
    }
    return [...byImage.values()].flat();
  }

  outdated(): OutdatedImage[] {
    return outdatedImages(this.results());
  }

  /** The scopes checked so far, newest last: Rebase Outdated Images… offers them. */
  checked(): { scope: string; targets: string[]; bases: string[] }[] {
    return [...this.scopes].map(([scope, s]) => ({ scope, targets: s.targets, bases: s.bases }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
