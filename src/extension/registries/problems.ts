import { FailureKind, errorText, isUserError } from '../../core/errors';

/**
 * What a failed tree page turns into: a short label that fits a narrow sidebar (the row), the
 * core's one sentence (the tooltip), and the one action that helps. Free of `vscode` so the rules
 * are unit-tested against the core's real errors.
 */
export interface RowProblem {
  action: 'signIn' | 'retry' | 'addRepository' | 'none';
  label: string;
  message: string;
}

/** Why a request that may work next time failed, in the words the row uses. */
export type PassingFailure = 'timeout' | 'busy' | 'dropped' | 'server' | 'unreachable';

// A retry row shows an inline Retry icon on hover, which takes ~20 px from the label: these stay
// under ~180 px of the default 13 px font, so they are whole even under a tag in a 300 px sidebar
// (test/vscode/ui/faults.ui.ts and tree.ui.ts measure them). The registry row above says which
// registry, so "Unreachable" needs no "Registry" to fit.
const RETRY_LABELS: Record<PassingFailure, string> = {
  timeout: 'Registry timed out — Retry',
  busy: 'Registry busy — Retry later',
  dropped: 'Connection lost — Retry',
  server: 'Registry error — Retry',
  unreachable: 'Unreachable — Retry',
};

/** The core's failure kind (UserError.detail) as the row words it. */
const BY_KIND: Record<FailureKind, PassingFailure> = {
  'connect-timeout': 'timeout',
  'idle-timeout': 'timeout',
  'rate-limited': 'busy',
  truncated: 'dropped',
  'server-error': 'server',
  network: 'unreachable',
};

export function passingFailure(e: unknown): PassingFailure | undefined {
  if (!isUserError(e)) return undefined;
  const kind = e.detail && Object.hasOwn(BY_KIND, e.detail) ? BY_KIND[e.detail as FailureKind] : undefined;
  if (kind) return kind;
  return e.code === 'unreachable' ? 'unreachable' : undefined;
}

/** `what` names the page ("repositories", "tags", "the image"); `catalog` when it is a registry's list. */
export function describeProblem(e: unknown, what: string, catalog: boolean): RowProblem {
  const message = errorText(e);
  if (isUserError(e) && (e.code === 'auth' || e.code === 'denied')) {
    return { action: 'signIn', label: `Sign in to see ${what}`, message };
  }
  const passing = passingFailure(e);
  if (passing) return { action: 'retry', label: RETRY_LABELS[passing], message };
  if (catalog && isUserError(e) && (e.code === 'not-found' || e.code === 'registry' || e.code === 'unsupported')) {
    return {
      action: 'addRepository',
      label: 'No catalog — Add Repository…',
      message: `This registry does not list its repositories (${message}). Add the ones you want to see by name.`,
    };
  }
  return { action: 'none', label: `Could not load ${what}`, message };
}

/**
 * What a registry row says about its registry without being expanded: the state of its last
 * answer (a /v2/ check, or a catalog page). `severity` picks the icon; `description` is the few
 * words beside the host; `message` the core's sentence for the tooltip.
 */
export interface RegistryHealth {
  severity: 'warning' | 'error';
  description: string;
  message: string;
  /** The row's Sign In… is what helps. */
  signIn: boolean;
}

const HEALTH_WORDS: Record<PassingFailure, string> = {
  timeout: 'timed out',
  busy: 'busy',
  dropped: 'connection lost',
  server: 'server error',
  unreachable: 'unreachable',
};

/**
 * The health a failure tells about its registry. `check` is a GET /v2/ (Add Registry, the check
 * on refresh): anything but an answer, a refusal or a busy signal there means "not a registry".
 * For a catalog page, a registry without a catalog (Docker Hub, GHCR) is healthy.
 */
export function registryHealth(e: unknown, phase: 'check' | 'catalog'): RegistryHealth | undefined {
  const message = errorText(e);
  if (isUserError(e) && (e.code === 'auth' || e.code === 'denied')) {
    return { severity: 'warning', description: 'sign in required', message, signIn: true };
  }
  const passing = passingFailure(e);
  if (passing) return { severity: passing === 'busy' ? 'warning' : 'error', description: HEALTH_WORDS[passing], message, signIn: false };
  if (isUserError(e) && e.code === 'cancelled') return undefined;
  if (phase === 'catalog') {
    if (isUserError(e) && (e.code === 'not-found' || e.code === 'registry' || e.code === 'unsupported')) return undefined;
    return { severity: 'error', description: 'error', message, signIn: false };
  }
  return { severity: 'error', description: 'not a registry', message, signIn: false };
}
