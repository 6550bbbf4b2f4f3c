import { ConfigError, readConfig, redactUrl } from '../src/config';

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(readConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'file:./data/winnow.db',
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    expect(
      readConfig({
        WINNOW_HOST: '0.0.0.0',
        WINNOW_PORT: '9000',
        DATABASE_URL: 'postgres://u:p@db/winnow',
        WINNOW_LOG_LEVEL: 'debug',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 9000,
      databaseUrl: 'postgres://u:p@db/winnow',
      logLevel: 'debug',
    });
  });

  it.each([
    [{ WINNOW_PORT: 'eighty' }, /WINNOW_PORT: expected a port number/],
    [{ WINNOW_PORT: '70000' }, /WINNOW_PORT/],
    [{ WINNOW_PORT: '0' }, /WINNOW_PORT/],
    [{ WINNOW_LOG_LEVEL: 'loud' }, /WINNOW_LOG_LEVEL: expected one of fatal, error/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: expected file:<path>/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('never shows a database password', () => {
    expect(redactUrl('postgres://winnow:s3cret@db:5432/winnow')).toBe(
      'postgres://winnow:***@db:5432/winnow',
    );
    expect(redactUrl('file:./data/winnow.db')).toBe('file:./data/winnow.db');
  });
});
