import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { captureOutput, makeTempDir, removeTempDir, run, sleep, spawnDaemon, stopDaemon } from './tools';

export interface PullOptions {
  /** Talk plain HTTP to the registry (our test registries have no TLS). Default true. */
  plainHttp?: boolean;
  /** "linux/arm64" etc.; default is the host platform. */
  platform?: string;
  /** "user:password" */
  creds?: string;
}

export interface PulledImage {
  /** Directory holding the unpacked files of the whole layer chain (the top native snapshot). */
  rootfs: string;
  /** Contents of a file in the image as UTF-8, or undefined if absent. */
  readFile(p: string): string | undefined;
  exists(p: string): boolean;
  /** ctr's stdout from the pull (progress lines; `--print-chainid` output). */
  output: string;
  cleanup(): Promise<void>;
}

// Plugins that would only add noise or fail here: no CRI, no kernel snapshotters, nothing that
// writes outside our temp dir (opt installs into /opt/containerd).
const DISABLED_PLUGINS = [
  'io.containerd.grpc.v1.cri',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.overlayfs',
  'io.containerd.internal.v1.opt',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
];

/**
 * Pulls an image with a real containerd and unpacks it, which is the check that matters for a
 * rebased image: containerd recomputes every layer's diff_id on extraction and fails with "wrong
 * diff id calculated on extraction" if the config disagrees. A fresh containerd root each call,
 * because containerd skips extraction (and so the check) for layer chains it already holds.
 */
export async function pullAndUnpack(ref: string, opts: PullOptions = {}): Promise<PulledImage> {
  const dir = makeTempDir('containerd');
  const root = join(dir, 'root');
  const socket = join(dir, 'c.sock');
  const configPath = join(dir, 'config.toml');
  await writeFile(
    configPath,
    [
      'version = 2',
      `root = ${JSON.stringify(root)}`,
      `state = ${JSON.stringify(join(dir, 'state'))}`,
      `temp = ${JSON.stringify(join(dir, 'tmp'))}`,
      `disabled_plugins = ${JSON.stringify(DISABLED_PLUGINS)}`,
      '[grpc]',
      `  address = ${JSON.stringify(socket)}`,
      '[ttrpc]',
      `  address = ${JSON.stringify(socket + '.ttrpc')}`,
      '[debug]',
      '  level = "error"',
      '',
    ].join('\n'),
  );

  const proc = spawnDaemon('containerd', ['--config', configPath]);
  const daemonOutput = captureOutput(proc);
  const cleanup = async () => {
    await stopDaemon(proc);
    await removeTempDir(dir);
  };

  try {
    await waitForSocket(socket, proc, daemonOutput);
    const args = ['-a', socket, 'images', 'pull', '--snapshotter', 'native', '--print-chainid'];
    if (opts.plainHttp ?? true) args.push('--plain-http');
    if (opts.platform) args.push('--platform', opts.platform);
    if (opts.creds) args.push('--user', opts.creds);
    args.push(ref);
    let output: string;
    try {
      output = (await run('ctr', args, { timeoutMs: 60000 })).stdout;
    } catch (err) {
      // ctr's stderr is in the message (run() puts it there); add the daemon's side too.
      const e = err as Error;
      e.message += daemonOutput().trim() ? `\ncontainerd: ${daemonOutput().trim()}` : '';
      throw e;
    }
    const rootfs = topSnapshot(root);
    const resolve = (p: string) => join(rootfs, p.replace(/^\/+/, ''));
    return {
      rootfs,
      output,
      readFile(p) {
        const f = resolve(p);
        return existsSync(f) && statSync(f).isFile() ? readFileSync(f, 'utf8') : undefined;
      },
      exists(p) {
        // lstat semantics: a dangling symlink in the image still "exists".
        try {
          readlinkOrStat(resolve(p));
          return true;
        } catch {
          return false;
        }
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function readlinkOrStat(p: string): void {
  // statSync follows links; lstat is what we want for "present in the image".
  lstatSync(p);
}

/**
 * The native snapshotter keeps a full copy of the chain in each snapshot directory, numbered in
 * creation order, so the highest number is the top of the chain after a pull.
 */
function topSnapshot(root: string): string {
  const snapDir = join(root, 'io.containerd.snapshotter.v1.native', 'snapshots');
  const ids = existsSync(snapDir)
    ? readdirSync(snapDir)
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
    : [];
  if (ids.length === 0) throw new Error(`no native snapshot after pull (looked in ${snapDir})`);
  return join(snapDir, String(Math.max(...ids)));
}

async function waitForSocket(socket: string, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`containerd exited during start (${proc.exitCode ?? proc.signalCode}):\n${output()}`);
    }
    if (existsSync(socket)) {
      // The socket file appears before all services are registered; ask the daemon itself.
      const r = await run('ctr', ['-a', socket, 'version'], { allowFailure: true, timeoutMs: 5000 }).catch(() => undefined);
      if (r && r.code === 0) return;
    }
    await sleep(50);
  }
  throw new Error(`containerd did not come up on ${socket} within 15 s:\n${output()}`);
}
