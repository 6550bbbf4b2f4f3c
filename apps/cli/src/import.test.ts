import { bytes, uploadProgress } from './import';

it.each([
  [0, '0 B'],
  [1023, '1023 B'],
  [1536, '1.5 KiB'],
  [5 * 1024 * 1024, '5.0 MiB'],
  [3 * 1024 ** 3, '3.0 GiB'],
])('bytes(%i) is %s', (n, text) => {
  expect(bytes(n)).toBe(text);
});

it('shows the share of the file sent, then that the server stores the rest', () => {
  expect(uploadProgress(4 * 1024 * 1024, 10 * 1024 * 1024)).toEqual({
    status: 'sending',
    line: '[####......] 40% · 4.0 MiB of 10.0 MiB',
  });
  expect(uploadProgress(10 * 1024 * 1024, 10 * 1024 * 1024)).toEqual({
    status: 'storing',
    line: '10.0 MiB sent; the server stores the last repositories',
  });
});
