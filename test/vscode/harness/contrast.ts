// WCAG 2.x text contrast of a webview as the browser paints it: every visible element with text of
// its own, its computed colour against what is painted under it (ancestors' backgrounds and
// opacity composited), measured in the page and computed here (no colour library: the maths is short).
import type { FrameLocator, Page } from 'playwright-core';
import { pickQuickItem, runCommand } from './ui';

export interface Rgba {
  r: number; // 0..1, sRGB
  g: number;
  b: number;
  a: number; // 0..1
}

/** One level of the painted stack, from the root (first) to the text's own element (last). */
export interface Layer {
  background: string;
  opacity: number;
}

/** What the page reports for one element with text of its own. */
export interface TextSample {
  text: string;
  /** tag.class[data-testid], to find the element again. */
  where: string;
  color: string;
  layers: Layer[];
  fontSizePx: number;
  fontWeight: number;
  /** Inside a disabled control: WCAG 1.4.3 exempts inactive UI components. */
  disabled: boolean;
}

export interface TextContrast extends TextSample {
  ratio: number;
  /** 3 for large text (>= 24px, or >= 18.66px bold), else 4.5. */
  required: number;
  foreground: string;
  background: string;
}

/**
 * Parses a computed CSS colour: rgb()/rgba() (legacy and space syntax), `transparent`, and
 * `color(srgb r g b / a)`, which is how Chromium serializes color-mix() in srgb.
 */
export function parseColor(s: string): Rgba {
  const t = s.trim().toLowerCase();
  if (t === 'transparent' || t === '') return { r: 0, g: 0, b: 0, a: 0 };
  let m = /^rgba?\(([^)]*)\)$/.exec(t);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    const [r, g, b] = parts.slice(0, 3).map((p) => (p.endsWith('%') ? parseFloat(p) / 100 : parseFloat(p) / 255));
    return { r, g, b, a: alpha(parts[3]) };
  }
  m = /^color\(srgb\s+([^)]*)\)$/.exec(t);
  if (m) {
    const parts = m[1].split(/[\s/]+/).filter(Boolean);
    const [r, g, b] = parts.slice(0, 3).map((p) => (p.endsWith('%') ? parseFloat(p) / 100 : parseFloat(p)));
    return { r, g, b, a: alpha(parts[3]) };
  }
  throw new Error(`unsupported colour ${JSON.stringify(s)}`);
}

function alpha(p: string | undefined): number {
  if (p === undefined) return 1;
  return p.endsWith('%') ? parseFloat(p) / 100 : parseFloat(p);
}

/** `top` painted over an opaque `under` (source-over). */
export function over(top: Rgba, under: Rgba): Rgba {
  const a = top.a;
  return { r: top.r * a + under.r * (1 - a), g: top.g * a + under.g * (1 - a), b: top.b * a + under.b * (1 - a), a: 1 };
}

const mix = (x: Rgba, y: Rgba, k: number): Rgba => ({ r: x.r * k + y.r * (1 - k), g: x.g * k + y.g * (1 - k), b: x.b * k + y.b * (1 - k), a: 1 });

const channel = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

