import { concatMap, type MonoTypeOperatorFunction, of } from 'rxjs';
import type { CompiledPolicies } from '../../policy/compile';
import type { RepositoryState } from '../state';
import { ruleChain } from './rule';

/**
 * §4.4: the repository policy's rules, then the namespace policy's, then the server policy's.
 * Repositories under the same policies share one composed chain, built once and cached; each
 * repository runs through it on its own, so nothing accumulates as the stream goes on.
 */
export function chainStage(policies: CompiledPolicies): MonoTypeOperatorFunction<RepositoryState> {
  const chains = new Map<string, MonoTypeOperatorFunction<RepositoryState>>();
  const chainOf = (state: RepositoryState): MonoTypeOperatorFunction<RepositoryState> => {
    const repository = policies.repositories.get(state.path);
    const namespace = policies.namespaces.get(state.namespace);
    const key = `${repository ? state.path : ''}\u0000${namespace ? state.namespace : ''}`;
    let chain = chains.get(key);
    if (!chain) {
      chain = ruleChain([...(repository ?? []), ...(namespace ?? []), ...policies.server]);
      chains.set(key, chain);
    }
    return chain;
  };
  return concatMap((state) => of(state).pipe(chainOf(state)));
}
