import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TERMINAL_LINE_MAX, TERMINAL_LINES_MAX, escapeControls, jsonForTerminal, oneLine, terminalText } from '../../src/shared/sanitize';

const ESC = '\u001b';
const BEL = '\u0007';
const CSI = '\u009b';
// Anything a terminal acts on: C0 (tab and newline are checked separately where allowed), DEL, C1,
// line separators and bidi controls.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('escapeControls', () => {
  test('an OSC title sequence is shown, not obeyed', () => {
    assert.equal(escapeControls(`${ESC}]0;pwned${BEL}ok`), '\\x1b]0;pwned\\x07ok');
  });

  test('clear screen, CSI via U+009B, NUL and DEL', () => {
    assert.equal(escapeControls(`${ESC}[2J`), '\\x1b[2J');
    assert.equal(escapeControls(`${CSI}31m`), '\\u009b31m');
    assert.equal(escapeControls('a\u0000b\u007fc'), 'a\\x00b\\x7fc');
  });

  test('every C0, DEL and C1 control is escaped', () => {
    for (let c = 0; c <= 0x9f; c++) {
      if (c >= 0x20 && c < 0x7f) continue;
      const out = escapeControls(String.fromCharCode(c));
      assert.ok(!RAW_CONTROL.test(out) && !out.includes('\t'), `U+${c.toString(16)} gave ${JSON.stringify(out)}`);
      assert.ok(out.startsWith('\\'), `U+${c.toString(16)} not shown as an escape`);
    }
  });

  test('newlines, tabs and carriage returns become readable escapes', () => {
    assert.equal(escapeControls('a\nb\tc\rd'), 'a\\nb\\tc\\rd');
  });

  test('bidi overrides and isolates, and line separators', () => {
    const trojan = 'access\u202e\u2066 // admin\u2069\u2066';
    assert.equal(escapeControls(trojan), 'access\\u202e\\u2066 // admin\\u2069\\u2066');
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029']) {
      assert.equal(escapeControls(c), `\\u${c.charCodeAt(0).toString(16)}`);
    }
  });

  test('ordinary Unicode is left alone', () => {
    const s = 'Grüße, 東京, עברית, emoji 🐳, NBSP\u00a0, ZWJ 👩‍💻';
    assert.equal(escapeControls(s), s);
  });
});

describe('oneLine', () => {
  test('newlines and whitespace runs become one space, ends trimmed', () => {
    assert.equal(oneLine('  <html>\n  <body>\r\n\t404 not found\n</body>\n'), '<html> <body> 404 not found </body>');
  });

  test('controls are escaped, not dropped', () => {
    assert.equal(oneLine(`x${ESC}[2Jy`), 'x\\x1b[2Jy');
    assert.equal(oneLine(`${ESC}]0;title${BEL}`), '\\x1b]0;title\\x07');
    assert.equal(oneLine(`${CSI}2J`), '\\u009b2J');
    assert.equal(oneLine('nul\u0000'), 'nul\\x00');
  });

  test('no newline or raw control survives', () => {
    let all = '';
    for (let c = 0; c < 0xa0; c++) all += String.fromCharCode(c) + 'x';
    all += '\u2028\u2029\u202a\u202e\u2066\u2069';
    const out = oneLine(all, Infinity);
    assert.ok(!RAW_CONTROL.test(out), out);
    assert.ok(!out.includes('\t'));
  });

  test('capped at max with a trailing ellipsis, the ellipsis counted', () => {
    assert.equal(oneLine('abcdef', 6), 'abcdef');
    assert.equal(oneLine('abcdefg', 6), 'abcde…');
    assert.equal(oneLine('x'.repeat(500)).length, 200);
    assert.ok(oneLine('x'.repeat(500)).endsWith('…'));
    assert.equal(oneLine('abc', 1), '…');
  });

  test('a cut never splits an escape or a surrogate pair, and drops the space before the ellipsis', () => {
    assert.equal(oneLine(`abc${ESC}def`, 6), 'abc…');
    assert.equal(oneLine('ab🐳🐳🐳', 5), 'ab🐳…');
    assert.equal(oneLine('ab🐳🐳🐳', 4), 'ab…');
    assert.equal(oneLine('abc  defgh', 5), 'abc…');
  });

  test('a 1,000,000-character string is cut quickly', () => {
    const huge = `${ESC}[2J` + 'A'.repeat(1_000_000);
    const started = performance.now();
    const out = oneLine(huge);
    assert.ok(performance.now() - started < 1000);
    assert.equal(out.length, 200);
    assert.ok(out.startsWith('\\x1b[2JAAA'));
    assert.ok(out.endsWith('A…'));
    assert.equal(oneLine(huge, Infinity).length, 1_000_000 + 7);
  });

  test('a million whitespace characters or escapes do not matter either', () => {
    assert.equal(oneLine('a' + ' \n'.repeat(500_000) + 'b'), 'a b');
    const escapes = oneLine(ESC.repeat(1_000_000), 20);
    assert.equal(escapes, '\\x1b'.repeat(4) + '…');
  });

  test('bidi characters are escaped', () => {
    assert.equal(oneLine('a\u202eb'), 'a\\u202eb');
  });
});

