/**
 * Keeps the CLI's peak memory flat while it streams a layer. Node allocates every downloaded
 * chunk twice outside the JS heap (the socket read, the HTTP parser's copy), and V8 only starts a
 * young-generation collection once some 32 MB of such dead buffers have built up: a 1 GiB copy
 * then peaks near 95 MB although the streams hold little. A minor collection every couple of
 * MiB keeps it near 65 MB for about 0.15 s of CPU per GiB.
 *
 * Only the CLI does this: it owns its process. The extension host is shared with other
 * extensions, and its flags are none of ours.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;

/** V8's gc(), from a context created while --expose-gc is briefly on; undefined where refused. */
function obtainGc(): Gc | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as Gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** A chunk counter that runs a minor collection every `everyBytes`; undefined without gc(). */
export function youngGcEvery(everyBytes: number): ((bytes: number) => void) | undefined {
  let gc: Gc | null | undefined;
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    if (gc === undefined) gc = obtainGc() ?? null;
    gc?.({ type: 'minor' });
  };
}
