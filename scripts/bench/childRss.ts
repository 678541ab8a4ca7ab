/**
 * Runs a program as a child process and measures what it cost: wall time, CPU time and peak RSS
 * (the kernel's maxrss, via GNU time when installed; else VmHWM sampled from /proc every 10 ms).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface ChildCost {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size, bytes. */
  peakRss: number;
  /** User + system CPU, ms (GNU time only). */
  cpuMs?: number;
  how: 'maxrss' | 'sampled';
}

const GNU_TIME = '/usr/bin/time';

export async function measureChild(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; tmpDir: string; timeoutMs: number }): Promise<ChildCost> {
  const gnu = existsSync(GNU_TIME);
  const report = join(opts.tmpDir, `time-${process.pid}-${Date.now()}.txt`);
  const [file, argv] = gnu ? [GNU_TIME, ['-f', '%M %U %S', '-o', report, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const child = spawn(file, argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let sampled = 0;
  const sampler = gnu
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (s) => (sampled = Math.max(sampled, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024)),
          () => undefined,
        );
      }, 10);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, signal) => resolve(c ?? (signal ? 128 : -1)));
  }).finally(() => {
    clearTimeout(timer);
    if (sampler) clearInterval(sampler);
  });
  const wallMs = performance.now() - t0;
  if (!gnu) return { code, stdout, stderr, wallMs, peakRss: sampled, how: 'sampled' };
  const [maxKiB, user, sys] = (await readFile(report, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  await rm(report, { force: true });
  return { code, stdout, stderr, wallMs, peakRss: maxKiB * 1024, cpuMs: (user + sys) * 1000, how: 'maxrss' };
}
