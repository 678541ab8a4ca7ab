// The WCAG maths the UI contrast tests rely on (test/vscode/harness/contrast.ts), against known values.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { contrastRatio, isLargeText, paintedColours, parseColor, hex, measure } from '../vscode/harness/contrast';

const near = (actual: number, expected: number, eps = 0.01) => assert.ok(Math.abs(actual - expected) < eps, `${actual} ≈ ${expected}`);

it('parses the colours getComputedStyle returns, color-mix() results included', () => {
  assert.deepEqual(parseColor('rgb(255, 0, 0)'), { r: 1, g: 0, b: 0, a: 1 });
  assert.deepEqual(parseColor('rgba(0, 0, 0, 0.5)'), { r: 0, g: 0, b: 0, a: 0.5 });
  assert.deepEqual(parseColor('transparent').a, 0);
  assert.deepEqual(parseColor('color(srgb 0.5 0.25 1 / 0.5)'), { r: 0.5, g: 0.25, b: 1, a: 0.5 });
  assert.throws(() => parseColor('oklch(0.5 0.1 20)'), /unsupported/);
});

it('computes WCAG ratios: 21:1 for black on white, 4.54:1 for #767676, 2.0:1 for #73c991 (the old Pushed status)', () => {
  near(contrastRatio(parseColor('rgb(0, 0, 0)'), parseColor('rgb(255, 255, 255)')), 21);
  near(contrastRatio(parseColor('rgb(118, 118, 118)'), parseColor('rgb(255, 255, 255)')), 4.54);
  near(contrastRatio(parseColor('rgb(115, 201, 145)'), parseColor('rgb(255, 255, 255)')), 2.0);
});

it('composites translucent backgrounds and text, and opacity, over what is painted under them', () => {
  const p = paintedColours({ color: 'rgba(0, 0, 0, 0.5)', layers: [{ background: 'rgb(255, 255, 255)', opacity: 1 }, { background: 'rgba(255, 0, 0, 0.2)', opacity: 1 }] });
  assert.equal(hex(p.background), '#ffcccc');
  assert.equal(hex(p.text), '#806666');
  // Opacity 0.5 on the text's element over white: black text paints mid grey.
  const faded = paintedColours({ color: 'rgb(0, 0, 0)', layers: [{ background: 'rgb(255, 255, 255)', opacity: 1 }, { background: 'transparent', opacity: 0.5 }] });
  assert.equal(hex(faded.text), '#808080');
  assert.equal(hex(faded.background), '#ffffff');
});

it('asks 3:1 of large text (24px, or 18.66px bold) and 4.5:1 of the rest', () => {
  assert.equal(isLargeText(24, 400), true);
  assert.equal(isLargeText(19, 700), true);
  assert.equal(isLargeText(19, 600), false);
  const m = measure({ text: 'x', where: 'span', color: 'rgb(118, 118, 118)', layers: [{ background: 'rgb(255, 255, 255)', opacity: 1 }], fontSizePx: 13, fontWeight: 400, disabled: false });
  assert.equal(m.required, 4.5);
  assert.equal(m.background, '#ffffff');
});
