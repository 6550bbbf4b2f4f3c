/**
 * ANSI colours, only for a terminal: never in a pipe or a file, nor with NO_COLOR (non-empty) or
 * TERM=dumb. FORCE_COLOR follows Node's rule: `1`, `2`, `3`, `true` or empty turn colours on even
 * in a pipe (and outrank NO_COLOR); any other value (`0`, `false`) turns them off.
 */
export type Colour = 'green' | 'yellow' | 'red' | 'dim';

const CODES: Record<Colour, string> = { green: '32', yellow: '33', red: '31', dim: '2' };

export type Paint = (text: string, colour: Colour | undefined) => string;

/** Whether to paint what goes to `stream`. */
export function coloursFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function painterFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Paint {
  const enabled = coloursFor(stream, env);
  return (text, colour) =>
    enabled && colour !== undefined ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

/** The colour of a status (sync, run, repository task) or a deletion outcome. */
export function colourOf(word: string): Colour | undefined {
  switch (word) {
    case 'succeeded':
    case 'done':
    case 'deleted':
    case 'restored':
      return 'green';
    case 'partial':
    case 'skipped':
    case 'queued':
    case 'cancelled':
      return 'yellow';
    case 'failed':
      return 'red';
    case 'absent':
      return 'dim';
    default:
      return undefined;
  }
}
