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

const EXPECTED_CRON =
  'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly';

/** The expression as stored: fields separated by one space. */
export const normalizeCron = (cron: string): string => cron.trim().split(/\s+/).join(' ');

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

/** A schedule's first time after `now`, or what is wrong with it (a pointer into the body). */
export type ScheduleCheck = { readonly nextRunAt: Date } | { readonly issue: ScheduleIssue };

export function checkSchedule(input: ScheduleInput, now: Date): ScheduleCheck {
  const zone = zoneIssue(input.timezone);
  if (zone !== undefined) return { issue: zone };
  const cronIssue = (message: string) => ({ issue: { pointer: '/body/cron', message } });
  // croner reads `?` as the time the expression is parsed, which would move at every run.
  if (input.cron.includes('?')) return cronIssue(`${EXPECTED_CRON}: use * instead of ?`);
  let next: Date | null;
  try {
    next = nextRunAfter(input, now);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : '';
    return cronIssue(`${EXPECTED_CRON}: ${reason}`);
  }
  return next === null ? cronIssue(`"${input.cron}" never fires again`) : { nextRunAt: next };
}
