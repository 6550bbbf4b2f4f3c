import { map, type MonoTypeOperatorFunction } from 'rxjs';
import { decide, dropDecided, NO_RULE, type RepositoryState } from '../state';

const IMMUTABLE = NO_RULE('immutable');

/** §4.1: immutable tags are kept and leave the stream; no rule counts or deletes them. */
export function immutableStage(): MonoTypeOperatorFunction<RepositoryState> {
  return map((state) => {
    if (state.immutable.size === 0) return state;
    for (const id of state.immutable) {
      const candidate = state.candidates[id];
      if (candidate) decide(state, candidate, 'keep', IMMUTABLE, 'immutable tag: never deleted');
    }
    dropDecided(state);
    return state;
  });
}
