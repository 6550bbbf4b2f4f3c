import type { Writable } from 'node:stream';

/** Where a command writes: stdout (what it answers, maybe piped as JSON) and stderr (the rest). */
export interface Io {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** One `winnow` command: its `--help` text (usage and at least one example) and what it does. */
export interface Command {
  readonly usage: string;
  run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> | number;
}

/** Exit statuses: 0 success, 1 anything else, 2 invalid input or usage, 130 Ctrl-C. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;
/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
