import { makeReport } from '../../core/fleet/report';
import { RollbackEntry, rollbackReport } from '../../core/fleet/rollback';
import { Services } from '../services';

/**
 * Undo of a single rebase (the Rebase Preview's push): the same rollback as `rebase-image
 * rollback`, from a one-entry report held in memory. Refuses a tag that moved since the push.
 */
export async function undoSingleRebase(services: Services, source: string, target: string, previous: string, pushed: string): Promise<RollbackEntry> {
  const report = makeReport([{ image: source, target, previous, digest: pushed, status: 'rebased', error: null }], false);
  const [result] = await rollbackReport(services.client, report);
  services.log.info(result.message);
  if (result.status === 'restored' || result.status === 'unchanged') services.showInfo(result.message);
  else services.showError(new Error(result.message));
  return result;
}
