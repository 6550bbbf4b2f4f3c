import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret, SecretErrorCode } from './secrets';

const KEY = randomBytes(32);

/** The error `attempt` throws. */
function thrown(attempt: () => unknown): unknown {
  try {
    attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
const SECRET = 'p4ss:wörd/with+colons==';

describe('registry secrets', () => {
  it('round-trips, in the v1 format, with a fresh IV each time', () => {
    const first = encryptSecret(SECRET, KEY);
    const second = encryptSecret(SECRET, KEY);
    expect(first).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(first).not.toContain(SECRET);
    expect(first).not.toEqual(second);
    expect(decryptSecret(first, KEY)).toBe(SECRET);
    expect(decryptSecret(second, KEY)).toBe(SECRET);
    expect(decryptSecret(encryptSecret('', KEY), KEY)).toBe('');
  });

  it('refuses another key with a clear error, never the plaintext or garbage', () => {
    const stored = encryptSecret(SECRET, KEY);
    expect(thrown(() => decryptSecret(stored, randomBytes(32)))).toMatchObject({
      code: SecretErrorCode.unreadable,
      message:
        'cannot decrypt the secret: WINNOW_SECRET_KEY is not the key it was encrypted with, or the stored value was altered',
    });
  });

  it('refuses an altered value and values that are not v1', () => {
    const [version, iv, tag, ciphertext] = encryptSecret(SECRET, KEY).split(':') as [
      string,
      string,
      string,
      string,
    ];
    const flipped = Buffer.from(ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    for (const stored of [
      [version, iv, tag, flipped.toString('base64')].join(':'),
      [version, iv, Buffer.alloc(16).toString('base64'), ciphertext].join(':'),
      ['v2', iv, tag, ciphertext].join(':'),
      [version, iv, tag].join(':'),
      SECRET,
    ]) {
      expect(thrown(() => decryptSecret(stored, KEY))).toMatchObject({
        code: SecretErrorCode.unreadable,
      });
    }
  });

  it('names WINNOW_SECRET_KEY when there is no key', () => {
    for (const attempt of [
      () => encryptSecret(SECRET, undefined),
      () => decryptSecret('v1:a:b:c', undefined),
    ]) {
      expect(thrown(attempt)).toMatchObject({
        code: SecretErrorCode.keyMissing,
        message: expect.stringContaining('WINNOW_SECRET_KEY is not set') as unknown,
      });
    }
  });
});
