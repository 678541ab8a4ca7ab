// Running the CLI against the hostile registry, and the checks every hostile case shares: what
// reaches the terminal is safe, a failure is one sentence, and no request left the repositories
// the rebase names or wrote anything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { withEnv } from './creds';
import { doc, hostileImage, OCI_LAYER, OCI_MANIFEST, serveImage, sha256, type Corruption, type CorruptionName, type Doc, type HostileImage } from './hostileDocuments';
import type { HostileRegistry } from './hostileRegistry';
import { makeTempDir } from './tools';

export interface HostileRun {
  code: number;
  out: string[];
  err: string[];
  ms: number;
}

/** The CLI in this process, with an empty DOCKER_CONFIG so no stored login plays a part. */
export async function hostileCli(dockerConfig: string, argv: string[]): Promise<HostileRun> {
  const out: string[] = [];
  const err: string[] = [];
  const t0 = Date.now();
  const code = await withEnv({ DOCKER_CONFIG: dockerConfig }, () => main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }));
  return { code, out, err, ms: Date.now() - t0 };
}

export interface ChildRun {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** Peak resident set size of the CLI process, in KiB (process.resourceUsage().maxRSS). */
  maxRssKiB: number;
  ms: number;
}

// main() of the built bundle, with the process's own stdout/stderr; the peak RSS goes to a file.
const CHILD_SCRIPT = `
const { writeFileSync } = require('node:fs');
const { main } = require(process.env.HOSTILE_CLI);
const done = (code) => {
  writeFileSync(process.env.HOSTILE_RSS_FILE, String(process.resourceUsage().maxRSS));
  process.exitCode = code;
};
main(JSON.parse(process.env.HOSTILE_ARGV)).then(done, (e) => {
  process.stderr.write('child: main rejected: ' + String(e && e.message) + '\\n');
  done(99);
});
`;

/** The built CLI (dist/cli.js) in a child process, so that its memory can be measured alone. */
export async function childCli(root: string, dockerConfig: string, argv: string[], timeoutMs = 30_000): Promise<ChildRun> {
  const dir = makeTempDir('hostile-rss');
  const rssFile = join(dir, 'maxrss');
  const t0 = Date.now();
  const env = { ...process.env, NODE_OPTIONS: '', DOCKER_CONFIG: dockerConfig, HOSTILE_CLI: join(root, 'dist', 'cli.js'), HOSTILE_ARGV: JSON.stringify(argv), HOSTILE_RSS_FILE: rssFile };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: Buffer; stderr: Buffer }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
  const ms = Date.now() - t0;
  const rss = await readFile(rssFile, 'utf8').catch(() => 'NaN');
  await rm(dir, { recursive: true, force: true });
  return { code, stdout, stderr, maxRssKiB: Number(rss), ms };
}

// ---- what reaches the terminal -----------------------------------------------------------------

/** The longest line a user may be shown (sanitize.ts caps lines at 2000 characters). */
export const LINE_MAX = 2000;

