import { once } from 'node:events';
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

/** What the proxy does to a request instead of (or besides) forwarding it. */
export type Fault =
  /** Answers this status itself, with a `Retry-After` header if given. */
  | { readonly status: number; readonly retryAfter?: string }
  /** Closes the connection without an answer: before forwarding, or after the target answered. */
  | { readonly reset: true; readonly afterForward?: boolean }
  /** Waits this long, then forwards. */
  | { readonly delayMs: number };

export interface FaultMatch {
  readonly method?: string;
  readonly path?: RegExp;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
  readonly fault: Fault | null;
  /**
   * The status the client was answered (the injected one or the target's); null while no answer
   * has been sent, and for good when the connection closed first (a reset, or a client that went
   * away: whether the target acted on the request is then unknown).
   */
  readonly status: number | null;
}

type Seen = { -readonly [K in keyof SeenRequest]: SeenRequest[K] };

interface Rule {
  remaining: number;
  readonly fault: Fault;
  readonly match: FaultMatch;
}

export interface FaultProxy {
  readonly url: string;
  /** The next `times` requests that match (all by default) get `fault`; rules apply in order. */
  fail(times: number, fault: Fault, match?: FaultMatch): void;
  /** Every request so far, in arrival order. */
  readonly requests: readonly SeenRequest[];
  /** The most requests in flight at once so far. */
  readonly maxInFlight: number;
  /** Forgets the rules, the requests and the in-flight maximum. */
  reset(): void;
  stop(): Promise<void>;
}

/** An HTTP proxy on loopback (on `port`, any free one by default) in front of `target`. */
export async function startFaultProxy(target: string, port = 0): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rules: Rule[] = [];
  let requests: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const pick = (request: IncomingMessage): Fault | null => {
    const rule = rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.match.method === undefined || r.match.method === request.method) &&
        (r.match.path === undefined || r.match.path.test(request.url ?? '')),
    );
    if (rule === undefined) return null;
    rule.remaining -= 1;
    return rule.fault;
  };

  const pass = (
    request: IncomingMessage,
    response: ServerResponse,
    seen: Seen,
    resetAfter: boolean,
  ) => {
    const outgoing = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        // The client's Host stays: the registry builds upload `Location`s from it, so that the
        // PUT of an upload comes through the proxy too.
        headers: request.headers,
      },
      (answer) => {
        if (resetAfter) {
          answer.resume();
          answer.on('end', () => request.socket.destroy());
          return;
        }
        seen.status = answer.statusCode ?? 502;
        response.writeHead(seen.status, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => response.destroy());
    response.on('close', () => outgoing.destroy());
    request.pipe(outgoing);
  };

  const server = createServer((request, response) => {
    const fault = pick(request);
    const seen: Seen = {
      method: request.method ?? '',
      path: request.url ?? '',
      at: Date.now(),
      fault,
      status: null,
    };
    requests.push(seen);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => (inFlight -= 1));
    if (fault === null) {
      pass(request, response, seen, false);
      return;
    }
    if ('status' in fault) {
      request.resume();
      seen.status = fault.status;
      response.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.retryAfter !== undefined && { 'retry-after': fault.retryAfter }),
      });
      response.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected' }] }));
    } else if ('reset' in fault) {
      if (fault.afterForward === true) {
        pass(request, response, seen, true);
        return;
      }
      request.socket.destroy();
    } else {
      const timer = setTimeout(() => {
        pass(request, response, seen, false);
      }, fault.delayMs);
      response.on('close', () => {
        clearTimeout(timer);
      });
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    fail: (times, fault, match = {}) => void rules.push({ remaining: times, fault, match }),
    get requests() {
      return requests;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    reset: () => {
      rules = [];
      requests = [];
      maxInFlight = inFlight;
    },
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
