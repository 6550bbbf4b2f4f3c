/** Ages: `<positive integer><unit>` with units s m h d w y (`m` is minutes, `y` is 365 days). */
const UNIT_MS = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
} as const;
type Unit = keyof typeof UNIT_MS;

export const AGE_PATTERN = '^[1-9][0-9]*[smhdwy]$';
const AGE_REGEX = /^([1-9][0-9]*)([smhdwy])$/;

export interface Age {
  readonly text: string;
  readonly ms: number;
}

/** Parses an age; returns undefined for anything that is not a valid, representable age. */
export function parseAge(text: string): Age | undefined {
  const match = AGE_REGEX.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit];
  return Number.isSafeInteger(ms) ? { text, ms } : undefined;
}

/** A short human form of a duration: the two largest units, rounded down (`41d 3h`, `2h 5m`, `40s`). */
export function formatDuration(ms: number): string {
  if (ms <= -1000) return `-${formatDuration(-ms)}`;
  if (ms < 0) return '0s';
  const units = ['d', 'h', 'm', 's'] as const;
  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as (typeof units)[number];
    if (ms >= UNIT_MS[unit] || unit === 's') {
      const whole = Math.floor(ms / UNIT_MS[unit]);
      const next = units[i + 1];
      const rest =
        next === undefined ? 0 : Math.floor((ms - whole * UNIT_MS[unit]) / UNIT_MS[next]);
      return next !== undefined && rest > 0 ? `${whole}${unit} ${rest}${next}` : `${whole}${unit}`;
    }
  }
  return `${Math.floor(ms / 1000)}s`;
}
