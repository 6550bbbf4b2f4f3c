import { ConfigError, readConfig, redactUrl } from '../src/config';

const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(readConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'file:./data/winnow.db',
      databaseTimeouts: { connectMs: 5_000, queryMs: 30_000 },
      logLevel: 'info',
      worker: {
        enabled: true,
        intervalMs: 30_000,
        batchSize: 100,
        concurrency: 4,
        leaseMs: 60_000,
      },
      restoreWindowMs: 14 * 86_400_000,
      maxDeleteRatio: 0.9,
      shutdownTimeoutMs: 20_000,
      runProgressMaxAgeMs: 1000,
      secretKey: undefined,
      rateLimitPerMinute: 1200,
      eventsSecret: undefined,
      auth: { enabled: true, adminToken: undefined, metrics: 'open' },
    });
  });

  it('reads every variable', () => {
    expect(
      readConfig({
        WINNOW_HOST: '0.0.0.0',
        WINNOW_PORT: '9000',
        DATABASE_URL: 'postgres://u:p@db/winnow',
        WINNOW_DATABASE_CONNECT_TIMEOUT: '2s',
        WINNOW_DATABASE_QUERY_TIMEOUT: '1m',
        WINNOW_LOG_LEVEL: 'debug',
        WINNOW_WORKER_ENABLED: 'false',
        WINNOW_WORKER_INTERVAL: '500ms',
        WINNOW_WORKER_BATCH_SIZE: '25',
        WINNOW_WORKER_CONCURRENCY: '8',
        WINNOW_LEASE_DURATION: '2m',
        WINNOW_RESTORE_WINDOW: '36h',
        WINNOW_MAX_DELETE_RATIO: '0.5',
        WINNOW_SHUTDOWN_TIMEOUT: '5s',
        WINNOW_RUN_PROGRESS_MAX_AGE: '250ms',
        WINNOW_SECRET_KEY: KEY.toString('base64'),
        WINNOW_EVENTS_SECRET: 'a-secret-of-sixteen+',
        WINNOW_RATE_LIMIT: '600',
        WINNOW_AUTH: 'off',
        WINNOW_ADMIN_TOKEN: 'an-admin-token-of-thirty-two-chars',
        WINNOW_METRICS_AUTH: 'token',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 9000,
      databaseUrl: 'postgres://u:p@db/winnow',
      databaseTimeouts: { connectMs: 2_000, queryMs: 60_000 },
      logLevel: 'debug',
      worker: { enabled: false, intervalMs: 500, batchSize: 25, concurrency: 8, leaseMs: 120_000 },
      restoreWindowMs: 36 * 3_600_000,
      maxDeleteRatio: 0.5,
      shutdownTimeoutMs: 5000,
      runProgressMaxAgeMs: 250,
      secretKey: KEY,
      eventsSecret: 'a-secret-of-sixteen+',
      rateLimitPerMinute: 600,
      auth: { enabled: false, adminToken: 'an-admin-token-of-thirty-two-chars', metrics: 'token' },
    });
  });

  it('sums a running run on every read with WINNOW_RUN_PROGRESS_MAX_AGE=off', () => {
    expect(readConfig({ WINNOW_RUN_PROGRESS_MAX_AGE: 'off' }).runProgressMaxAgeMs).toBe(0);
  });

  it('turns the guard off with off, and accepts 1', () => {
    expect(readConfig({ WINNOW_MAX_DELETE_RATIO: 'off' }).maxDeleteRatio).toBeUndefined();
    expect(readConfig({ WINNOW_MAX_DELETE_RATIO: '1' }).maxDeleteRatio).toBe(1);
    expect(readConfig({ WINNOW_MAX_DELETE_RATIO: '.25' }).maxDeleteRatio).toBe(0.25);
  });

  it('reads the secret key as 64 hex digits or as base64 (with or without padding, URL-safe)', () => {
    for (const text of [
      KEY.toString('hex'),
      KEY.toString('hex').toUpperCase(),
      KEY.toString('base64'),
      KEY.toString('base64url'),
      ` ${KEY.toString('base64')}\n`,
    ]) {
      expect(readConfig({ WINNOW_SECRET_KEY: text }).secretKey).toEqual(KEY);
    }
  });

  it.each([
    KEY.subarray(0, 16).toString('base64'),
    KEY.toString('hex').slice(2),
    Buffer.concat([KEY, KEY]).toString('base64'),
    'correct horse battery staple, correct horse battery',
  ])('rejects the secret key %j without showing it', (value) => {
    expect(() => readConfig({ WINNOW_SECRET_KEY: value })).toThrow(
      /^WINNOW_SECRET_KEY: expected 32 bytes as 64 hex digits or in base64/,
    );
    expect(() => readConfig({ WINNOW_SECRET_KEY: value })).not.toThrow(value);
  });

  it.each([
    [{ WINNOW_PORT: 'eighty' }, /WINNOW_PORT: expected a port number/],
    [{ WINNOW_PORT: '70000' }, /WINNOW_PORT/],
    [{ WINNOW_PORT: '0' }, /WINNOW_PORT/],
    [{ WINNOW_LOG_LEVEL: 'loud' }, /WINNOW_LOG_LEVEL: expected one of fatal, error/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: expected file:<path>/],
    [{ WINNOW_WORKER_ENABLED: 'maybe' }, /WINNOW_WORKER_ENABLED: expected true or false/],
    [{ WINNOW_WORKER_INTERVAL: '30' }, /WINNOW_WORKER_INTERVAL: expected a positive duration/],
    [{ WINNOW_WORKER_INTERVAL: '0s' }, /WINNOW_WORKER_INTERVAL/],
    [{ WINNOW_WORKER_INTERVAL: '1.5s' }, /WINNOW_WORKER_INTERVAL/],
    [{ WINNOW_WORKER_BATCH_SIZE: '0' }, /WINNOW_WORKER_BATCH_SIZE: expected a whole number/],
    [{ WINNOW_WORKER_CONCURRENCY: '65' }, /WINNOW_WORKER_CONCURRENCY: expected a whole number/],
    [{ WINNOW_WORKER_BATCH_SIZE: '10001' }, /WINNOW_WORKER_BATCH_SIZE/],
    [{ WINNOW_LEASE_DURATION: '500ms' }, /WINNOW_LEASE_DURATION: expected at least 1s/],
    [{ WINNOW_RESTORE_WINDOW: 'two weeks' }, /WINNOW_RESTORE_WINDOW: expected a positive/],
    [{ WINNOW_MAX_DELETE_RATIO: '0' }, /WINNOW_MAX_DELETE_RATIO: expected a number greater/],
    [{ WINNOW_MAX_DELETE_RATIO: '1.5' }, /WINNOW_MAX_DELETE_RATIO/],
    [{ WINNOW_MAX_DELETE_RATIO: '90%' }, /WINNOW_MAX_DELETE_RATIO/],
    [{ WINNOW_SHUTDOWN_TIMEOUT: '-5s' }, /WINNOW_SHUTDOWN_TIMEOUT: expected a positive/],
    [{ WINNOW_RUN_PROGRESS_MAX_AGE: '0' }, /WINNOW_RUN_PROGRESS_MAX_AGE: expected a positive/],
    [{ WINNOW_DATABASE_CONNECT_TIMEOUT: '0s' }, /WINNOW_DATABASE_CONNECT_TIMEOUT: expected a/],
    [{ WINNOW_DATABASE_QUERY_TIMEOUT: 'never' }, /WINNOW_DATABASE_QUERY_TIMEOUT: expected a/],
    [{ WINNOW_EVENTS_SECRET: 'short' }, /WINNOW_EVENTS_SECRET: expected at least 16 characters/],
    [{ WINNOW_EVENTS_SECRET: 'sixteen chars and a space' }, /WINNOW_EVENTS_SECRET/],
    [{ WINNOW_AUTH: 'maybe' }, /WINNOW_AUTH: expected true or false/],
    [{ WINNOW_ADMIN_TOKEN: 'too-short' }, /WINNOW_ADMIN_TOKEN: expected at least 32 printable/],
    [{ WINNOW_ADMIN_TOKEN: 'thirty-two characters with spaces in' }, /WINNOW_ADMIN_TOKEN/],
    [{ WINNOW_METRICS_AUTH: 'closed' }, /WINNOW_METRICS_AUTH: expected open or token/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('never shows the events secret in its message', () => {
    let message = '';
    try {
      readConfig({ WINNOW_EVENTS_SECRET: 'tiny-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^WINNOW_EVENTS_SECRET/);
    expect(message).not.toContain('tiny-secret');
  });

  it('never shows a database password', () => {
    expect(redactUrl('postgres://winnow:s3cret@db:5432/winnow')).toBe(
      'postgres://winnow:***@db:5432/winnow',
    );
    expect(redactUrl('file:./data/winnow.db')).toBe('file:./data/winnow.db');
  });
});
