/**
 * Stops what `npm start` started, newest first, whatever step Ctrl-C interrupts: each part is
 * registered the moment it exists, so nothing started is forgotten and nothing unstarted awaited.
 */
export class Stopper {
  private readonly parts: { name: string; stop: () => Promise<void>; folder: boolean }[] = [];
  private signalled = false;
  private finishing = false;
  private release!: () => void;
  /** Settles on the first Ctrl-C (SIGINT), SIGTERM or SIGHUP. */
  readonly stopped = new Promise<void>((resolve) => (this.release = resolve));

  constructor() {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        if (this.signalled) {
          // A second Ctrl-C while stopping: give up waiting; the exit-time sweep still kills
          // the daemons and removes the harness's temp folders.
          console.log('\nStopping at once.');
          process.exit(130);
        }
        this.signalled = true;
        console.log('\nStopping…');
        this.release();
      });
    }
  }

  get stopping(): boolean {
    return this.signalled;
  }

  /** A process to stop (its own temp folders go with it) or, with `folder`, a folder to remove. */
  add(name: string, stop: () => Promise<void>, folder = false): void {
    this.parts.push({ name, stop, folder });
  }

  /** Between steps: a Ctrl-C during a step that cannot be interrupted ends the demo after it. */
  throwIfStopping(): void {
    if (this.signalled) throw new Error('stopped');
  }

  async stop(exitCode: number): Promise<never> {
    if (!this.finishing) {
      this.finishing = true;
      const done: typeof this.parts = [];
      for (const part of [...this.parts].reverse()) {
        try {
          await part.stop();
          done.push(part);
        } catch (e) {
          console.error(`Could not stop ${part.name}: ${(e as Error).message}`);
          exitCode = exitCode || 1;
        }
      }
      const stopped = done.filter((p) => !p.folder).map((p) => p.name);
      if (stopped.length > 0) console.log(`Stopped ${joinNames(stopped)}, and removed every temporary folder they used.`);
      else if (done.length > 0) console.log('Removed every temporary folder.');
    }
    process.exit(exitCode);
  }
}

function joinNames(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
