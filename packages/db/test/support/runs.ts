import type { InventoryRepository, TagDecision } from '@winnow/engine';

import type { Database, NewRun } from '../../src';

/** A clock the test moves by hand: leases and restore windows without sleeping. */
export interface TestClock {
  (): Date;
  advance(ms: number): void;
  set(iso: string): void;
}

export function testClock(iso: string): TestClock {
  let now = Date.parse(iso);
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (value) => {
    now = Date.parse(value);
  };
  return clock;
}

export const digest = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** A repository whose tags are `name → digest number`; `immutable` names are immutable. */
export function repository(
  path: string,
  tags: Record<string, number>,
  immutable: readonly string[] = [],
): InventoryRepository {
  const slash = path.indexOf('/');
  return {
    namespace: path.slice(0, slash),
    name: path.slice(slash + 1),
    tags: Object.entries(tags).map(([name, n]) => ({
      name,
      digest: digest(n),
      immutable: immutable.includes(name),
    })),
  };
}

/** A decision record as the engine makes it (the fields the store reads; the rest plausible). */
export function decide(
  repository: string,
  tag: string | null,
  digestNumber: number,
  decision: TagDecision['decision'],
  stage: TagDecision['stage'] = 'rule',
): TagDecision {
  const byRule = stage === 'rule';
  return {
    repository,
    tag,
    digest: digest(digestNumber),
    decision,
    stage,
    scope: byRule ? 'repository' : null,
    policy: byRule ? repository : null,
    rule: byRule ? 'old' : null,
    reason: `${decision} by ${stage}`,
  };
}

export const runOf = (scope: NewRun['scope'], overrides: Partial<NewRun> = {}): NewRun => ({
  scope,
  dryRun: false,
  trigger: 'api',
  triggeredBy: 'alice',
  now: new Date('2026-06-01T00:00:00.000Z'),
  ...overrides,
});

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** Expires `tags` of `path` (pointing at `digests`) through a run of its own, as a worker would. */
export async function expireTags(
  db: Database,
  path: string,
  tags: Record<string, number>,
): Promise<number> {
  const slash = path.indexOf('/');
  const run = await db.runs.create(
    runOf({
      level: 'repository',
      namespace: path.slice(0, slash),
      repository: path.slice(slash + 1),
    }),
  );
  const [task] = await db.runs.claimTasks({ owner: 'expirer', limit: 1, leaseMs: MINUTE });
  if (task === undefined) throw new Error('nothing claimed');
  const decisions = Object.entries(tags).map(([tag, n]) => decide(path, tag, n, 'delete'));
  await db.runs.applyTask(task.id, { owner: 'expirer', decisions });
  await db.runs.finish(run.id);
  return run.id;
}
