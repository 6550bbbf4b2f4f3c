import type { ValidationIssue } from '../errors';
import { conditionKind, selectorKinds } from '../kinds/registry';
import type { Branch, Match, PolicyDocument, Rule, ScopeLevel, Select } from '../model/policy';

/** The checks the JSON Schema cannot express, on a schema-valid document. */
export function checkPolicyDocument(document: PolicyDocument): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = new Map<string, string>();
  const level = document.scope.level;
  const visit = (rules: readonly Rule[] | undefined, list: 'guards' | 'rules'): void => {
    rules?.forEach((rule, index) => {
      const pointer = `/${list}/${index}`;
      const first = names.get(rule.name);
      if (first !== undefined) {
        issues.push({
          pointer: `${pointer}/name`,
          message: `expected a unique rule name; "${rule.name}" is already used at ${first}`,
        });
      } else {
        names.set(rule.name, pointer);
      }
      issues.push(...checkRule(rule, pointer, level));
    });
  };
  visit(document.guards, 'guards');
  visit(document.rules, 'rules');
  return issues;
}

function checkRule(rule: Rule, pointer: string, level: ScopeLevel): ValidationIssue[] {
  const branches: [Branch, string][] = rule.anyOf
    ? rule.anyOf.map((branch, i) => [branch, `${pointer}/anyOf/${i}`])
    : [[rule, pointer]];
  return branches.flatMap(([branch, at]) => [
    ...(branch.select ? checkSelect(branch.select, `${at}/select`, level) : []),
    ...(branch.match ? checkMatch(branch.match, `${at}/match`) : []),
  ]);
}

function checkSelect(select: Select, pointer: string, level: ScopeLevel): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const kind of selectorKinds) {
    const value = (select as Record<string, unknown>)[kind.key];
    if (value === undefined) continue;
    const at = `${pointer}/${kind.key}`;
    if (!kind.levels.includes(level)) {
      issues.push({
        pointer: at,
        message: `is not allowed at ${level} scope: expected it only at ${kind.levels.join(' or ')} scope`,
      });
      continue;
    }
    issues.push(...(kind.check?.(value, at) ?? []));
  }
  return issues;
}

function checkMatch(match: Match, pointer: string): ValidationIssue[] {
  const key = Object.keys(match).find((k) => k !== 'by');
  const kind = key === undefined ? undefined : conditionKind(key);
  if (!kind || key === undefined) return [];
  const issues = kind.check?.(match[key], `${pointer}/${key}`) ?? [];
  if (match.by !== undefined && !kind.byKeys.includes(match.by)) {
    issues.push({
      pointer: `${pointer}/by`,
      message:
        kind.byKeys.length === 0
          ? `is not allowed: expected no by, since ${key} does not order or age tags`
          : `expected one of ${kind.byKeys.join(', ')} (${key} needs ${kind.byKeys.length === 3 ? 'a time key' : 'an ordering key'})`,
    });
  }
  return issues;
}
