import type { TagUpstreamCheck } from '@winnow/db';
import type { TagDecision } from '@winnow/engine';
import { guardStaleness } from './run-rules';
import { proxyCacheRules } from './settings';

const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 11, 20));
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const rules = proxyCacheRules({
  upstream: { url: 'https://upstream.example' },
  cacheTtl: '2d',
  stalenessPeriod: '7d',
});

const record = (tag: string, digest: string, decision: 'keep' | 'delete'): TagDecision => ({
  repository: 'mirror/app',
  tag,
  digest,
  decision,
  stage: decision === 'delete' ? 'rule' : 'default',
  scope: decision === 'delete' ? 'namespace' : null,
  policy: decision === 'delete' ? 'proxy-cache' : null,
  rule: decision === 'delete' ? 'cache-ttl' : null,
  reason: 'older than 2d by pulled',
});
const check = (checkedDaysAgo: number | null, pushedDaysAgo = 30): TagUpstreamCheck => ({
  pushedAt: ago(pushedDaysAgo),
  upstreamCheckedAt: checkedDaysAgo === null ? null : ago(checkedDaysAgo),
  upstreamStale: false,
});

describe('guardStaleness', () => {
  if (rules === undefined) throw new Error('the test settings are valid');
  const upstream = { status: 'down' as const, checkedAt: ago(0), error: 'connection refused' };
  const checks = new Map([
    ['recent', check(3)],
    ['old', check(10)],
    ['unchecked-new', check(null, 1)],
    ['unchecked-old', check(null, 30)],
    ['twin', check(10)],
  ]);
  const decisions = [
    record('recent', 'sha256:a', 'delete'),
    record('old', 'sha256:b', 'delete'),
    record('unchecked-new', 'sha256:c', 'delete'),
    record('unchecked-old', 'sha256:d', 'delete'),
    record('twin', 'sha256:a', 'delete'),
  ];

  it.each([
    ['recent', 'keep', /last upstream check 3d ago, within the staleness period 7d/],
    ['old', 'delete', /older than 2d/],
    ['unchecked-new', 'keep', /pushed \(never checked\) 1d ago/],
    ['unchecked-old', 'delete', /older than 2d/],
    ['twin', 'keep', /shares its digest with kept tag "recent"/],
  ])('%s: %s', (tag, decision, reason) => {
    const guarded = guardStaleness(decisions, { checks, upstream, rules, now: NOW });
    const found = guarded.find((d) => d.tag === tag);
    expect(found?.decision).toBe(decision);
    expect(found?.reason).toMatch(reason);
    if (decision === 'keep')
      expect(found).toMatchObject({
        stage: 'guard',
        policy: 'proxy-cache',
        rule: 'upstream-staleness',
      });
  });

  it('gives the same result whatever the order of the records', () => {
    const forward = guardStaleness(decisions, { checks, upstream, rules, now: NOW });
    const backward = guardStaleness([...decisions].reverse(), {
      checks,
      upstream,
      rules,
      now: NOW,
    });
    expect([...backward].reverse()).toEqual(forward);
  });
});
