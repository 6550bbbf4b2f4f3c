import { createHmac } from 'node:crypto';

/** The headers a delivery carries; receivers read them by these names. */
export const DeliveryHeader = {
  signature: 'x-winnow-signature',
  timestamp: 'x-winnow-timestamp',
  delivery: 'x-winnow-delivery',
  event: 'x-winnow-event',
} as const;

/**
 * `sha256=<hex>`: HMAC-SHA256 with the endpoint's secret over `<timestamp>.<body>`, the timestamp
 * in Unix seconds as sent in X-Winnow-Timestamp. Signing the timestamp lets receivers refuse
 * replays of old deliveries (docs/notifications.md).
 */
export function signDelivery(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
