import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Why a secret cannot be stored or read: stable codes, messages that never hold the secret. */
export const SecretErrorCode = {
  /** WINNOW_SECRET_KEY is not set: secrets cannot be encrypted or decrypted. */
  keyMissing: 'WINNOW_SECRET_KEY_MISSING',
  /** The stored value does not decrypt with the key: another key, or altered. */
  unreadable: 'WINNOW_SECRET_UNREADABLE',
} as const;
export type SecretErrorCode = (typeof SecretErrorCode)[keyof typeof SecretErrorCode];

export class SecretError extends Error {
  override readonly name = 'SecretError';
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 'v1';
/** GCM's recommended nonce: 96 bits, random for each encryption. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keyMissing = (what: string) =>
  new SecretError(
    SecretErrorCode.keyMissing,
    `${what}: WINNOW_SECRET_KEY is not set; set it to 32 random bytes (64 hex digits or base64) to store registry secrets`,
  );

/** `v1:<iv>:<tag>:<ciphertext>` (base64 each): AES-256-GCM, a fresh IV every time. */
export function encryptSecret(plaintext: string, key: Buffer | undefined): string {
  if (key === undefined) throw keyMissing('cannot encrypt the secret');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
    .join(':');
}

/**
 * The plaintext of a value `encryptSecret` stored. A wrong key or an altered value fails GCM's
 * authentication: a SecretError, never garbage.
 */
export function decryptSecret(stored: string, key: Buffer | undefined): string {
  if (key === undefined) throw keyMissing('cannot decrypt the secret');
  const unreadable = (why: string) =>
    new SecretError(SecretErrorCode.unreadable, `cannot decrypt the secret: ${why}`);
  const [version, iv, tag, ciphertext, ...rest] = stored.split(':');
  if (version !== VERSION || ciphertext === undefined || rest.length > 0) {
    throw unreadable(`not a ${VERSION} encrypted value`);
  }
  const ivBytes = Buffer.from(iv ?? '', 'base64');
  const tagBytes = Buffer.from(tag ?? '', 'base64');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw unreadable(`not a ${VERSION} encrypted value`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw unreadable(
      'WINNOW_SECRET_KEY is not the key it was encrypted with, or the stored value was altered',
    );
  }
}
