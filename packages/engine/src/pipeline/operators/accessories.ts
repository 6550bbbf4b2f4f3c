import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { RepositoryState } from '../state';

/** §4.2: signatures, attestations, SBOMs and referrers leave the stream; reconcile decides them with their subject. */
export function accessoryStage(): MonoTypeOperatorFunction<RepositoryState> {
  return map((state) => {
    if (state.accessories.length === 0) return state;
    const ids = new Set(state.accessories.map((a) => a.candidate.id));
    state.undecided = state.undecided.filter((c) => !ids.has(c.id));
    return state;
  });
}
