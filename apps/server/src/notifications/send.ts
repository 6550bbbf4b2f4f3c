import type { ClaimedDelivery } from '@winnow/db';
import { DeliveryHeader, signDelivery } from './signature';

/** What one POST to an endpoint came to. */
export type AttemptResult =
  | { readonly kind: 'delivered'; readonly statusCode: number }
  | {
      readonly kind: 'retryable';
      readonly statusCode: number | null;
      readonly error: string;
      /** The endpoint's Retry-After (429, 503), in milliseconds. */
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'permanent'; readonly statusCode: number; readonly error: string };

/** Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if neither. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** How a response is taken: 2xx sent; 408, 429 and 5xx worth another try; the rest final. */
function resultOf(response: Response, now: Date): AttemptResult {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered', statusCode: status };
  const error = `HTTP ${status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
  if (status === 408 || status === 429 || status >= 500) {
    const after =
      status === 429 || status === 503
        ? retryAfterMs(response.headers.get('retry-after'), now)
        : undefined;
    return {
      kind: 'retryable',
      statusCode: status,
      error,
      ...(after !== undefined && { retryAfterMs: after }),
    };
  }
  // Redirects are not followed (a webhook URL that moved is a configuration to fix).
  return { kind: 'permanent', statusCode: status, error };
}

/** Why a request got no response, without the URL (a Slack URL is a credential). */
function networkError(error: unknown, timeoutMs: number): string {
  if ((error as { name?: unknown }).name === 'TimeoutError') {
    return `no response within ${timeoutMs / 1000} s`;
  }
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? `connection failed: ${code}` : 'connection failed';
}

/**
 * POSTs the delivery's payload to its endpoint, signed when `secret` is given, within
 * `timeoutMs`. Never throws for what the endpoint or the network does.
 */
export async function sendDelivery(
  delivery: ClaimedDelivery,
  secret: string | null,
  { timeoutMs, now }: { timeoutMs: number; now: Date },
): Promise<AttemptResult> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Winnow-Notifications/1',
    [DeliveryHeader.timestamp]: String(timestamp),
    [DeliveryHeader.delivery]: String(delivery.id),
    [DeliveryHeader.event]: delivery.event,
    ...(secret !== null && {
      [DeliveryHeader.signature]: signDelivery(secret, timestamp, delivery.payload),
    }),
  };
  let response: Response;
  try {
    response = await fetch(delivery.endpoint.url, {
      method: 'POST',
      headers,
      body: delivery.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { kind: 'retryable', statusCode: null, error: networkError(error, timeoutMs) };
  }
  // The body is not read: only the status matters; cancelling frees the connection.
  await response.body?.cancel().catch(() => undefined);
  return resultOf(response, now);
}
