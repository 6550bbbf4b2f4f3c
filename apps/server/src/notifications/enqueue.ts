import type {
  NotificationDeliveryRecord,
  NotificationEndpointRecord,
  RunRecord,
  TransactionStores,
} from '@winnow/db';
import {
  MAX_LISTED_TAGS,
  runEventOf,
  type RunNotification,
  runNotification,
  TEST_EVENT,
  testNotification,
} from './payload';
import { slackRunMessage, slackTestMessage } from './slack';

/** The body an endpoint of `format` is sent for a run's event. */
function runBody(format: NotificationEndpointRecord['format'], event: RunNotification): string {
  return JSON.stringify(format === 'slack' ? slackRunMessage(event) : event);
}

/**
 * Queues a delivery of the finished run's event to every enabled endpoint that wants it, in the
 * caller's transaction (the one that records the run finished): the outbox. A crash loses
 * neither; sending happens later, in the dispatcher, so no endpoint can hold up or fail a run.
 */
export async function enqueueRunNotifications(
  stores: TransactionStores,
  run: RunRecord,
): Promise<number> {
  const event = runEventOf(run);
  if (event === null) return 0;
  const endpoints = await stores.notifications.subscribed({
    event,
    runId: run.id,
    scope: run.scope,
  });
  if (endpoints.length === 0) return 0;
  const policies = (await stores.runs.policies(run.id)) ?? [];
  const deleted = await stores.runs.listDecisions(run.id, {
    outcome: run.dryRun ? 'dry-run' : 'expired',
    limit: MAX_LISTED_TAGS + 1,
  });
  const payload = runNotification(run, event, policies, deleted.items);
  const queued = await stores.notifications.enqueue(
    endpoints.map((endpoint) => ({
      endpointId: endpoint.id,
      runId: run.id,
      event,
      payload: runBody(endpoint.format, payload),
    })),
  );
  return queued.length;
}

/** Queues a test delivery to `endpoint` (enabled or not: it is sent once it is enabled). */
export async function enqueueTestNotification(
  stores: TransactionStores,
  endpoint: NotificationEndpointRecord,
  now: Date,
): Promise<NotificationDeliveryRecord> {
  const body =
    endpoint.format === 'slack'
      ? slackTestMessage(endpoint.name)
      : testNotification(endpoint.name, now);
  const [queued] = await stores.notifications.enqueue([
    { endpointId: endpoint.id, runId: null, event: TEST_EVENT, payload: JSON.stringify(body) },
  ]);
  if (queued === undefined) throw new Error('the test delivery was not queued');
  return queued;
}
