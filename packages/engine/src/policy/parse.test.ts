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

  it('still reads a document with a few aliases', () => {
    expect(parseDocuments('a: &x 1\nb: *x\n')).toEqual([
      { value: { a: 1, b: 1 }, file: undefined },
    ]);
  });

  it('reads a collection used as a key as its text, and writes no warning to the process', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      expect(parseDocuments('? [a, b]\n: 1\n')).toEqual([
        { value: { '[ a, b ]': 1 }, file: undefined },
      ]);
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });
});
