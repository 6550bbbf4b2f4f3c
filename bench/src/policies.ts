import {
  compilePolicies,
  type CompiledPolicies,
  type Inventory,
  loadPolicyTexts,
} from '@winnow/engine';
import {
  GUARD,
  NAMESPACE_RULES,
  type PolicyCoverage,
  REPOSITORY_RULES,
  SERVER_RULE,
} from './chain';
import { Random } from './random';

export interface PolicyFile {
  readonly text: string;
  readonly file: string;
}

/** A YAML single-quoted scalar: backslashes stay literal, which regexes need. */
const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const header = (scope: string): string =>
  `apiVersion: winnow/v1\nkind: RetentionPolicy\nscope: ${scope}\n`;

function serverPolicy(): string {
  return `${header('{ level: server }')}guards:
  - name: ${GUARD.name}
    select: { tags: { glob: ${quoted(GUARD.glob)} } }
    then: keep
rules:
  - name: ${SERVER_RULE.name}
    select: { tags: { regex: ${quoted(SERVER_RULE.regex)} } }
    match: { olderThan: ${SERVER_RULE.olderThanDays}d }
    then: delete
`;
}

function namespacePolicy(namespace: string): string {
  const { keepReleases, expireBuilds } = NAMESPACE_RULES;
  return `${header(`{ level: namespace, namespace: ${quoted(namespace)} }`)}rules:
  - name: ${keepReleases.name}
    select: { tags: { regex: ${quoted(keepReleases.regex)} } }
    match: { newest: ${keepReleases.newest} }
    then: keep
  - name: ${expireBuilds.name}
    select: { tags: { regex: ${quoted(expireBuilds.regex)} } }
    match: { olderThan: ${expireBuilds.olderThanDays}d }
    then: delete
`;
}

export function repositoryPolicy(namespace: string, repository: string): string {
  const { keepMain, expireFeatures } = REPOSITORY_RULES;
  const scope = `{ level: repository, namespace: ${quoted(namespace)}, repository: ${quoted(repository)} }`;
  return `${header(scope)}rules:
  - name: ${keepMain.name}
    select: { tags: { glob: ${quoted(keepMain.glob)} } }
    match: { newest: ${keepMain.newest} }
    then: keep
  - name: ${expireFeatures.name}
    select: { tags: { glob: ${quoted(expireFeatures.glob)} } }
    match: { olderThan: ${expireFeatures.olderThanDays}d }
    then: delete
`;
}

export interface ChainPolicies {
  readonly files: readonly PolicyFile[];
  readonly coverage: PolicyCoverage;
}

/**
 * The policy files of the chain: one server policy, one per namespace, and one for about a tenth
 * of repositories (drawn from their own seed, so the choice does not depend on generation).
 */
export function chainPolicies(inventory: Inventory, seed: number): ChainPolicies {
  const random = new Random(seed);
  const files: PolicyFile[] = [{ text: serverPolicy(), file: 'server.yaml' }];
  const namespaces = new Set<string>();
  const repositories = new Set<string>();
  for (const { namespace, name } of inventory.repositories) {
    if (!namespaces.has(namespace)) {
      namespaces.add(namespace);
      files.push({ text: namespacePolicy(namespace), file: `namespaces/${namespace}.yaml` });
    }
    if (random.chance(0.1)) {
      repositories.add(`${namespace}/${name}`);
      files.push({
        text: repositoryPolicy(namespace, name),
        file: `repositories/${namespace}/${name}.yaml`,
      });
    }
  }
  return { files, coverage: { namespaces, repositories } };
}

/** Through the engine's own front door: parse, validate, compile. */
export function compileChain(files: readonly PolicyFile[]): CompiledPolicies {
  return compilePolicies(loadPolicyTexts(files).map((loaded) => loaded.policy));
}
