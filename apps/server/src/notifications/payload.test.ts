import type { RunDecision, RunRecord } from '@winnow/db';
import { MAX_LISTED_TAGS, runEventOf, runNotification } from './payload';
import { retryAfterMs } from './send';
import { signDelivery } from './signature';
import { slackRunMessage } from './slack';

const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  id: 7,
  scope: { level: 'repository', namespace: 'acme', repository: 'web' },
  dryRun: false,
  trigger: 'api',
  triggeredBy: 'alice',
  status: 'succeeded',
  now: new Date('2026-12-01T00:00:00Z'),
  cancelRequested: false,
  createdAt: new Date('2026-12-01T00:00:00Z'),
  startedAt: new Date('2026-12-01T00:00:02Z'),
  finishedAt: new Date('2026-12-01T00:00:05.500Z'),
  counts: {
    repositories: 1,
    errors: 0,
    blockedRepositories: 0,
    evaluated: 1500,
    kept: 300,
    expired: 1200,
    dryRun: 0,
    skippedImmutable: 0,
    blocked: 0,
    repushed: 0,
    missing: 0,
    untagged: 0,
  },
  tasks: { queued: 0, running: 0, done: 1, failed: 0, cancelled: 0 },
  ...overrides,
});

const expired = (count: number, tag = (i: number) => `t${i}`): RunDecision[] =>
  Array.from({ length: count }, (_, i) => ({
    repository: 'acme/web',
    tag: tag(i),
    digest: `sha256:${String(i).padStart(64, '0')}`,
    decision: 'delete',
    stage: 'rule',
    scope: 'repository',
    policy: 'acme/web',
    rule: 'old',
    reason: 'older than 30d',
    outcome: 'expired',
  }));

describe('run notifications', () => {
  it('names the event after the final status, none for a run still going', () => {
    expect(runEventOf(run({ status: 'partial' }))).toBe('run.partial');
    expect(runEventOf(run({ status: 'cancelled' }))).toBe('run.cancelled');
    expect(runEventOf(run({ status: 'running' }))).toBeNull();
  });

  it('lists the first 1000 deleted tags and says when there were more', () => {
    const cut = runNotification(run(), 'run.succeeded', [], expired(MAX_LISTED_TAGS + 1));
    expect(cut.event_data.retention.deleted_artifacts).toHaveLength(MAX_LISTED_TAGS);
    expect(cut.event_data.retention.deleted_artifacts_truncated).toBe(true);
    const whole = runNotification(run(), 'run.succeeded', [], expired(MAX_LISTED_TAGS));
    expect(whole.event_data.retention.deleted_artifacts).toHaveLength(MAX_LISTED_TAGS);
    expect(whole.event_data.retention.deleted_artifacts_truncated).toBe(false);
    expect(whole.occur_at).toBe(Date.parse('2026-12-01T00:00:05Z') / 1000);
    expect(whole.event_data.run.duration_seconds).toBe(3.5);
    expect(whole.event_data.run.scope).toEqual({
      level: 'repository',
      namespace: 'acme',
      repository: 'web',
    });
  });

  it('summarises a run for Slack within its limits, escaping mrkdwn', () => {
    const event = runNotification(
      run({ dryRun: true, counts: { ...run().counts, expired: 0, dryRun: 15 } }),
      'run.succeeded',
      [],
      expired(15, (i) => (i === 0 ? '<!channel>&' : `t${i}`)),
    );
    const message = slackRunMessage(event);
    expect(message.text).toBe(
      'Winnow run 7 succeeded (dry run): repository acme/web, 1500 tags evaluated, 300 kept, 15 would expire, 0 repositories failed',
    );
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('acme/web:&lt;!channel&gt;&amp;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('t9');
    expect(text).not.toContain('t10`');
    expect(text).toContain('…and 5 more');
  });
});

describe('delivery details', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('signs the timestamp and the body with HMAC-SHA256', () => {
    // Reference value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signDelivery('secret', 1_700_000_000, '{"a":1}')).toBe(
      'sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
  });
});
