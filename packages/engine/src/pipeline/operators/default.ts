import { map, type MonoTypeOperatorFunction } from 'rxjs';
import { decide, NO_RULE, type RepositoryState } from '../state';

const DEFAULT = NO_RULE('default');

/** §4.5: what no rule decided is kept. Untagged manifests no rule selected get no record. */
export function defaultStage(): MonoTypeOperatorFunction<RepositoryState> {
  return map((state) => {
    for (const candidate of state.undecided) {
      if (candidate.tag === null && !state.selectedUntagged.has(candidate.id)) continue;
      decide(state, candidate, 'keep', DEFAULT, 'no rule decided: kept by default');
    }
    state.undecided = [];
    return state;
  });
}
