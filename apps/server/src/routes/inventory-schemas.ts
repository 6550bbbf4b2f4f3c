import { NamePattern } from '@winnow/engine';

/** Parameters and bodies shared by the routes of repositories and tags. */
export interface RepositoryParams {
  namespace: string;
  repository: string;
}
export interface TagParams extends RepositoryParams {
  tag: string;
}

/** A namespace name, in a path or a body. */
export const namespaceName = {
  type: 'string',
  pattern: NamePattern.namespace,
  'x-expected': 'a namespace name (lower case, e.g. acme)',
} as const;

export const repositoryParams = {
  type: 'object',
  required: ['namespace', 'repository'],
  properties: {
    namespace: namespaceName,
    repository: {
      type: 'string',
      pattern: NamePattern.repository,
      'x-expected': 'a repository name, URL-encoded when it contains /',
    },
  },
} as const;
export const tagParams = {
  ...repositoryParams,
  required: ['namespace', 'repository', 'tag'],
  properties: {
    ...repositoryParams.properties,
    tag: {
      type: 'string',
      pattern: NamePattern.tag,
      'x-expected': 'a tag name ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})',
    },
  },
} as const;
export const tagSchema = {
  type: 'object',
  required: ['name', 'digest', 'immutable', 'labels'],
  properties: {
    name: { type: 'string' },
    digest: { type: 'string' },
    pushedAt: { type: 'string' },
    lastPulledAt: { type: 'string' },
    immutable: { type: 'boolean' },
    labels: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** How audit entries name a tag. */
export const tagTarget = (p: TagParams): string => `tag:${p.namespace}/${p.repository}:${p.tag}`;

export const refOf = (params: RepositoryParams) => ({
  namespace: params.namespace,
  name: params.repository,
});