/** WCAG relative luminance of an opaque sRGB colour. */
export function luminance(c: Rgba): number {
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

export function contrastRatio(x: Rgba, y: Rgba): number {
  const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}

export const hex = (c: Rgba) => '#' + [c.r, c.g, c.b].map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0')).join('');

/**
 * The colours of a text pixel and of the background pixel next to it. Each level paints its
 * background over what is under it; a level's opacity blends everything it and its descendants
 * paint with what was under it. (Background images and siblings painted underneath are ignored.)
 */
export function paintedColours(s: Pick<TextSample, 'color' | 'layers'>, canvas: Rgba = { r: 1, g: 1, b: 1, a: 1 }): { text: Rgba; background: Rgba } {
  const layers = s.layers.map((l) => ({ bg: parseColor(l.background), opacity: l.opacity }));
  const text = parseColor(s.color);
  const paint = (i: number, under: Rgba, withText: boolean): Rgba => {
    const here = over(layers[i].bg, under);
    const inner = i === layers.length - 1 ? (withText ? over(text, here) : here) : paint(i + 1, here, withText);
    return mix(inner, under, layers[i].opacity);
  };
  return { text: paint(0, canvas, true), background: paint(0, canvas, false) };
}

export function isLargeText(fontSizePx: number, fontWeight: number): boolean {
  return fontSizePx >= 24 || (fontSizePx >= 18.66 && fontWeight >= 700);
}

export function measure(s: TextSample): TextContrast {
  const { text, background } = paintedColours(s);
  return { ...s, ratio: contrastRatio(text, background), required: isLargeText(s.fontSizePx, s.fontWeight) ? 3 : 4.5, foreground: hex(text), background: hex(background) };
}

/**
 * Every visible element of the webview's document with a non-blank text node of its own (text
 * slotted into a web component counts for the slot, where it is painted). Hidden ones (display,
 * visibility, zero size, the 1px visually-hidden pattern) are skipped.
 */
export async function sampleTexts(frame: FrameLocator): Promise<TextSample[]> {
  // No named inner functions here: tsx keeps names with a helper the page does not have.
  return frame.locator('body').evaluate((body) => {
    const out: TextSample[] = [];
    const seen = new Set<Element>();
    const hosts: ParentNode[] = [body.ownerDocument];
    for (let h = 0; h < hosts.length; h++) {
      for (const e of hosts[h].querySelectorAll('*')) {
        if (e.shadowRoot) hosts.push(e.shadowRoot);
        for (const n of e.childNodes) {
          if (n.nodeType !== 3 || !(n.textContent ?? '').trim()) continue;
          const start: Element = (n as Text).assignedSlot ?? e;
          if (seen.has(start)) continue;
          seen.add(start);
          const range = document.createRange();
          range.selectNodeContents(n);
          const rect = range.getBoundingClientRect();
          if (rect.width < 2 || rect.height < 2) continue;
          const layers: { background: string; opacity: number }[] = [];
          let hidden = false;
          let disabled = false;
          for (let x: Element | null = start; x; ) {
            const cs = getComputedStyle(x);
            if (cs.display === 'none' || (x === start && cs.visibility !== 'visible') || (cs.overflow === 'hidden' && x.getBoundingClientRect().width <= 1)) hidden = true;
            if (x.hasAttribute('disabled') || x.getAttribute('aria-disabled') === 'true') disabled = true;
            layers.unshift({ background: cs.backgroundColor, opacity: parseFloat(cs.opacity) });
            const root = x.getRootNode();
            x = x.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
          }
          if (hidden) continue;
          const cs = getComputedStyle(start);
          const host = e.getAttribute('data-testid') ? `[data-testid=${e.getAttribute('data-testid')}]` : '';
          out.push({
            text: (n.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60),
            where: `${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}${host}${start !== e ? ' > slot' : ''}`,
            color: cs.color,
            layers,
            fontSizePx: parseFloat(cs.fontSize),
            fontWeight: parseFloat(cs.fontWeight),
            disabled,
          });
        }
      }
    }
    return out;
  });
}

/** Measures every text of the webview; `failing` are the ones under their required ratio. */
export async function measureContrast(frame: FrameLocator): Promise<{ all: TextContrast[]; failing: TextContrast[]; min: TextContrast | undefined }> {
  const all = (await sampleTexts(frame)).filter((s) => !s.disabled).map(measure);
  const failing = all.filter((c) => c.ratio < c.required);
  const min = [...all].sort((p, q) => p.ratio / p.required - q.ratio / q.required)[0];
  return { all, failing, min };
}

export const describeContrast = (c: TextContrast) => `${c.ratio.toFixed(2)}:1 (needs ${c.required}) ${c.foreground} on ${c.background} ${c.where} "${c.text}"`;

/** VS Code's default themes: id (the setting's value), label in the picker, kind class on a webview's body. */
export const DEFAULT_THEMES: ReadonlyArray<{ id: string; label: string; kind: string }> = [
  { id: 'Default Light Modern', label: 'Light Modern', kind: 'vscode-light' },
  { id: 'Default Light+', label: 'Light+', kind: 'vscode-light' },
  { id: 'Default Dark Modern', label: 'Dark Modern', kind: 'vscode-dark' },
  { id: 'Default Dark+', label: 'Dark+', kind: 'vscode-dark' },
  { id: 'Default High Contrast', label: 'Dark High Contrast', kind: 'vscode-high-contrast' },
  { id: 'Default High Contrast Light', label: 'Light High Contrast', kind: 'vscode-high-contrast-light' },
];

/** Picks a colour theme as a user does (Preferences: Color Theme) and waits until the webview has it. */
export async function useColorTheme(page: Page, frame: FrameLocator, theme: (typeof DEFAULT_THEMES)[number]): Promise<void> {
  if ((await frame.locator('body').getAttribute('data-vscode-theme-id')) !== theme.id) {
    await runCommand(page, 'Preferences: Color Theme');
    await pickQuickItem(page, theme.label);
  }
  await frame.locator(`body.${theme.kind}[data-vscode-theme-id="${theme.id}"]`).waitFor({ state: 'attached', timeout: 15_000 });
  await page.waitForTimeout(300);
}

export const screenshotName = (prefix: string, themeId: string) => `${prefix}-${themeId.toLowerCase().replace(/^default /, '').replace(/\+/g, '-plus').replace(/[^a-z]+/g, '-')}`;
