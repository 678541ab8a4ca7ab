/**
 * A UI session on the fixtures with the Image Rebase view open, and the fault proxy in front of
 * its second registry under the test's control: what the flow, truth and overwrite UI tests share.
 */
import { faultControl } from '../faultControl';
import { openViewContainer, startUiSession, type UiSession } from './ui';

export interface FaultySession {
  s: UiSession;
  /** The fixtures' registry, reached directly. */
  host: string;
  /** The same registry behind the fault proxy. */
  faulty: string;
  faults: ReturnType<typeof faultControl>;
}

export async function startFaultySession(): Promise<FaultySession> {
  const s = await startUiSession({ fixtures: true });
  await openViewContainer(s.page, 'Image Rebase');
  return {
    s,
    host: s.env.IMAGE_REBASE_TEST_REGISTRY,
    faulty: s.env.IMAGE_REBASE_TEST_FAULTY_REGISTRY,
    faults: faultControl(s.env.IMAGE_REBASE_TEST_CONTROL),
  };
}

/** Clears the faults (a failed test may leave some) and closes the session. */
export async function closeFaultySession(f: Partial<FaultySession>): Promise<void> {
  await f.faults?.clear().catch(() => undefined);
  await f.s?.close();
}
