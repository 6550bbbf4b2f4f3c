import type { SemVer } from 'semver';

/** What a rule decides on: a tag, or an untagged manifest (`tag` null). */
export interface Candidate {
  /** Position in the repository's candidate list; decisions are indexed by it. */
  readonly id: number;
  readonly tag: string | null;
  readonly digest: string;
  /** Epoch milliseconds; NaN when the inventory gives none. */
  readonly pushed: number;
  /** Epoch milliseconds; NaN when never pulled. */
  readonly pulled: number;
  readonly labels: readonly string[];
  /** Index in the repository's `tags` (or `manifests` for an untagged manifest), for error pointers. */
  readonly source: number;
  /** Parsed once on first use by a semver key or condition; null when the tag is no version. */
  semver?: SemVer | null;
}

/** Thrown when an ordering or age needs a push time that the inventory does not give. */
export class MissingPushTimeError extends Error {
  constructor(readonly candidate: Candidate) {
    super(`${candidate.tag === null ? 'manifest' : 'tag'} has no pushedAt`);
  }
}

export function pushedOf(candidate: Candidate): number {
  if (Number.isNaN(candidate.pushed)) throw new MissingPushTimeError(candidate);
  return candidate.pushed;
}

/** Pull time; a never-pulled tag counts its push time (so a fresh image is not "old"). */
export function pulledOf(candidate: Candidate): number {
  return Number.isNaN(candidate.pulled) ? pushedOf(candidate) : candidate.pulled;
}

export function activeOf(candidate: Candidate): number {
  return Math.max(pushedOf(candidate), pulledOf(candidate));
}

export function describeCandidate(candidate: Candidate): string {
  return candidate.tag === null
    ? `untagged manifest ${candidate.digest}`
    : `tag "${candidate.tag}"`;
}
