/** ANSI colours, only for a terminal: never in a pipe or a file, nor with NO_COLOR or TERM=dumb. */
export type Colour = 'green' | 'yellow' | 'red' | 'dim';

const CODES: Record<Colour, string> = { green: '32', yellow: '33', red: '31', dim: '2' };

export type Paint = (text: string, colour: Colour | undefined) => string;

export function painterFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Paint {
  const enabled = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return (text, colour) =>
    enabled && colour !== undefined ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

/** The colour of a sync status or a deletion outcome. */
export function colourOf(word: string): Colour | undefined {
  switch (word) {
    case 'succeeded':
    case 'deleted':
      return 'green';
    case 'partial':
    case 'skipped':
    case 'queued':
      return 'yellow';
    case 'failed':
      return 'red';
    case 'absent':
      return 'dim';
    default:
      return undefined;
  }
}
