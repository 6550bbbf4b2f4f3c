import type { Match } from '../model/policy';

/** Each retain template: its condition, and whether it carries over exactly. */
export interface Template {
  /** Undefined: the template retains nothing at this parameter (a branch is not written). */
  readonly match: (n: number) => Match | undefined | 'all';
  readonly exact: (n: number) => boolean;
  readonly says: (n: number) => string;
}

const NEVER_PULLED =
  'Harbor counts a never-pulled artifact as pulled at time 0, Winnow counts its push time, so a fresh image nobody pulled yet is kept rather than deleted (Harbor #10295)';

export const TEMPLATES: Record<string, Template> = {
  always: { match: () => 'all', exact: () => true, says: () => 'retains every selected tag' },
  nothing: { match: () => undefined, exact: () => true, says: () => 'retains nothing' },
  latestPushedK: {
    match: (n) => (n >= 1 ? { newest: n } : undefined),
    exact: () => true,
    says: (n) =>
      `retains the ${n} most recently pushed; equal push times (arbitrary in Harbor) order by pull time, then name`,
  },
  latestActiveK: {
    match: (n) => (n >= 1 ? { newest: n, by: 'active' } : undefined),
    exact: (n) => n < 1,
    says: (n) =>
      `retains the ${n} most recently active, by the later of push and pull time (Harbor does not document its order of "active" precisely)`,
  },
  latestPulledN: {
    match: (n) => (n >= 1 ? { newest: n, by: 'pulled' } : undefined),
    exact: (n) => n < 1,
    says: (n) =>
      `retains the ${n} most recently pulled; Harbor ranks never-pulled artifacts last, Winnow ranks them by push time, so a fresh image nobody pulled yet can take the place of an older pulled one`,
  },
  nDaysSinceLastPush: {
    match: (n) => (n >= 1 ? { newerThan: `${n}d` } : undefined),
    exact: (n) => n >= 1,
    says: (n) =>
      n >= 1
        ? `retains what was pushed in the last ${n} days`
        : 'retains what was pushed in the last 0 days: written as retaining nothing',
  },
  nDaysSinceLastPull: {
    match: (n) => (n >= 1 ? { newerThan: `${n}d`, by: 'pulled' } : undefined),
    exact: () => false,
    says: (n) => `retains what was pulled in the last ${n} days; ${NEVER_PULLED}`,
  },
};
