import * as vscode from 'vscode';
import { UserError, errorText, isUserError } from '../../core/errors';
import { AnyPreparedRebase, executeRebase, isIndexRebase } from '../../core/rebase/rebase';
import { IndexPushResult, PushResult } from '../../core/rebase/push';
import { PreviewModel, PushStatus } from '../../shared/previewProtocol';
import { Services } from '../services';
import { plannedDigest } from './planStep';

/** What a push hands back: one image's result, or an index's (digest: the index pushed to the tag). */
export type AnyPushResult = PushResult | IndexPushResult;

/**
 * One planned rebase (one image, or every platform of an index) and its push. The plan is fixed
 * when the session is made, so what the user consented to in the preview is exactly what gets
 * pushed. For an index the images go first and the index last, so a cancel or failure before
 * that leaves the tag as it was.
 */
export class RebaseSession {
  private statusValue: PushStatus = { phase: 'idle' };
  private controller: AbortController | undefined;
  private readonly changed = new vscode.EventEmitter<PushStatus>();
  readonly onDidChangeStatus = this.changed.event;
  private pushing: Promise<AnyPushResult | undefined> | undefined;

  constructor(
    readonly services: Services,
    readonly prepared: AnyPreparedRebase,
    readonly model: PreviewModel,
    /** The digest the tag now holds (the rebased image's), and what to add to the news. */
    private readonly onPushed: (digest: string, note?: string) => void,
    /** After a cancel or failure: the target's tag may be shown stale in the tree either way. */
    private readonly onNotPushed?: () => void,
  ) {}

  get status(): PushStatus {
    return this.statusValue;
  }

  /** Pushes once; a second call while pushing (a double click) joins the first. */
  push(): Promise<AnyPushResult | undefined> {
    if (this.statusValue.phase === 'done') return Promise.resolve(undefined);
    this.pushing ??= this.run().finally(() => (this.pushing = undefined));
    return this.pushing;
  }

  cancel(): void {
    this.controller?.abort();
  }

  private async run(): Promise<AnyPushResult | undefined> {
    const controller = (this.controller = new AbortController());
    const target = this.prepared.plan.target.reference;
    const log = this.services.log;
    this.setStatus({ phase: 'pushing', message: `Pushing ${target}…` });
    const what = isIndexRebase(this.prepared) ? `every platform of ${this.prepared.plan.source.reference} (${this.prepared.plan.children.map((c) => c.platform).join(', ')})` : this.prepared.plan.source.reference;
    log.info(`Rebase ${what} onto ${this.prepared.plan.newBase.reference} → ${target}`);
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Rebasing into ${target}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let last = 0;
          return executeRebase(this.services.client, this.prepared, {
            signal: controller.signal,
            onProgress: (e) => {
              log.info(e.message);
              const pct = e.total ? Math.round(((e.done ?? 0) / e.total) * 90) : last;
              progress.report({ message: e.message, increment: Math.max(0, pct - last) });
              last = Math.max(last, pct);
            },
          });
        },
      );
      // The client read the tag back after the cancel and found it already held the new digest.
      const note = controller.signal.aborted ? `The cancel came too late: ${target} already holds ${result.digest}.` : undefined;
      this.setStatus({ phase: 'done', message: `Pushed ${target}@${result.digest}${note ? `. ${note}` : ''}`, digest: result.digest });
      const copied = 'children' in result ? result.copiedLayers : result.copied;
      const images = 'children' in result ? `${result.children.length} image(s) and the index; ` : '';
      log.info(`Pushed ${target}@${result.digest} (${images}${result.mounted} mounted, ${result.present} present, ${copied} copied layers)${note ? ` ${note}` : ''}`);
      this.onPushed(result.digest, note);
      return result;
    } catch (e) {
      const cancelled = isUserError(e) && e.code === 'cancelled';
      // The client reads the tag back when a manifest push's fate is unclear: a cancel or failure
      // that reaches here left the tag as it was (verified when it happened at the manifest),
      // unless the error says it could not tell ('uncertain').
      const uncertain = isUserError(e) && e.code === 'uncertain';
      const said = errorText(e);
      // Any other failure (an HTTP 500 to the manifest PUT, an unexpected error) says nothing
      // checked about the tag: the registry may have stored the manifest before it failed.
      const settled = cancelled || uncertain || /unchanged\.?$|was not changed/.test(said) ? undefined : await this.readBack(said);
      if (settled?.pushed) {
        const note = 'The registry answered the push with an error, but the tag holds the new image.';
        this.setStatus({ phase: 'done', message: `Pushed ${target}@${settled.pushed}. ${note}`, digest: settled.pushed });
        log.info(`${said} Read back: ${target} holds ${settled.pushed}.`);
        this.onPushed(settled.pushed, note);
        return undefined;
      }
      const message = cancelled ? `Cancelled; ${target} was not changed.` : (settled?.message ?? said);
      log.info(message);
      this.setStatus({ phase: cancelled ? 'cancelled' : 'failed', message });
      this.onNotPushed?.();
      if (cancelled) this.services.showInfo(message);
      else this.services.showError(new UserError(isUserError(e) ? e.code : 'registry', message));
      return undefined;
    } finally {
      this.controller = undefined;
    }
  }

  /** What the target tag holds after a failure, read from the registry, in one sentence. */
  private async readBack(said: string): Promise<{ pushed?: string; message: string }> {
    const target = this.prepared.plan.target;
    const ours = plannedDigest(this.prepared);
    const before = this.model.target.existingDigest;
    const head = said.replace(/\.$/, '');
    let held: string | undefined;
    try {
      // A fresh signal: a cancel of the push must not stop us from learning what the registry holds.
      held = (await this.services.client.headManifest(target.repo, target.tag, AbortSignal.timeout(30_000)))?.digest;
    } catch (e) {
      const why = isUserError(e) ? e.message.replace(/\.$/, '') : String((e as Error)?.message ?? e);
      return { message: `${head}, and whether ${target.reference} changed is unknown because reading it back failed too (${why}); check the tag before trying again.` };
    }
    if (held === ours) return { pushed: ours, message: '' };
    if (held === before) return { message: `${head}; ${target.reference} was read back and is unchanged.` };
    return { message: `${head}; ${target.reference} was read back and now holds ${held ?? 'nothing'}, which is neither the rebased image nor what it held before.` };
  }

  private setStatus(s: PushStatus): void {
    this.statusValue = s;
    this.changed.fire(s);
  }

  dispose(): void {
    this.cancel();
    this.changed.dispose();
  }
}
