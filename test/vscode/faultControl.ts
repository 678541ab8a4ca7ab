/**
 * The fault proxy of the VS Code fixtures runs beside the registries, in the runner; tests in the
 * extension host (and UI tests) program it over the fixtures' control endpoint:
 *   POST CONTROL/faults        a FaultRuleJson; rules apply in the order they were added
 *   POST CONTROL/faults/clear  drops every rule; the log stays (its entries carry `seq`)
 *   GET  CONTROL/faults/log    the proxy's request log (ProxyLogEntry[])
 * Both ends are here so the wire format has one definition.
 */
import type * as http from 'node:http';
import type { Fault, FaultProxy, FaultRule, ProxyLogEntry } from '../harness/faultProxy';

export type { Fault, ProxyLogEntry };

/** A FaultRule that survives JSON: `path` is a RegExp source, `times` may be 'always'. */
export interface FaultRuleJson {
  method?: string;
  path?: string;
  skip?: number;
  times?: number | 'always';
  fault: Fault;
}

function toRule(json: FaultRuleJson): FaultRule {
  if (!json || typeof json.fault?.kind !== 'string') throw new Error('a fault rule needs fault.kind');
  return {
    method: json.method,
    path: json.path === undefined ? undefined : new RegExp(json.path),
    skip: json.skip,
    times: json.times === 'always' ? Infinity : json.times,
    fault: json.fault,
  };
}

/** Serves the /faults routes; false when the request is not one of them. */
export function handleFaults(proxy: FaultProxy, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  if (req.method === 'GET' && path === '/faults/log') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(proxy.log));
  } else if (req.method === 'POST' && path === '/faults/clear') {
    req.resume();
    proxy.clearRules();
    res.writeHead(200).end('ok');
  } else if (req.method === 'POST' && path === '/faults') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        proxy.addRule(toRule(JSON.parse(Buffer.concat(chunks).toString('utf8')) as FaultRuleJson));
        res.writeHead(200).end('ok');
      } catch (e) {
        res.writeHead(400).end(String((e as Error)?.message ?? e));
      }
    });
  } else {
    return false;
  }
  return true;
}

/** The test side: what a suite calls, with the control URL from IMAGE_REBASE_TEST_CONTROL. */
export function faultControl(control: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<string> => {
    const res = await fetch(`${control}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text;
  };
  return {
    add: async (rule: FaultRuleJson): Promise<void> => void (await call('POST', '/faults', rule)),
    clear: async (): Promise<void> => void (await call('POST', '/faults/clear')),
    log: async (): Promise<ProxyLogEntry[]> => JSON.parse(await call('GET', '/faults/log')) as ProxyLogEntry[],
  };
}
