import { main } from '../../src/cli/main';
import { fetchManifest } from './rawRegistry';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the CLI in this process, collecting what it prints. */
export async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

/** The digest a tag points to, read straight from the registry; undefined when it has none. */
export async function tagDigest(host: string, repo: string, tag: string): Promise<string | undefined> {
  try {
    return (await fetchManifest(host, repo, tag)).digest;
  } catch {
    return undefined;
  }
}
