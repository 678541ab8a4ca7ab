/**
 * From planned rebases to the rows of the fleet preview: pure, so the summary each row shows is
 * testable without a registry or VS Code.
 */
import { SyncJob } from '../../core/fleet/syncJobs';
import { decisionLabel } from '../../core/rebase/configMerge';
import { formatPlatform } from '../../core/rebase/fetchImage';
import { RebasePlan } from '../../core/rebase/plan';
import { AnyPreparedRebase, isIndexRebase } from '../../core/rebase/rebase';
import { FleetItem } from '../../shared/fleetProtocol';
import { oneLine } from '../../shared/sanitize';

/** A short registry-derived label (a platform, a config key): one line, bounded. */
const label = (s: string) => oneLine(s, 200);
/** A registry-derived sentence or reference list (a warning, an error, old bases): one line, bounded. */
const message = (s: string) => oneLine(s, 1000);

function layerCounts(plans: RebasePlan[]): FleetItem['layers'] {
  const out = { removed: 0, added: 0, kept: 0 };
  for (const p of plans) for (const l of p.layers) out[l.change]++;
  return out;
}

const conflictsOf = (p: RebasePlan) => p.configMerge.decisions.filter((d) => d.decision === 'conflict').map(decisionLabel);

export function plannedItem(job: SyncJob, prepared: AnyPreparedRebase): FleetItem {
  const base = { id: job.image, image: job.image, target: job.target };
  if (!isIndexRebase(prepared)) {
    const p = prepared.plan;
    return {
      ...base,
      platform: label(formatPlatform(p.newConfig)),
      oldBase: message(p.oldBase.reference),
      newBase: `${job.newBase}@${p.newBase.digest}`,
      layers: layerCounts([p]),
      conflicts: conflictsOf(p).map(label),
      warnings: p.warnings.map(message),
    };
  }
  const p = prepared.plan;
  const children = p.children;
  // One row per tag: each platform's conflicts and warnings carry its name so they stay apart.
  const tagged = (platform: string, lines: string[]) => lines.map((l) => `${platform}: ${l}`);
  return {
    ...base,
    platform: message(children.map((c) => c.platform).join(', ')),
    oldBase: message([...new Set(children.map((c) => c.plan.oldBase.reference))].join(', ')),
    newBase: `${job.newBase}@${p.newBase.digest}`,
    layers: layerCounts(children.map((c) => c.plan)),
    conflicts: children.flatMap((c) => tagged(c.platform, conflictsOf(c.plan))).map(label),
    warnings: [...p.warnings, ...children.flatMap((c) => tagged(c.platform, c.plan.warnings))].map(message),
  };
}

/** A tag whose plan could not be made (or that sync would not touch): shown, never pushed. */
export function unplannedItem(image: string, target: string | null, newBase: string, error: string): FleetItem {
  // A whitespace-only error collapses to nothing; the row must still read (and count) as failed.
  const shown = message(error) || (error ? '(no message)' : '');
  return { id: image, image, target: target ?? '(none)', platform: '', oldBase: '', newBase, layers: { removed: 0, added: 0, kept: 0 }, conflicts: [], warnings: [], error: shown };
}
