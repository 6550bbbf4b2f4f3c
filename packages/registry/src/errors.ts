/** Stable codes of the registry errors. */
export const RegistryErrorCode = {
  /** The registry refused the credentials, or a token could not be obtained. */
  unauthorized: 'WINNOW_REGISTRY_UNAUTHORIZED',
  /** The registry answered something the distribution spec does not allow. */
  protocol: 'WINNOW_REGISTRY_PROTOCOL',
  /** The registry failed (5xx, 429) or could not be reached in time. */
  unavailable: 'WINNOW_REGISTRY_UNAVAILABLE',
  /** Anything else the registry refused (4xx). */
  refused: 'WINNOW_REGISTRY_REFUSED',
} as const;
export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

/** An error from a registry: a stable code, the HTTP status if any, and what was asked. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
