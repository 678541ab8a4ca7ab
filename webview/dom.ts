/**
 * The one way this webview builds DOM: createElement plus textContent. Strings from the model
 * never reach an HTML parser, and no event-handler or style attribute is ever set from here.
 */

export type Child = Node | string | undefined | null | false;

export interface ElOptions {
  className?: string;
  testId?: string;
  text?: string;
  /** Plain attributes (role, aria-*, id, title, colspan…). Event handler and style attributes are refused. */
  attrs?: Record<string, string | undefined>;
  data?: Record<string, string | undefined>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, opts: ElOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (opts.className) e.className = opts.className;
  if (opts.testId) e.dataset.testid = opts.testId;
  for (const [name, value] of Object.entries(opts.attrs ?? {})) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower.startsWith('on') || lower === 'style' || lower === 'src' || lower === 'href' || lower === 'srcdoc') {
      throw new Error(`refusing to set attribute ${name}`);
    }
    e.setAttribute(name, value);
  }
  for (const [name, value] of Object.entries(opts.data ?? {})) {
    if (value !== undefined) e.dataset[name] = value;
  }
  if (opts.text !== undefined) e.textContent = opts.text;
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
