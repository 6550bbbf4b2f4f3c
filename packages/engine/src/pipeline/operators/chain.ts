import { groupBy, mergeMap, type MonoTypeOperatorFunction } from 'rxjs';
import type { CompiledPolicies } from '../../policy/compile';
import type { RepositoryState } from '../state';
import { ruleChain } from './rule';

interface ChainKey {
  readonly repository: string | undefined;
  readonly namespace: string | undefined;
}

/**
 * §4.4: the repository policy's rules, then the namespace policy's, then the server policy's.
 * Repositories under the same policies form one group whose chain is composed once.
 */
export function chainStage(policies: CompiledPolicies): MonoTypeOperatorFunction<RepositoryState> {
  const keys = new Map<string, ChainKey>();
  const keyOf = (state: RepositoryState): ChainKey => {
    const repository = policies.repositories.has(state.path) ? state.path : undefined;
    const namespace = policies.namespaces.has(state.namespace) ? state.namespace : undefined;
    const id = `${repository ?? ''}\u0000${namespace ?? ''}`;
    let key = keys.get(id);
    if (!key) keys.set(id, (key = { repository, namespace }));
    return key;
  };
  return (source) =>
    source.pipe(
      groupBy(keyOf),
      mergeMap((group) =>
        group.pipe(
          ruleChain([
            ...(group.key.repository === undefined
              ? []
              : (policies.repositories.get(group.key.repository) ?? [])),
            ...(group.key.namespace === undefined
              ? []
              : (policies.namespaces.get(group.key.namespace) ?? [])),
            ...policies.server,
          ]),
        ),
      ),
    );
}
