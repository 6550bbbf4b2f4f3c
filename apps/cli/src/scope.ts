import { UsageError } from './errors';

/** A scope as the API takes it: the server, a namespace, or a repository of a namespace. */
export type ScopeJson =
  | { level: 'server' }
  | { level: 'namespace'; namespace: string }
  | { level: 'repository'; namespace: string; repository: string };

/** The scope of `--namespace NS [--repository NAME]` (none: the server). */
export function scopeOf(
  namespace: string | undefined,
  repository: string | undefined,
  command: string,
): ScopeJson {
  if (repository !== undefined && namespace === undefined)
    throw new UsageError(`${command}: --repository needs --namespace`);
  if (namespace === undefined) return { level: 'server' };
  if (repository === undefined) return { level: 'namespace', namespace };
  return { level: 'repository', namespace, repository };
}

/** `server`, `namespace acme`, `repository acme/web/api`. */
export function describeScope(scope: ScopeJson): string {
  switch (scope.level) {
    case 'server':
      return 'server';
    case 'namespace':
      return `namespace ${scope.namespace}`;
    case 'repository':
      return `repository ${scope.namespace}/${scope.repository}`;
  }
}
