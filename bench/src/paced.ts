import { Agent, request as httpRequest } from 'node:http';
import { Random } from './random';

/**
 * An open-loop load generator: requests arrive at a fixed average rate whether or not earlier
 * ones were answered, as requests from many independent clients do, and each one's latency is
 * counted from the moment it was due, not from the moment the client got round to sending it.
 *
 * Why not autocannon's `overallRate`: each autocannon connection sends as fast as it can until it
 * has used its quota for the second, then waits for the next second (`reqsMadeThisSecond` in its
 * lib/httpClient.js). Every connection starts its second at the same moment, so "200 requests a
 * second" arrives as a burst of 200 at the start of each second, and the latency it reports is
 * mostly that burst queueing. Arrivals here are a Poisson process (exponential gaps from a
 * seeded generator): the usual model of many independent clients, burstier than an even spacing
 * and far less than a burst per second.
 */
export interface PacedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

export interface PacedOptions {
  /** `http://host:port`, loopback. */
  readonly url: string;
  /** Requests per second, on average. */
  readonly rate: number;
  readonly durationSeconds: number;
  readonly seed: number;
  /** A fresh request for each arrival. */
  readonly request: (random: Random) => PacedRequest;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Keep-alive connections at most; an arrival finding all busy waits for one (and that counts). */
  readonly maxSockets: number;
}

export interface PacedResult {
  /** Milliseconds from each request's due time to the end of its response. */
  readonly samples: number[];
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** Runs one arrival process for `durationSeconds` and waits for the last answer. */
export async function paced(options: PacedOptions): Promise<PacedResult> {
  const random = new Random(options.seed);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const target = new URL(options.url);
  const result = { samples: [] as number[], non2xx: 0, errors: 0, timeouts: 0 };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const end = start + options.durationSeconds * 1000;
  // Exponential gaps with mean 1/rate: a Poisson process of the given rate.
  const gap = () => (-Math.log(1 - random.next()) * 1000) / options.rate;
  let due = start + gap();
  try {
    while (due < end) {
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      // Everything due by now is sent now, each timed from its own due time.
      while (due <= performance.now() && due < end) {
        pending.push(send(agent, target, options, random, due, result));
        due += gap();
      }
    }
    await Promise.all(pending);
  } finally {
    agent.destroy();
  }
  return result;
}

function send(
  agent: Agent,
  target: URL,
  options: PacedOptions,
  random: Random,
  due: number,
  result: { samples: number[]; non2xx: number; errors: number; timeouts: number },
): Promise<void> {
  const { method, path, body } = options.request(random);
  return new Promise<void>((resolve) => {
    let timedOut = false;
    const request = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          ...options.headers,
          ...(body !== undefined && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          }),
        },
        timeout: options.timeoutMs,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          result.samples.push(performance.now() - due);
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) result.non2xx += 1;
          resolve();
        });
        response.on('error', () => {
          result.errors += 1;
          resolve();
        });
      },
    );
    request.on('timeout', () => {
      timedOut = true;
      result.timeouts += 1;
      request.destroy(new Error('timeout'));
    });
    request.on('error', () => {
      // A timeout destroys the request with an error too: counted once, as a timeout.
      if (!timedOut) result.errors += 1;
      resolve();
    });
    request.end(body);
  });
}
