import type { ValidateFunction } from 'ajv';
import { EngineErrorCode, type ValidationIssue, WinnowValidationError } from '../errors';
import { type Inventory, type InventoryRepository, repositoryPath } from '../model/inventory';
import { compileSchema, issuesFromAjv } from '../schema/ajv';
import { buildInventorySchema, buildRepositorySchema } from '../schema/inventory-schema';
import { parseTime } from '../text/time';

const MAX_ISSUES = 100;
let inventoryValidator: ValidateFunction | undefined;
let repositoryValidator: ValidateFunction | undefined;

/** Checks the schema cannot express: real dates, unique tag names and manifest digests. */
function checkRepository(repository: InventoryRepository, pointer: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const checkTime = (value: string | null | undefined, at: string): void => {
    if (typeof value === 'string' && Number.isNaN(parseTime(value))) {
      issues.push({ pointer: at, message: 'expected a real date and time (RFC 3339)' });
    }
  };
  const tagNames = new Map<string, number>();
  repository.tags.forEach((tag, index) => {
    const at = `${pointer}/tags/${index}`;
    const first = tagNames.get(tag.name);
    if (first !== undefined) {
      issues.push({
        pointer: `${at}/name`,
        message: `expected a unique tag name; "${tag.name}" is also ${pointer}/tags/${first}`,
      });
    } else tagNames.set(tag.name, index);
    checkTime(tag.pushedAt, `${at}/pushedAt`);
    checkTime(tag.lastPulledAt, `${at}/lastPulledAt`);
  });
  const digests = new Map<string, number>();
  repository.manifests?.forEach((manifest, index) => {
    const at = `${pointer}/manifests/${index}`;
    const first = digests.get(manifest.digest);
    if (first !== undefined) {
      issues.push({
        pointer: `${at}/digest`,
        message: `expected a unique manifest digest; it is also ${pointer}/manifests/${first}`,
      });
    } else digests.set(manifest.digest, index);
    checkTime(manifest.pushedAt, `${at}/pushedAt`);
  });
  return issues;
}

function fail(issues: ValidationIssue[], file: string | undefined): never {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => ({ ...issue, file }));
  if (issues.length > MAX_ISSUES) {
    shown.push({
      file,
      pointer: '',
      message: `and ${issues.length - MAX_ISSUES} more problem${issues.length - MAX_ISSUES === 1 ? '' : 's'}`,
    });
  }
  throw new WinnowValidationError(EngineErrorCode.inventoryInvalid, shown);
}

/** Validates one repository of an inventory (for streaming imports). */
export function validateRepository(
  value: unknown,
  pointer = '',
  file?: string,
): InventoryRepository {
  const validate = (repositoryValidator ??= compileSchema(buildRepositorySchema()));
  if (!validate(value)) {
    fail(
      issuesFromAjv(validate.errors).map((i) => ({ ...i, pointer: `${pointer}${i.pointer}` })),
      file,
    );
  }
  const repository = value as InventoryRepository;
  const issues = checkRepository(repository, pointer);
  if (issues.length > 0) fail(issues, file);
  return repository;
}

/** Validates a whole snapshot: schema, then dates, uniqueness of tags, manifests and repositories. */
export function validateInventory(value: unknown, file?: string): Inventory {
  const validate = (inventoryValidator ??= compileSchema(buildInventorySchema()));
  if (!validate(value)) fail(issuesFromAjv(validate.errors), file);
  const inventory = value as Inventory;
  const issues: ValidationIssue[] = [];
  const paths = new Map<string, number>();
  inventory.repositories.forEach((repository, index) => {
    const pointer = `/repositories/${index}`;
    const path = repositoryPath(repository);
    const first = paths.get(path);
    if (first !== undefined) {
      issues.push({
        pointer,
        message: `expected a unique repository; "${path}" is also /repositories/${first}`,
      });
    } else paths.set(path, index);
    issues.push(...checkRepository(repository, pointer));
  });
  if (issues.length > 0) fail(issues, file);
  return inventory;
}

/** Parses and validates a snapshot's JSON text. */
export function parseInventory(text: string, file?: string): Inventory {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(
      [
        {
          pointer: '',
          message: `expected JSON: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
      file,
    );
  }
  return validateInventory(value, file);
}
