import { WinnowValidationError } from '../errors';
import { parseDocuments } from './parse';

describe('parseDocuments', () => {
  it('refuses a YAML alias bomb with a validation error, not an escaping ReferenceError', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    let thrown: unknown;
    try {
      parseDocuments(bomb, 'bomb.yaml');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WinnowValidationError);
    expect((thrown as WinnowValidationError).issues).toEqual([
      {
        file: 'bomb.yaml',
        pointer: '',
        message: 'expected at most 100 alias expansions (YAML aliases that multiply the document)',
      },
    ]);
  });

  it('refuses a sequence or mapping as a key, naming the mapping that holds it', () => {
    const cases: [string, string][] = [
      ['? [a, b]\n: 1\n', ''],
      ['a:\n  - b: 1\n    ? { c: 1 }\n    : 2\n', '/a/0'],
      ['x~/y:\n  z: &s [1]\n  ? *s\n  : 3\n', '/x~0~1y'],
    ];
    for (const [text, pointer] of cases) {
      let thrown: unknown;
      try {
        parseDocuments(text, 'keys.yaml');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WinnowValidationError);
      expect((thrown as WinnowValidationError).issues).toEqual([
        {
          file: 'keys.yaml',
          pointer,
          message: 'expected string keys, got a sequence or mapping as a key',
        },
      ]);
    }
    // Scalar keys that are not strings (numbers, booleans) are read as their text, as before.
    expect(parseDocuments('1: a\ntrue: b\n')).toEqual([
      { value: { '1': 'a', true: 'b' }, file: undefined },
    ]);
  });

  it('still reads a document with a few aliases', () => {
    expect(parseDocuments('a: &x 1\nb: *x\n')).toEqual([
      { value: { a: 1, b: 1 }, file: undefined },
    ]);
  });

  it('refuses a collection used as a key without writing a warning to the process', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      expect(() => parseDocuments('? [a, b]\n: 1\n')).toThrow(/expected string keys/);
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });
});
