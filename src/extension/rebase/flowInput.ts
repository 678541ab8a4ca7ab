import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { oneLine } from '../../shared/sanitize';

export interface PickItem extends vscode.QuickPickItem {
  /** What choosing this item yields; the label when absent. */
  value?: string;
  /** Choosing it does not answer the step: it loads more items (a repository's tags). */
  expand?: (signal: AbortSignal) => Promise<PickItem[]>;
  /** A line that says something (a problem, what is loading): never an answer. */
  inert?: boolean;
}

export interface StepOptions {
  title: string;
  step: number;
  placeholder: string;
  /** Items at once, or loaded while the step shows busy with `loading` as its line. */
  items: PickItem[] | ((signal: AbortSignal) => Promise<PickItem[]>);
  loading?: string;
  /** With items given at once: more, loaded after them (the step is usable meanwhile). */
  more?: (signal: AbortSignal) => Promise<PickItem[]>;
  /** Shown in the box when the step opens: what was entered before (Back keeps it). */
  value?: string;
  /** Why a typed value is not acceptable, or undefined when it is. */
  validate(value: string): string | undefined;
  /** A sentence shown above the items: why the step is shown again. */
  notice?: string;
  /** A Back button on step 1 too (a question within the first step). */
  backable?: boolean;
}

export type StepAnswer = { kind: 'value'; value: string; item?: PickItem } | { kind: 'back' };

const TYPED = 'Use this';

/**
 * One QuickPick for the whole Rebase Image flow: each step re-dresses it (title, counter, Back,
 * items), and the network work between steps runs while it shows busy with a line saying what it
 * waits for. Hiding it (Escape) aborts that work and ends the flow; that is why the steps share
 * one signal instead of one token each.
 */
export class FlowInput implements vscode.Disposable {
  private readonly qp = vscode.window.createQuickPick<PickItem>();
  private readonly controller = new AbortController();
  private readonly disposables: vscode.Disposable[] = [];
  private base: PickItem[] = [];
  private validate: (v: string) => string | undefined = () => undefined;
  private working = 0;
  /** Items still loading for this step: shown busy, but typing and picking go on. */
  private loading: string | undefined;
  /** Which step is showing: a list that arrives after its step was answered is dropped. */
  private generation = 0;
  private pending: ((a: StepAnswer | undefined) => void) | undefined;
  private shown = false;

