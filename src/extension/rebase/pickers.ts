import * as vscode from 'vscode';

export interface PickItem extends vscode.QuickPickItem {
  /** What choosing this item yields; the label when absent. */
  value?: string;
}

export interface PickOrTypeOptions {
  title: string;
  placeholder: string;
  /** Items shown at once; a promise shows a busy indicator until it settles. */
  items: PickItem[] | Promise<PickItem[]>;
  /** Returns why a typed value is not acceptable, or undefined when it is. */
  validate(value: string): string | undefined;
  step?: number;
  totalSteps?: number;
  value?: string;
}

/**
 * A QuickPick that also takes free text: what the user types appears as the first row, with
 * the validation problem as its description; an invalid entry cannot be accepted.
 */
export function pickOrType(opts: PickOrTypeOptions): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<PickItem>();
  qp.title = opts.title;
  qp.placeholder = opts.placeholder;
  qp.step = opts.step;
  qp.totalSteps = opts.totalSteps;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.ignoreFocusOut = true;
  let base: PickItem[] = [];
  const typedItem = (v: string): PickItem => {
    const problem = opts.validate(v);
    return { label: v, value: v, description: problem ? `$(error) ${problem}` : 'Use this', alwaysShow: true };
  };
  const refresh = () => {
    const v = qp.value.trim();
    qp.items = v && !base.some((b) => (b.value ?? b.label) === v) ? [typedItem(v), ...base] : base;
  };
  if (Array.isArray(opts.items)) {
    base = opts.items;
  } else {
    qp.busy = true;
    opts.items.then(
      (items) => {
        base = items;
        qp.busy = false;
        refresh();
      },
      () => (qp.busy = false),
    );
  }
  qp.value = opts.value ?? '';
  refresh();
  qp.onDidChangeValue(refresh);
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      const picked = qp.selectedItems[0];
      const value = (picked?.value ?? picked?.label ?? qp.value).trim();
      if (!value || opts.validate(value)) return;
      done = true;
      resolve(value);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