describe('terminalText', () => {
  test('keeps our newlines and tabs, escapes the rest', () => {
    assert.equal(terminalText(`Dry run:\n  +\tadded ${ESC}]0;x${BEL}\r`), 'Dry run:\n  +\tadded \\x1b]0;x\\x07\\r');
    assert.equal(terminalText(`${CSI}2J\u0000\u202e`), '\\u009b2J\\x00\\u202e');
    assert.equal(terminalText('a\u2028b'), 'a\\u2028b');
  });

  test('ordinary text, empty lines and a trailing newline are unchanged', () => {
    const s = 'line one\n\nline three 🐳\n';
    assert.equal(terminalText(s), s);
    assert.equal(terminalText(''), '');
  });

  test('each line is capped, the others left whole', () => {
    const out = terminalText(`short\n${'y'.repeat(1_000_000)}\nlast`).split('\n');
    assert.equal(out.length, 3);
    assert.equal(out[0], 'short');
    assert.equal(out[1].length, TERMINAL_LINE_MAX);
    assert.ok(out[1].endsWith('…'));
    assert.equal(out[2], 'last');
  });

  test('a flood of newlines is cut to a bounded number of lines', () => {
    const out = terminalText('z\n'.repeat(1_000_000)).split('\n');
    assert.equal(out.length, TERMINAL_LINES_MAX + 1);
    assert.equal(out.at(-1), `… (${1_000_000 + 1 - TERMINAL_LINES_MAX} more lines not shown)`);
  });

  test('no raw control survives, whatever the input', () => {
    let all = '';
    for (let c = 0; c < 0xa0; c++) all += String.fromCharCode(c);
    all += '\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    assert.ok(!RAW_CONTROL.test(terminalText(all).replace(/\n/g, '')));
  });
});

describe('jsonForTerminal', () => {
  const hostile = {
    mediaType: `application/${ESC}]0;title${BEL}json`,
    csi: `${CSI}2J`,
    nul: 'a\u0000b',
    del: 'x\u007fy',
    lines: 'one\ntwo\u2028three\u2029',
    bidi: 'access\u202e\u2066admin\u2069',
    nested: [{ created_by: `RUN echo ${ESC}[2J` }, null, 1.5, true],
    unicode: 'Grüße 東京 🐳',
  };

  test('is JSON.stringify(value, null, 2) for ordinary values', () => {
    const v = { a: [1, 'two', { three: null }], b: 'Grüße 🐳' };
    assert.equal(jsonForTerminal(v), JSON.stringify(v, null, 2));
  });

  test('no raw control, separator or bidi character, and it parses back to the same value', () => {
    const text = jsonForTerminal(hostile);
    assert.ok(!RAW_CONTROL.test(text.replace(/\n/g, '')), text);
    assert.ok(text.includes('\\u009b2J'));
    assert.ok(text.includes('\\u202e'));
    assert.ok(text.includes('\\u2028'));
    assert.ok(text.includes('\\u007f'));
    assert.deepEqual(JSON.parse(text), hostile);
  });

  test('a backslash before an escaped character still round-trips', () => {
    const v = { s: '\\\u0085\\\\\u202e' };
    assert.deepEqual(JSON.parse(jsonForTerminal(v)), v);
  });

  test('every character from U+0000 to U+FFFF round-trips', () => {
    let all = '';
    for (let c = 0; c <= 0xffff; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCharCode(c);
    const text = jsonForTerminal({ all });
    assert.ok(!RAW_CONTROL.test(text.replace(/\n/g, '')));
    assert.deepEqual(JSON.parse(text), { all });
  });

  test('a value JSON cannot hold is written as null', () => {
    assert.equal(jsonForTerminal(undefined), 'null');
  });
});
