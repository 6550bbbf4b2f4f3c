import { redactText, secretScrubber } from './redact';

describe('redactText', () => {
  it.each([
    ['postgres://winnow:s3cret@db:5432/winnow', 'postgres://winnow:***@db:5432/winnow'],
    ['postgresql://u:p%40ss@db/w', 'postgresql://u:***@db/w'],
    ['connect postgres://u:p@ss/x@db/w failed', 'connect postgres://u:***@db/w failed'],
    [
      'GET https://r.example/v2/?token=abc.def&scope=x',
      'GET https://r.example/v2/?token=***&scope=x',
    ],
    ['/api/v1/runs?limit=5&access_token=zzz', '/api/v1/runs?limit=5&access_token=***'],
    ['/x?Password=hunter2#top', '/x?Password=***#top'],
    [
      'postgres://h/db?sslpassword=p&sslmode=require',
      'postgres://h/db?sslpassword=***&sslmode=require',
    ],
    ['https://s3/b?X-Amz-Signature=abc&api_key=k', 'https://s3/b?X-Amz-Signature=***&api_key=***'],
    ['a: http://u:p@h/1 b: https://v:q@k/2', 'a: http://u:***@h/1 b: https://v:***@k/2'],
  ])('%s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    'file:./data/winnow.db',
    'postgres://postgres@127.0.0.1:5432/winnow',
    'GET http://127.0.0.1:5000/v2/acme/web/manifests/sha256:0123: 404',
    '/api/v1/runs?limit=5&scope=acme',
  ])('leaves %s alone', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('secretScrubber', () => {
  it('replaces each secret of 8 characters or more, as JSON escapes it', () => {
    const scrub = secretScrubber(['events-secret-1234', 'qu"ote\\d-secret', 'short', undefined]);
    const line = JSON.stringify({ a: 'events-secret-1234', b: 'x qu"ote\\d-secret y', c: 'short' });
    expect(JSON.parse(scrub(line))).toEqual({
      a: '[redacted]',
      b: 'x [redacted] y',
      c: 'short',
    });
  });

  it('passes lines through when there is nothing to hide', () => {
    expect(secretScrubber([undefined])('{"msg":"x"}')).toBe('{"msg":"x"}');
  });
});
