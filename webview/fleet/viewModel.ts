/**
 * What the fleet preview shows, computed from the model and state alone (no DOM): the unit tests
 * check these, and render.ts only turns them into elements.
 */
import type { FleetHostMessage, FleetItem, FleetModel, FleetRowPhase, FleetRowStatus, FleetState } from '../../src/shared/fleetProtocol';
import { shortDigest } from '../../src/shared/format';

export interface RowView {
  id: string;
  image: string;
  /** "repo:tag" without the registry, which most rows share; `image` goes to the tooltip. */
  name: string;
  target: string;
  platform: string;
  /** "deb@abc…" and "deb:1@def…", shortened for the cell; the full text goes to the tooltip. */
  oldBase: string;
  newBase: string;
  basesTitle: string;
  layers: string;
  conflicts: string[];
  warnings: string[];
  /** The check box: absent for a row that cannot be pushed. */
  checkbox: { checked: boolean; disabled: boolean } | undefined;
  phase: FleetRowPhase;
  status: string;
  digest: string;
}

const STATUS: Record<FleetRowPhase, string> = {
  planned: 'Planned',
  excluded: 'Left out',
  waiting: 'Waiting…',
  pushing: 'Pushing…',
  rebased: 'Rebased',
  failed: 'Failed',
  skipped: 'Not attempted',
  restored: 'Restored',
  unchanged: 'Already restored',
  refused: 'Refused',
};

/** "host/base/deb@sha256:abc…" → "deb@abc123456789": repositories of one registry are told apart by their last segment. */
export function shortRef(ref: string): string {
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const at = last.indexOf('@');
  return at < 0 ? last : `${last.slice(0, at)}@${shortDigest(last.slice(at + 1))}`;
}

export function layerSummary(l: FleetItem['layers']): string {
  return `−${l.removed} base · +${l.added} base · ${l.kept} app kept`;
}

export function rowView(item: FleetItem, status: FleetRowStatus | undefined, state: FleetState): RowView {
  const phase = status?.phase ?? 'planned';
  const message = status?.message ?? item.error;
  return {
    id: item.id,
    image: item.image,
    name: item.image.slice(item.image.indexOf('/') + 1),
    target: item.target,
    platform: item.platform,
    oldBase: item.error ? '' : item.oldBase.split(', ').map(shortRef).join(', '),
    newBase: item.error ? '' : shortRef(item.newBase),
    basesTitle: item.error ? '' : `${item.oldBase} → ${item.newBase}`,
    layers: item.error ? '' : layerSummary(item.layers),
    conflicts: item.conflicts,
    warnings: item.warnings,
    checkbox: item.error ? undefined : { checked: !state.excluded.includes(item.id), disabled: state.phase !== 'preview' },
    phase,
    // A row without a plan is never pushed: "Cannot rebase" before and after Push all, as the summary counts it.
    status: item.error ? `Cannot rebase: ${item.error}` : message ? `${STATUS[phase]}: ${message}` : STATUS[phase],
    digest: shortDigest(status?.digest),
  };
}

export function rowViews(model: FleetModel, state: FleetState): RowView[] {
  const byId = new Map(state.rows.map((r) => [r.id, r]));
  return model.items.map((i) => rowView(i, byId.get(i.id), state));
}

export interface ActionsView {
  push: { label: string; disabled: boolean; shown: boolean };
  undo: { label: string; disabled: boolean; shown: boolean };
  cancel: { label: string; shown: boolean };
  heading: string;
}

export function actionsView(model: FleetModel, state: FleetState): ActionsView {
  const ticked = model.items.filter((i) => !i.error && !state.excluded.includes(i.id)).length;
  const rebased = state.rows.filter((r) => r.phase === 'rebased').length;
  const n = (k: number) => `${k} ${k === 1 ? 'image' : 'images'}`;
  const heading = {
    preview: `${n(model.items.length)} on an outdated base · target: ${model.targetMode}`,
    pushing: `Pushing ${n(ticked)}…`,
    pushed: `Result · target: ${model.targetMode}`,
    undoing: 'Undoing…',
    undone: 'Undone',
  }[state.phase];
  return {
    heading,
    push: { label: ticked ? `Push all (${n(ticked)})` : 'Push all', disabled: state.phase !== 'preview' || ticked === 0, shown: state.phase === 'preview' || state.phase === 'pushing' },
    undo: { label: 'Undo Rebase', disabled: state.phase !== 'pushed' || rebased === 0, shown: state.phase === 'pushed' || state.phase === 'undoing' || state.phase === 'undone' },
    cancel: { label: state.phase === 'pushing' ? 'Cancel' : 'Close', shown: state.phase === 'preview' || state.phase === 'pushing' },
  };
}

const PHASES: readonly string[] = ['preview', 'pushing', 'pushed', 'undoing', 'undone'];

export function isFleetState(v: unknown): v is FleetState {
  const s = v as FleetState | null;
  return !!s && typeof s === 'object' && PHASES.includes(s.phase) && Array.isArray(s.excluded) && Array.isArray(s.rows);
}

export function isFleetModel(v: unknown): v is FleetModel {
  const m = v as FleetModel | null;
  return !!m && typeof m === 'object' && typeof m.targetMode === 'string' && Array.isArray(m.items) && m.items.every((i) => i && typeof i.id === 'string' && typeof i.image === 'string' && Array.isArray(i.conflicts) && Array.isArray(i.warnings) && !!i.layers);
}

/** Anything else that reaches the frame (another extension's message) is ignored. */
export function parseFleetHostMessage(data: unknown): FleetHostMessage | undefined {
  const m = data as FleetHostMessage | null;
  if (!m || typeof m !== 'object') return undefined;
  if (m.type === 'model' && isFleetModel(m.model) && isFleetState(m.state)) return m;
  if (m.type === 'state' && isFleetState(m.state)) return m;
  return undefined;
}
