import { Cron } from 'croner';

/** A schedule as the API takes it. */
export interface ScheduleInput {
  readonly cron: string;
  readonly timezone: string;
}

export interface ScheduleIssue {
  readonly pointer: string;
  readonly message: string;
}

function zoneIssue(timezone: string): ScheduleIssue | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return {
      pointer: '/body/timezone',
      message: `expected an IANA time zone (e.g. UTC, Europe/Paris), got "${timezone}"`,
    };
  }
}

/**
 * The first time the expression fires strictly after `after`, in its time zone; null if it
 * never does again. Five fields (minute hour day month weekday), or six with seconds first.
 */
export function nextRunAfter({ cron, timezone }: ScheduleInput, after: Date): Date | null {
  return new Cron(cron, { paused: true, timezone }).nextRun(after);
}

/** What is wrong with a schedule (pointers into the request body), or nothing. */
export function scheduleIssues(input: ScheduleInput, now: Date): ScheduleIssue[] {
  const zone = zoneIssue(input.timezone);
  if (zone !== undefined) return [zone];
  let next: Date | null;
  try {
    next = nextRunAfter(input, now);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [
      {
        pointer: '/body/cron',
        message: `expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first: ${reason}`,
      },
    ];
  }
  if (next === null) {
    return [{ pointer: '/body/cron', message: 'the expression never fires again' }];
  }
  return [];
}
