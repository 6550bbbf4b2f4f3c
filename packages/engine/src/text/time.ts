/** Epoch milliseconds of an RFC 3339 time; NaN when it is not a real calendar date and time. */
export function parseTime(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return ms;
  // Date.parse rolls 2026-02-30 over to March: compare the calendar date it read back.
  const offsetMatch = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const offset = offsetMatch
    ? (offsetMatch[1] === '-' ? -1 : 1) * (Number(offsetMatch[2]) * 60 + Number(offsetMatch[3]))
    : 0;
  return new Date(ms + offset * 60_000).toISOString().slice(0, 10) === text.slice(0, 10)
    ? ms
    : Number.NaN;
}
