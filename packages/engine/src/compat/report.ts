import { EngineErrorCode, type ValidationIssue, WinnowValidationError } from '../errors';
import type { PolicyDocument } from '../model/policy';
import { policyIssues } from '../policy/validate';

/** How faithfully one part of a vendor's policy was carried over. */
export type ImportSeverity = 'exact' | 'approximated' | 'dropped';

/** One line of an import report: where in the source, how faithful, and why. */
export interface ImportEntry {
  /** JSON pointer into the vendor's document. */
  readonly path: string;
  readonly severity: ImportSeverity;
  readonly message: string;
}

export interface ImportResult {
  readonly document: PolicyDocument;
  readonly report: readonly ImportEntry[];
}

/** True when every entry of the report is exact. */
export const isExact = (report: readonly ImportEntry[]): boolean =>
  report.every((entry) => entry.severity === 'exact');

/** Collects input problems; `fail()` throws them all at once, each naming its field. */
export class InputIssues {
  readonly issues: ValidationIssue[] = [];

  add(pointer: string, message: string): void {
    this.issues.push({ pointer, message });
  }

  fail(): void {
    if (this.issues.length > 0)
      throw new WinnowValidationError(EngineErrorCode.importInvalid, this.issues);
  }
}

export function invalidInput(pointer: string, message: string): WinnowValidationError {
  return new WinnowValidationError(EngineErrorCode.importInvalid, [{ pointer, message }]);
}

/** The importers promise a valid document; a failure here is a bug in the importer, not in the input. */
export function assertValidDocument(document: PolicyDocument): PolicyDocument {
  const issues = policyIssues(document);
  if (issues.length > 0) {
    throw new Error(
      `importer produced an invalid document: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
    );
  }
  return document;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON pointer escaping of one reference token. */
export const token = (key: string | number): string =>
  String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/** Checks the scope names the caller gives, with the engine's own name rules. */
export function scopeIssues(namespace: string, repository: string | undefined): ValidationIssue[] {
  const document: PolicyDocument = {
    apiVersion: 'winnow/v1',
    kind: 'RetentionPolicy',
    scope:
      repository === undefined
        ? { level: 'namespace', namespace }
        : { level: 'repository', namespace, repository },
    rules: [],
  };
  return policyIssues(document);
}

/** Report entries in source order (by pointer, numerically), so the table reads like the input. */
export function sortReport(report: readonly ImportEntry[]): ImportEntry[] {
  const key = (path: string): (string | number)[] =>
    path.split('/').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return [...report].sort((a, b) => {
    const x = key(a.path);
    const y = key(b.path);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const p = x[i] as string | number;
      const q = y[i] as string | number;
      if (p === q) continue;
      if (typeof p === 'number' && typeof q === 'number') return p - q;
      return String(p) < String(q) ? -1 : 1;
    }
    return x.length - y.length;
  });
}