/** No ESC, no C1 control, no stack trace, no flood of a line. */
export function assertTerminalSafe(text: string, what = 'output'): void {
  const esc = text.indexOf('\x1b');
  assert.equal(esc, -1, `${what} holds an ESC byte at ${esc}: ${JSON.stringify(text.slice(Math.max(0, esc - 40), esc + 40))}`);
  const c1 = text.search(/[\u0080-\u009f]/);
  assert.equal(c1, -1, `${what} holds a C1 control at ${c1}: ${JSON.stringify(text.slice(Math.max(0, c1 - 40), c1 + 40))}`);
  assert.ok(!text.includes('    at ') && !/\n\s+at \S+ \(/.test(text), `stack trace in ${what}:\n${text.slice(0, 3000)}`);
  for (const line of text.split('\n')) assert.ok(line.length < LINE_MAX, `${what} has a line of ${line.length} characters: ${line.slice(0, 200)}…`);
}

/** Raw bytes as a terminal receives them: no 0x1b, and no C1 control in its UTF-8 form (C2 80–C2 9F). */
export function assertBytesSafe(bytes: Buffer, what: string): void {
  assert.equal(bytes.indexOf(0x1b), -1, `${what} holds an ESC byte`);
  for (let i = bytes.indexOf(0xc2); i >= 0; i = bytes.indexOf(0xc2, i + 1)) {
    assert.ok(!(bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9f), `${what} holds a C1 control at byte ${i}`);
  }
  assertTerminalSafe(bytes.toString('utf8'), what);
}

/**
 * A failed rebase as stdout/stderr text: exit 1, nothing on stdout, and exactly one "Error:" line,
 * the last, one sentence ending with a period. Returns that line.
 */
export function assertOneSentenceFailure(code: number | null, stdout: string, stderr: string): string {
  assertTerminalSafe(stdout, 'stdout');
  assertTerminalSafe(stderr, 'stderr');
  assert.equal(code, 1, `exit code; stderr:\n${stderr.slice(0, 3000)}`);
  assert.equal(stdout, '', 'nothing on stdout');
  const lines = stderr.replace(/\n$/, '').split('\n');
  const errors = lines.filter((l) => l.startsWith('Error:'));
  assert.equal(errors.length, 1, `expected one Error line:\n${stderr.slice(0, 3000)}`);
  const line = errors[0];
  assert.equal(lines.at(-1), line, 'the error is the last line');
  assert.match(line, /\.$/, `one sentence ending with a period: ${line}`);
  // A sentence break is ". Word word"; quoted registry text may hold anything, so it is left out.
  const body = line.slice('Error: '.length).replace(/"[^"]*"/g, '""');
  assert.ok(!/[.;!?] [A-Z][a-z]+ [a-z]/.test(body), `more than one sentence: ${line}`);
  return line;
}

export function failureOf(r: HostileRun): string {
  return assertOneSentenceFailure(r.code, r.out.map((l) => `${l}\n`).join(''), r.err.map((l) => `${l}\n`).join(''));
}

// ---- what the registry saw ---------------------------------------------------------------------

/**
 * Every request stayed on /v2/ or under /v2/<repo>/ of the named repositories, as manifests,
 * blobs or tag lists: no "/x", no "/v2/_catalog". With `writes: false`, nothing but GET and HEAD.
 */
export function assertRequestsInside(reg: HostileRegistry, repos: string[], opts: { writes?: boolean } = {}): void {
  const inside = new RegExp(`^/v2/(?:$|(?:${repos.join('|')})/(?:manifests|blobs|tags)/)`);
  for (const r of reg.log) {
    // Paths as sent (and as a server resolves them): a "/../" would climb out of the repository.
    assert.ok(inside.test(r.path) && !/(^|\/)\.\.?(\/|$|\?)/.test(r.path.split('?')[0]), `request outside the repositories: ${r.method} ${r.path}`);
    if (!opts.writes) assert.ok(r.method === 'GET' || r.method === 'HEAD', `a write was sent: ${r.method} ${r.path}`);
  }
}

// ---- the three images every case starts from -------------------------------------------------

/** base:1 is app:1's first layer; base:2 has one layer of its own; app:1 adds one layer. */
export const BASE1_SHAPE: Corruption = {
  manifest: (m) => void m.layers.splice(1),
  config: (c) => {
    c.rootfs.diff_ids.splice(1);
    c.history.splice(1);
  },
};

export const BASE2_SHAPE: Corruption = {
  manifest: (m) => void (m.layers = [{ mediaType: OCI_LAYER, digest: sha256('base 2 layer (gzip)'), size: 38 }]),
  config: (c) => {
    c.created = '2024-02-01T00:00:00Z';
    c.rootfs.diff_ids = [sha256('base 2 layer')];
    c.history = [{ created_by: 'ADD base2.tar /' }];
  },
};

/** Forgets earlier routes and the log, then serves base:1, base:2 and app:1 (corrupted as given). */
export function serveStandard(reg: HostileRegistry, app: Corruption | CorruptionName | HostileImage = {}, opts: { appAsIndex?: boolean } = {}): HostileImage {
  reg.reset();
  const isImage = typeof app === 'object' && typeof (app as HostileImage).config === 'object';
  const image = isImage ? (app as HostileImage) : hostileImage(app as Corruption | CorruptionName);
  serveImage(reg, 'base', '1', hostileImage(BASE1_SHAPE));
  serveImage(reg, 'base', '2', hostileImage(BASE2_SHAPE));
  serveImage(reg, 'app', '1', image, { asIndex: opts.appAsIndex });
  return image;
}

// ---- documents nested deeper than JSON.stringify can recurse ----------------------------------

/** `[[[…]]]` nested `depth` deep: JSON.parse reads it, a recursive walk overflows the stack. */
export function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function withRawField(d: Doc, key: string, raw: string): Doc {
  const body = d.body.replace(/}$/, `,${JSON.stringify(key)}:${raw}}`);
  return { body, digest: sha256(body), size: Buffer.byteLength(body), mediaType: d.mediaType };
}

/** app:1 with an extra field of `raw` JSON (spliced in as text: the harness cannot stringify it either) in its config or manifest. */
export function imageWithRawField(where: 'config' | 'manifest', key: string, raw: string): HostileImage {
  const img = hostileImage();
  const config = where === 'config' ? withRawField(img.config, key, raw) : img.config;
  const m = JSON.parse(img.manifest.body) as { config: object };
  m.config = { ...m.config, digest: config.digest, size: config.size };
  const manifest = doc(m, OCI_MANIFEST);
  return { ...img, config, manifest: where === 'manifest' ? withRawField(manifest, key, raw) : manifest };
}
