import * as http from 'node:http';
import { answer, cutBody, passThrough, reset, trickle, type Exchange } from './faultResponses';
import { listenLoopback } from './loopbackServer';

/**
 * What the proxy does to one request instead of (or on top of) passing it on. Each kind is a way
 * real networks and registries fail: the client under test must survive all of them.
 */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string } // answered here, not forwarded
  | { kind: 'reset' } // RST before anything is forwarded
  | { kind: 'drop-after-forward' } // the registry gets and answers the whole request; the client gets an RST
  | { kind: 'drop-mid-body'; afterBytes?: number } // head + first bytes (default half, at least 1), then RST
  | { kind: 'truncate'; afterBytes?: number } // the same with a clean FIN: only Content-Length tells
  | { kind: 'stall' } // read, never answered (until stop())
  | { kind: 'trickle'; intervalMs?: number } // one body byte per interval (default 1000 ms)
  | { kind: 'delay'; ms: number } // forwarded after a delay
  | { kind: 'hold-answer'; ms: number } // forwarded at once; the registry's answer is held back this long
  | { kind: 'redirect'; to: string; status?: number }; // 307 (or status), Location: `to` + path and query

export interface FaultRule {
  method?: string;
  path?: RegExp; // tested against path + query
  /** Matching requests let through (untouched by this rule) before it starts to apply. */
  skip?: number;
  /** How many requests it applies to; default 1, Infinity allowed. */
  times?: number;
  fault: Fault;
}

export interface RandomFaults {
  /** Probability, 0..1, that a request gets a fault. */
  rate: number;
  seed: number;
  faults: Fault[];
  /** Only requests that match these are candidates (and only they consume random numbers). */
  method?: string;
  path?: RegExp;
}

export interface ProxyLogEntry {
  seq: number;
  method: string;
  path: string; // path + query
  authorization: boolean;
  fault?: string; // the kind of fault applied
  status?: number; // the status line the client was sent, if it was sent one
  /** What the registry answered, when the request reached it (so drop-after-forward shows 201 here, no status). */
  upstreamStatus?: number;
}

export interface FaultProxy {
  host: string; // "127.0.0.1:PORT"
  url: string; // "http://127.0.0.1:PORT"
  log: ProxyLogEntry[];
  addRule(rule: FaultRule): void;
  clearRules(): void;
  /** Seeded, so a schedule of faults is reproducible from its seed; undefined turns it off. */
  setRandom(opts: RandomFaults | undefined): void;
  stop(): Promise<void>;
}

type RuleState = { rule: FaultRule; seen: number; applied: number };

/** The proxy's own view of an exchange: the full log entry, not only the status line. */
interface ProxyExchange extends Exchange {
  entry: ProxyLogEntry;
}

/** mulberry32: tiny, seedable, and good enough to scatter faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(method: string | undefined, path: RegExp | undefined, req: http.IncomingMessage): boolean {
  if (method && method.toUpperCase() !== req.method) return false;
  if (!path) return true;
  path.lastIndex = 0; // a /g or /y regex would otherwise remember the previous request
  return path.test(req.url ?? '');
}

/**
 * A plain HTTP proxy in front of a registry that injects faults by rule or at random. The Host
 * header is passed through, so upload Locations the registry builds point back at the proxy.
 * Bodies are streamed both ways: layers can be big.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const rules: RuleState[] = [];
  const log: ProxyLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const upstreams = new Set<http.ClientRequest>();
  let random: { opts: RandomFaults; next: () => number } | undefined;
  let seq = 0;

  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const pickFault = (req: http.IncomingMessage): Fault | undefined => {
    for (const st of rules) {
      if (!matches(st.rule.method, st.rule.path, req)) continue;
      st.seen++;
      if (st.seen <= (st.rule.skip ?? 0)) continue;
      if (st.applied >= (st.rule.times ?? 1)) continue;
      st.applied++;
      return st.rule.fault;
    }
    if (!random || !matches(random.opts.method, random.opts.path, req)) return undefined;
    // Two draws per candidate request, always, so one request's outcome never shifts the next's.
    const hit = random.next() < random.opts.rate;
    const which = Math.floor(random.next() * random.opts.faults.length);
    return hit ? random.opts.faults[which] : undefined;
  };

  /** Sends the request upstream; `onResponse` decides what the client gets. */
  const forward = (ex: ProxyExchange, onResponse: (upRes: http.IncomingMessage) => void): void => {
    const { req, res, entry } = ex;
    const up = http.request(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers, agent },
      (upRes) => {
        entry.upstreamStatus = upRes.statusCode;
        upRes.on('close', () => upstreams.delete(up));
        onResponse(upRes);
      },
    );
    upstreams.add(up);
    up.on('error', (err) => {
      upstreams.delete(up);
      if (res.headersSent) return void ex.socket.destroy();
      answer(ex, 502, { 'content-type': 'text/plain' }, `fault proxy: upstream failed: ${err.message}`);
    });
    // A client that goes away must not leave a half-done request holding an upstream socket.
    res.on('close', () => {
      if (!res.writableFinished && upstreams.has(up)) {
        upstreams.delete(up);
        up.destroy();
      }
    });
    req.pipe(up);
  };

  const apply = (ex: ProxyExchange, fault: Fault | undefined): void => {
    if (!fault) return forward(ex, (upRes) => passThrough(ex, upRes));
    ex.entry.fault = fault.kind;
    switch (fault.kind) {
      case 'status':
        return answer(ex, fault.status, fault.headers ?? {}, fault.body);
      case 'reset':
        return reset(ex.socket);
      case 'drop-after-forward':
        return forward(ex, (upRes) => {
          upRes.on('end', () => reset(ex.socket)).on('error', () => reset(ex.socket)).resume();
        });
      case 'drop-mid-body':
        return forward(ex, (upRes) => cutBody(ex, upRes, fault.afterBytes, 'rst'));
      case 'truncate':
        return forward(ex, (upRes) => cutBody(ex, upRes, fault.afterBytes, 'fin'));
      case 'stall':
        ex.req.resume();
        return;
      case 'trickle':
        return forward(ex, (upRes) => trickle(ex, upRes, fault.intervalMs ?? 1000));
      case 'delay':
        // A client that gave up meanwhile must not still reach the registry.
        return later(() => ex.socket.destroyed || forward(ex, (upRes) => passThrough(ex, upRes)), fault.ms);
      case 'hold-answer':
        return forward(ex, (upRes) => later(() => ex.socket.destroyed || passThrough(ex, upRes), fault.ms));
      case 'redirect': {
        const location = fault.to.replace(/\/+$/, '') + (ex.req.url ?? '/');
        return answer(ex, fault.status ?? 307, { location, 'content-length': '0' });
      }
    }
  };

  const server = http.createServer((req, res) => {
    const entry: ProxyLogEntry = { seq: ++seq, method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization !== undefined };
    log.push(entry);
    apply({ req, res, socket: req.socket, entry, later }, pickFault(req));
  });
  const listening = await listenLoopback(server);

  return {
    host: listening.host,
    url: listening.url,
    log,
    addRule: (rule) => void rules.push({ rule, seen: 0, applied: 0 }),
    clearRules: () => void rules.splice(0),
    setRandom(opts) {
      random = opts && { opts, next: seededRandom(opts.seed) };
    },
    async stop() {
      timers.forEach(clearTimeout);
      timers.clear();
      upstreams.forEach((u) => u.destroy());
      upstreams.clear();
      await listening.close();
      agent.destroy();
    },
  };
}
