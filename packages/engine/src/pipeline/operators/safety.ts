import { map, type MonoTypeOperatorFunction } from 'rxjs';
import { decide, NO_RULE, type RepositoryState } from '../state';

const SAFETY = NO_RULE('safety');

const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10}%`;

/**
 * §4.7, the blast-radius guard: when more than `maxDeleteRatio` of a repository's tags would be
 * deleted, nothing in it is deleted. Off when `maxDeleteRatio` is undefined.
 */
export function safetyStage(
  maxDeleteRatio: number | undefined,
): MonoTypeOperatorFunction<RepositoryState> {
  return map((state) => {
    if (maxDeleteRatio === undefined || state.tagCount === 0) return state;
    let deletedTags = 0;
    for (const c of state.candidates) {
      if (c.tag !== null && state.decisions[c.id]?.decision === 'delete') deletedTags++;
    }
    const ratio = deletedTags / state.tagCount;
    if (ratio <= maxDeleteRatio) return state;
    const reason = `blast-radius guard: would delete ${deletedTags} of ${state.tagCount} tags (${percent(ratio)}), more than ${percent(maxDeleteRatio)}; nothing deleted in this repository`;
    for (const c of state.candidates) {
      if (state.decisions[c.id]?.decision === 'delete') decide(state, c, 'keep', SAFETY, reason);
    }
    state.blocked = true;
    return state;
  });
}
