import { painterFor } from './colour';
import { runFrame, type RunJson, runProgressLine, runSummary } from './run-view';

const counts = {
  evaluated: 0,
  kept: 0,
  expired: 0,
  dryRun: 0,
  skippedImmutable: 0,
  blocked: 0,
  repushed: 0,
  missing: 0,
  untagged: 0,
  repositories: 10,
  errors: 0,
  blockedRepositories: 0,
};
const tasks = { queued: 10, running: 0, done: 0, failed: 0, cancelled: 0 };

const run = (over: Partial<RunJson> = {}): RunJson => ({
  id: 7,
  scope: { level: 'namespace', namespace: 'acme' },
  dryRun: false,
  trigger: 'api',
  triggeredBy: 'api',
  status: 'queued',
  now: '2026-11-01T00:00:00.000Z',
  cancelRequested: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  counts,
  tasks,
  ...over,
});

describe('runProgressLine', () => {
  it('says a run no worker has taken waits for one', () => {
    expect(runProgressLine(run())).toBe('waiting for a worker');
  });

  it('counts the repositories that ended, whatever their end, with what was expired', () => {
    const running = run({
      status: 'running',
      counts: { ...counts, kept: 30, expired: 12, blockedRepositories: 1 },
      tasks: { queued: 5, running: 1, done: 2, failed: 1, cancelled: 1 },
    });
    expect(runProgressLine(running)).toBe(
      'repositories 4/10 [####......] 40% · expired 12 · kept 30 · failed 1 · blocked 1',
    );
    expect(runProgressLine(running, { deleted: 2, absent: 1, skipped: 0, failed: 0 })).toMatch(
      / · registry deletions 3$/,
    );
    expect(runFrame(running)).toMatchObject({ label: 'run 7', status: 'running' });
  });

  it('says what a dry run would expire', () => {
    const dry = run({
      status: 'running',
      dryRun: true,
      counts: { ...counts, dryRun: 5, expired: 0 },
    });
    expect(runProgressLine(dry)).toContain(' · would expire 5 · ');
  });
});

describe('runSummary', () => {
  it('names the scope, the status, the time taken and what was left alone at apply time', () => {
    const lines = runSummary(
      run({
        status: 'succeeded',
        startedAt: '2026-11-01T00:00:01.000Z',
        finishedAt: '2026-11-01T00:00:04.250Z',
        counts: { ...counts, evaluated: 40, kept: 30, expired: 9, skippedImmutable: 1 },
        tasks: { ...tasks, queued: 0, done: 10 },
      }),
      painterFor({ isTTY: false }, {}),
      { deleted: 3, absent: 0, skipped: 1, failed: 0 },
    );
    expect(lines).toEqual([
      'run 7 of namespace acme: succeeded in 3.3s',
      '  repositories 10 of 10 (0 failed, 0 cancelled) · records 40 · kept 30 · expired 9 · blocked repositories 0',
      '  left alone at apply time: 1 immutable, 0 re-pushed, 0 missing',
      '  registry deletions so far: 3 deleted, 0 absent, 1 skipped, 0 failed (winnow deletions --run 7)',
    ]);
  });
});
