import { coloursFor } from './colour';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('coloursFor', () => {
  it.each([
    ['a terminal', tty, {}, true],
    ['a pipe', pipe, {}, false],
    ['a terminal with NO_COLOR=1', tty, { NO_COLOR: '1' }, false],
    ['a terminal with an empty NO_COLOR (no-color.org: ignored)', tty, { NO_COLOR: '' }, true],
    ['a terminal with TERM=dumb', tty, { TERM: 'dumb' }, false],
    ['a pipe with FORCE_COLOR=1', pipe, { FORCE_COLOR: '1' }, true],
    ['a pipe with an empty FORCE_COLOR', pipe, { FORCE_COLOR: '' }, true],
    ['a pipe with FORCE_COLOR=true', pipe, { FORCE_COLOR: 'true' }, true],
    ['FORCE_COLOR=1 over NO_COLOR (as Node does)', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
    ['a terminal with FORCE_COLOR=0', tty, { FORCE_COLOR: '0' }, false],
    ['a terminal with FORCE_COLOR=false', tty, { FORCE_COLOR: 'false' }, false],
  ])('%s: %s', (_what, stream, env, expected) => {
    expect(coloursFor(stream, env)).toBe(expected);
  });
});
