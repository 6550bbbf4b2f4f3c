import { maskedUrl } from './notification-schemas';

describe('maskedUrl', () => {
  it.each([
    ['https://hooks.example/winnow', 'https://hooks.example/winnow'],
    ['https://hooks.example/', 'https://hooks.example/'],
    ['https://hooks.slack.com/services/T0/B0/xyz', 'https://hooks.slack.com/services/…'],
    ['https://hooks.example/winnow?token=abc', 'https://hooks.example/winnow/…'],
    ['https://hooks.example/?token=abc', 'https://hooks.example/…'],
    ['http://127.0.0.1:9000/a/b', 'http://127.0.0.1:9000/a/…'],
  ])('shows %s as %s', (url, shown) => {
    expect(maskedUrl(url)).toBe(shown);
  });
});
