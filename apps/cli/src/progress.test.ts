import { PassThrough } from 'node:stream';
import { progressBar, ProgressReporter } from './progress';
import { progressLine, syncFrame, type SyncJson } from './sync';

const sync = (
  status: SyncJson['status'],
  done: number,
  extra: Partial<SyncJson['progress']> = {},
): SyncJson => ({
  id: 7,
  registry: 'hub',
  status,
  startedAt: null,
  finishedAt: null,
  progress: {
    repositoriesTotal: 20,
    repositoriesDone: done,
    repositoriesFailed: 0,
    tags: done * 10,
    manifestsFetched: done * 2,
    manifestsUnchanged: done,
    ...extra,
  },
});

/** A reporter writing into a string, with a clock the test moves. */
function reporter(tty: boolean, columns?: number) {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  let now = 0;
  const progress = new ProgressReporter(stream, {
    tty,
    ...(columns !== undefined && { columns }),
    interval: 2000,
    clock: () => now,
  });
  return {
    progress,
    written: () => written,
    advance: (ms: number) => (now += ms),
  };
}

describe('progressBar', () => {
  it.each([
    [0, 20, '[..........]'],
    [9, 20, '[####......]'],
    [19, 20, '[#########.]'],
    [20, 20, '[##########]'],
    [0, 0, '[..........]'],
  ])('%i of %i is %s', (done, total, bar) => {
    expect(progressBar(done, total)).toBe(bar);
  });
});

describe('progressLine', () => {
  it('says repositories done of total, the bar, the percentage and the counts', () => {
    expect(progressLine(sync('running', 9))).toBe(
      'repositories 9/20 [####......] 45% · tags 90 · fetched 18 · unchanged 9',
    );
  });

  it('adds the failed repositories when there are some', () => {
    expect(progressLine(sync('running', 9, { repositoriesFailed: 2 }))).toMatch(/ · failed 2$/);
  });

  it('says a queued sync waits for a worker', () => {
    expect(progressLine(sync('queued', 0))).toBe('waiting for a worker');
  });
});

describe('ProgressReporter', () => {
  it('on a terminal, redraws one line in place, cut to the width, and clears it at the end', () => {
    const r = reporter(true, 40);
    r.progress.update(syncFrame(sync('queued', 0)));
    r.progress.update(syncFrame(sync('running', 9)));
    r.progress.done();
    const frames = r.written().split('\r');
    expect(frames).toEqual([
      '',
      'sync 7 queued: waiting for a worker\x1b[K',
      'repositories 9/20 [####......] 45% · ta\x1b[K',
      '\x1b[K',
    ]);
    expect(r.written()).not.toContain('\n');
  });

  it('takes a terminal that reports 0 columns as 80 wide', () => {
    const r = reporter(true, 0);
    r.progress.update(syncFrame(sync('running', 9)));
    expect(r.written()).toBe(
      '\rrepositories 9/20 [####......] 45% · tags 90 · fetched 18 · unchanged 9\x1b[K',
    );
  });

  it('without a terminal, writes a line per change, at most one per interval', () => {
    const r = reporter(false);
    r.progress.update(syncFrame(sync('queued', 0)));
    r.progress.update(syncFrame(sync('running', 1))); // the status changed: written at once
    r.advance(500);
    r.progress.update(syncFrame(sync('running', 2))); // too soon
    r.advance(500);
    r.progress.update(syncFrame(sync('running', 2))); // still too soon
    r.advance(1500);
    r.progress.update(syncFrame(sync('running', 3))); // written
    r.advance(3000);
    r.progress.update(syncFrame(sync('running', 3))); // no change
    r.progress.update(syncFrame(sync('succeeded', 20))); // the status changed
    r.progress.done();
    expect(r.written().split('\n')).toEqual([
      'sync 7 queued: waiting for a worker',
      'sync 7 running: repositories 1/20 [..........] 5% · tags 10 · fetched 2 · unchanged 1',
      'sync 7 running: repositories 3/20 [#.........] 15% · tags 30 · fetched 6 · unchanged 3',
      'sync 7 succeeded: repositories 20/20 [##########] 100% · tags 200 · fetched 40 · unchanged 20',
      '',
    ]);
  });
});

describe('ProgressReporter with a delay', () => {
  it('without a terminal, stays quiet for the delay, then writes', () => {
    let now = 0;
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = new ProgressReporter(stream, { tty: false, delay: 2000, clock: () => now });
    progress.update({ label: 'import', status: 'sending', line: 'a' });
    now = 1999;
    progress.update({ label: 'import', status: 'sending', line: 'b' });
    now = 2000;
    progress.update({ label: 'import', status: 'sending', line: 'c' });
    expect(written).toBe('import sending: c\n');
  });

  it('on a terminal, draws at once', () => {
    const r = reporter(true, 80);
    r.progress.update({ label: 'import', status: 'sending', line: 'a' });
    expect(r.written()).toBe('\ra\x1b[K');
  });
});
