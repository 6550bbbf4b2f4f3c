import { DbErrorCode, providerOf } from '../src';

describe('providerOf', () => {
  it.each([
    ['file:./data/winnow.db', 'sqlite'],
    ['file:/var/lib/winnow/winnow.db', 'sqlite'],
    ['postgres://winnow@db:5432/winnow', 'postgresql'],
    ['postgresql://winnow:secret@db/winnow?sslmode=require', 'postgresql'],
  ])('%s → %s', (url, provider) => {
    expect(providerOf(url)).toBe(provider);
  });

  it('rejects other URLs without echoing credentials', () => {
    let error: unknown;
    try {
      providerOf('mysql://root:hunter2@db/winnow');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: DbErrorCode.unsupportedUrl });
    expect((error as Error).message).not.toContain('hunter2');
  });
});
