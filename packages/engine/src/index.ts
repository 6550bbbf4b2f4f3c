export * from './errors';
export * from './model/inventory';
export * from './model/policy';
export * from './model/decision';
export { parseDocuments, type SourceDocument } from './policy/parse';
export {
  loadPolicyTexts,
  policyIssues,
  validatePolicies,
  type LoadedPolicy,
} from './policy/validate';
export { compilePolicies, type CompiledPolicies, type CompiledRule } from './policy/compile';
export { parseInventory, validateInventory, validateRepository } from './inventory/validate';
export { buildPolicySchema, POLICY_SCHEMA_ID } from './schema/policy-schema';
export {
  buildInventorySchema,
  buildRepositorySchema,
  INVENTORY_SCHEMA_ID,
} from './schema/inventory-schema';
export { conditionKinds, selectorKinds, ruleKindCatalogue } from './kinds/registry';
export type { ConditionKind, SelectorKind, JsonSchema } from './kinds/kind';
export { parseAge, formatDuration } from './text/age';
export { parseTime } from './text/time';
export {
  compareRepositoryPaths,
  evaluateInventory,
  evaluatePipeline,
  evaluateRepositories,
  inputsInOrder,
  type EvaluationOptions,
  type EvaluationReport,
  type EvaluationSummary,
  type RepositoryInput,
} from './pipeline/evaluate';
export { renderRuleKindReference } from './kinds/reference';
export { issuesFromAjv } from './schema/ajv';
export { NamePattern } from './model/names';
export { decisionRecordSchema, STAGES } from './schema/decision-schema';
export { type ImportEntry, type ImportResult, type ImportSeverity, isExact } from './compat/report';
export { importQuayPolicies, type QuayImportOptions } from './compat/quay';
export { importHarborPolicy, type HarborImportOptions } from './compat/harbor';
