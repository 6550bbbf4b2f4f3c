import { EngineErrorCode, type ValidationIssue } from '@winnow/engine';

/** The one table of API error codes and their HTTP statuses. */
export const ApiErrorCode = {
  validation: { code: 'WINNOW_VALIDATION_FAILED', status: 400 },
  policyInvalid: { code: EngineErrorCode.policyInvalid, status: 400 },
  inventoryInvalid: { code: EngineErrorCode.inventoryInvalid, status: 400 },
  unauthorized: { code: 'WINNOW_UNAUTHORIZED', status: 401 },
  forbidden: { code: 'WINNOW_FORBIDDEN', status: 403 },
  notFound: { code: 'WINNOW_NOT_FOUND', status: 404 },
  conflict: { code: 'WINNOW_CONFLICT', status: 409 },
  /** A registry secret given while WINNOW_SECRET_KEY is not set. */
  secretKeyMissing: { code: 'WINNOW_SECRET_KEY_MISSING', status: 409 },
  restoreWindowEnded: { code: 'WINNOW_RESTORE_WINDOW_ENDED', status: 410 },
  payloadTooLarge: { code: 'WINNOW_PAYLOAD_TOO_LARGE', status: 413 },
  unsupportedMediaType: { code: 'WINNOW_UNSUPPORTED_MEDIA_TYPE', status: 415 },
  rateLimited: { code: 'WINNOW_RATE_LIMITED', status: 429 },
  internal: { code: 'WINNOW_INTERNAL', status: 500 },
  unavailable: { code: 'WINNOW_UNAVAILABLE', status: 503 },
} as const;
export type ApiErrorKind = keyof typeof ApiErrorCode;

/** The body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues?: readonly { pointer: string; message: string }[];
    readonly requestId: string;
  };
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly issues?: readonly ValidationIssue[],
  ) {
    super(message);
  }
}

/** JSON Schema of ErrorBody, for every route's error responses. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        issues: {
          type: 'array',
          items: {
            type: 'object',
            required: ['pointer', 'message'],
            properties: { pointer: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;
