/** Stable error codes of the engine. Other packages map them (e.g. to HTTP statuses) in one place. */
export const EngineErrorCode = {
  policyInvalid: 'WINNOW_POLICY_INVALID',
  inventoryInvalid: 'WINNOW_INVENTORY_INVALID',
  importInvalid: 'WINNOW_IMPORT_INVALID',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** One problem in a document: where (file, document, JSON pointer) and what was expected. */
export interface ValidationIssue {
  readonly file?: string;
  /** 1-based index of the document in a multi-document file; absent when the file holds one. */
  readonly document?: number;
  readonly pointer: string;
  readonly message: string;
}

export class WinnowValidationError extends Error {
  override readonly name = 'WinnowValidationError';
  constructor(
    readonly code: EngineErrorCode,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** `file: document 2: /rules/0/then: expected one of keep, delete, pass` */
export function formatIssue(issue: ValidationIssue): string {
  const parts: string[] = [];
  if (issue.file !== undefined) parts.push(issue.file);
  if (issue.document !== undefined) parts.push(`document ${issue.document}`);
  parts.push(issue.pointer === '' ? '(document)' : issue.pointer);
  return `${parts.join(': ')}: ${issue.message}`;
}
