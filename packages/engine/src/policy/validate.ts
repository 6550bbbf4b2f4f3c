import type { ValidateFunction } from 'ajv';
import { EngineErrorCode, type ValidationIssue, WinnowValidationError } from '../errors';
import { type PolicyDocument, policyLabel } from '../model/policy';
import { compileSchema, issuesFromAjv } from '../schema/ajv';
import { buildPolicySchema } from '../schema/policy-schema';
import { checkPolicyDocument } from './check';
import { parseDocuments, type SourceDocument } from './parse';

let validator: ValidateFunction | undefined;
const policyValidator = (): ValidateFunction => (validator ??= compileSchema(buildPolicySchema()));

/** A validated document with where it came from. */
export interface LoadedPolicy extends Omit<SourceDocument, 'value'> {
  readonly policy: PolicyDocument;
}

/** Schema, then semantic checks; returns the issues of one document (empty when valid). */
export function policyIssues(value: unknown): ValidationIssue[] {
  const validate = policyValidator();
  if (!validate(value)) return issuesFromAjv(validate.errors);
  return checkPolicyDocument(value as PolicyDocument);
}

/** Validates documents together: each on its own, then at most one policy per scope. */
export function validatePolicies(documents: readonly SourceDocument[]): LoadedPolicy[] {
  const issues: ValidationIssue[] = [];
  const loaded: LoadedPolicy[] = [];
  const byScope = new Map<string, SourceDocument>();
  for (const source of documents) {
    const own = policyIssues(source.value);
    if (own.length > 0) {
      issues.push(
        ...own.map((issue) => ({ ...issue, file: source.file, document: source.document })),
      );
      continue;
    }
    const policy = source.value as PolicyDocument;
    const key = `${policy.scope.level}:${policyLabel(policy.scope)}`;
    const first = byScope.get(key);
    if (first) {
      const where = [
        first.file,
        first.document === undefined ? undefined : `document ${first.document}`,
      ]
        .filter((x) => x !== undefined)
        .join(', ');
      issues.push({
        file: source.file,
        document: source.document,
        pointer: '/scope',
        message: `expected at most one policy per scope: ${policy.scope.level} "${policyLabel(policy.scope)}" is already defined${where ? ` (${where})` : ''}`,
      });
      continue;
    }
    byScope.set(key, source);
    loaded.push({ policy, file: source.file, document: source.document });
  }
  if (issues.length > 0) throw new WinnowValidationError(EngineErrorCode.policyInvalid, issues);
  return loaded;
}

/** Parses and validates several files' texts. */
export function loadPolicyTexts(
  files: readonly { readonly text: string; readonly file?: string }[],
): LoadedPolicy[] {
  const documents: SourceDocument[] = [];
  const issues: ValidationIssue[] = [];
  for (const { text, file } of files) {
    try {
      documents.push(...parseDocuments(text, file));
    } catch (error) {
      if (!(error instanceof WinnowValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  let loaded: LoadedPolicy[] = [];
  try {
    loaded = validatePolicies(documents);
  } catch (error) {
    if (!(error instanceof WinnowValidationError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0) throw new WinnowValidationError(EngineErrorCode.policyInvalid, issues);
  return loaded;
}