  /** Without totalSteps it is a single question: no counter. */
  constructor(readonly totalSteps?: number) {
    this.qp.ignoreFocusOut = true;
    this.qp.matchOnDescription = false;
    this.qp.totalSteps = totalSteps;
    this.disposables.push(
      this.qp,
      this.qp.onDidChangeValue(() => this.refresh()),
      this.qp.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back && !this.working) this.answer({ kind: 'back' });
      }),
      this.qp.onDidAccept(() => void this.accepted()),
      this.qp.onDidHide(() => {
        this.controller.abort();
        this.answer(undefined);
      }),
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Names the step the work that follows belongs to (its title and counter). */
  enter(title: string, step: number, backable = false): void {
    const next = this.totalSteps ? step : undefined;
    // The previous step's answer in the box would read as this step's.
    if (this.qp.step !== next) this.qp.value = '';
    this.qp.title = title;
    this.qp.step = next;
    this.qp.buttons = step > 1 || backable ? [vscode.QuickInputButtons.Back] : [];
  }

  /** Shows a step and waits for its answer; throws CancellationError when the user hid it. */
  async ask(opts: StepOptions): Promise<StepAnswer> {
    this.throwIfHidden();
    const qp = this.qp;
    this.enter(opts.title, opts.step, opts.backable);
    qp.placeholder = opts.placeholder;
    qp.value = opts.value ?? '';
    this.validate = opts.validate;
    const generation = ++this.generation;
    this.loading = undefined;
    const notice: PickItem[] = opts.notice ? [noticeItem(opts.notice)] : [];
    const answer = new Promise<StepAnswer | undefined>((resolve) => (this.pending = resolve));
    const offered = Array.isArray(opts.items) ? opts.items : [];
    this.base = [...notice, ...offered];
    const load = Array.isArray(opts.items) ? opts.more : opts.items;
    if (load) {
      this.loading = opts.loading ?? 'Loading…';
      load(this.signal).then(
        (items) => {
          if (generation !== this.generation) return;
          this.loading = undefined;
          this.base = [...notice, ...offered, ...items];
          this.refresh();
        },
        (e) => {
          // A list that cannot be loaded still leaves typing; say why it is short.
          if (generation !== this.generation || this.signal.aborted) return;
          this.loading = undefined;
          this.base = [...notice, ...offered, problemItem(e)];
          this.refresh();
        },
      );
    }
    this.refresh();
    this.show();
    const a = await answer;
    if (!a) throw new vscode.CancellationError();
    return a;
  }

  /**
   * Runs network work with the step showing busy and `line` as its only row; hiding the step
   * cancels it. The value stays in the box, so the user sees what is being checked. Long work
   * (planning) tells what it is at through `say`, shown under the line.
   */
  async work<T>(line: string, fn: (signal: AbortSignal, say: (detail: string) => void) => Promise<T>): Promise<T> {
    this.throwIfHidden();
    this.working++;
    const saved = { placeholder: this.qp.placeholder };
    this.qp.busy = true;
    this.qp.placeholder = line;
    const row = (detail?: string): PickItem => ({ label: `$(loading~spin) ${line}`, detail, alwaysShow: true, inert: true });
    this.qp.items = [row()];
    const say = (detail: string) => {
      if (this.working && this.qp.placeholder === line) this.qp.items = [row(oneLine(detail, 200))];
    };
    this.show();
    try {
      return await fn(this.signal, say);
    } catch (e) {
      if (this.signal.aborted) throw new vscode.CancellationError();
      throw e;
    } finally {
      this.working--;
      if (!this.working) {
        this.qp.placeholder = saved.placeholder;
        this.refresh();
      }
    }
  }

  /** Hides the pick without ending the flow's work (the flow is done with it). */
  dispose(): void {
    this.pending = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private show(): void {
    if (this.shown) return;
    this.shown = true;
    this.qp.show();
  }

  private throwIfHidden(): void {
    if (this.signal.aborted) throw new vscode.CancellationError();
  }

  private answer(a: StepAnswer | undefined): void {
    const p = this.pending;
    this.pending = undefined;
    p?.(a);
  }

  private refresh(): void {
    if (this.working) return;
    const v = this.qp.value.trim();
    const known = this.base.some((b) => !b.inert && (b.value ?? b.label) === v);
    // A prefix of an offered item ("registry/repo:") is a filter, not an answer to check.
    const prefix = this.base.some((b) => !b.inert && (b.value ?? b.label).startsWith(v));
    const typed: PickItem[] = v && !known && !prefix ? [this.typedItem(v)] : [];
    const loading: PickItem[] = this.loading ? [{ label: `$(loading~spin) ${this.loading}`, alwaysShow: true, inert: true }] : [];
    this.qp.busy = Boolean(this.loading);
    const previous = this.qp.activeItems[0];
    this.qp.items = [...typed, ...this.base, ...loading];
    // New items drop the active one: keep the row the user is on when a late list arrives.
    const kept = !v && previous ? this.qp.items.find((i) => !i.inert && key(i) === key(previous)) : undefined;
    if (kept) this.qp.activeItems = [kept];
    // A notice heads the list to be read, not chosen: Enter takes the first offer below it.
    else if (!v && this.firstOffer() && this.qp.items[0] !== this.firstOffer()) this.qp.activeItems = [this.firstOffer()!];
  }

  private firstOffer(): PickItem | undefined {
    return this.qp.items.find((i) => !i.inert && i.kind !== vscode.QuickPickItemKind.Separator);
  }

  private typedItem(v: string): PickItem {
    const problem = this.validate(v);
    return { label: v, value: v, description: problem ? `$(error) ${problem}` : TYPED, alwaysShow: true };
  }

  private async accepted(): Promise<void> {
    if (this.working || !this.pending) return;
    const typed = this.qp.value.trim();
    // Items replaced (a late list) just before Enter leave this side with no active item while
    // the screen still highlights the first offer: that is the row Enter meant.
    let item: PickItem | undefined = this.qp.selectedItems[0] ?? this.qp.activeItems[0] ?? (typed ? undefined : this.firstOffer());
    // Enter can beat the typed row to the screen; an item that does not contain what was typed was not meant.
    if (item && typed && !item.expand && !(item.value ?? item.label).toLowerCase().includes(typed.toLowerCase())) item = undefined;
    if (item?.inert) return;
    if (item?.expand) {
      const expand = item.expand;
      const prefix = item.value ?? item.label;
      this.qp.value = prefix;
      try {
        const more = await this.work(`Reading the tags of ${prefix.replace(/:$/, '')}…`, expand);
        this.base = [...more, ...this.base.filter((b) => b !== item && !more.some((m) => key(m) === key(b)))];
      } catch (e) {
        if (this.signal.aborted) return;
        this.base = [problemItem(e), ...this.base];
      }
      this.refresh();
      return;
    }
    const value = (item?.value ?? item?.label ?? typed).trim();
    if (!value || this.validate(value)) return;
    this.answer({ kind: 'value', value, item: item?.description === TYPED ? undefined : item });
  }
}

/** What a row stands for: items are rebuilt on every refresh, so rows are matched by this. */
function key(i: PickItem): string {
  return i.value ?? i.label;
}

/** A row is one line: the sentence's subject is the label, what follows (the why) the detail. */
function noticeItem(text: string): PickItem {
  const cut = text.search(/: |; /);
  const [head, tail] = cut > 0 ? [text.slice(0, cut), text.slice(cut + 2)] : [text, undefined];
  return { label: `$(warning) ${head}`, detail: tail && tail[0].toUpperCase() + tail.slice(1), alwaysShow: true, inert: true };
}

function problemItem(e: unknown): PickItem {
  return { label: `$(error) ${isUserError(e) ? e.message : String((e as Error)?.message ?? e)}`, alwaysShow: true, inert: true };
}
