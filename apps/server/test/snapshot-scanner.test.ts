import fc from 'fast-check';
import type { WinnowValidationError } from '@winnow/engine';
import { type SnapshotEvent, SnapshotScanner } from '../src/import/snapshot-scanner';

const KEYS = new Set(['apiVersion', 'kind', 'repositories']);

/** Scans `text` fed in the given chunks of its UTF-8 bytes. */
function scan(text: string, cuts: readonly number[] = []): SnapshotEvent[] {
  const bytes = Buffer.from(text);
  const scanner = new SnapshotScanner(KEYS, 'repositories');
  const events: SnapshotEvent[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    events.push(...scanner.push(bytes.subarray(start, cut)));
    start = cut;
  }
  events.push(...scanner.push(bytes.subarray(start)));
  events.push(...scanner.finish());
  return events;
}

/** What the scanner should report for a valid snapshot: the same values as JSON.parse. */
function expected(text: string): SnapshotEvent[] {
  const snapshot = JSON.parse(text) as Record<string, unknown>;
  return Object.entries(snapshot).flatMap(([key, value]): SnapshotEvent[] =>
    key === 'repositories'
      ? (value as unknown[]).map((element, index) => ({ kind: 'element', index, value: element }))
      : [{ kind: 'property', key, value }],
  );
}

function failure(text: string, cuts: readonly number[] = []): { pointer: string; message: string } {
  try {
    scan(text, cuts);
  } catch (error) {
    const issue = (error as WinnowValidationError).issues[0];
    if (issue) return { pointer: issue.pointer, message: issue.message };
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

const awkward =
  ' {\n "kind" : "Inventory",\t"repositories" : [ {"name":"a\\"]}[{,","x":[1,{"y":"\\\\"}]},' +
  '\r\n{"name":"😀 ß \\u00e9","n":-1.5e3,"t":true,"f":false,"z":null} , 7, "s", [] ] ,' +
  '"apiVersion":"winnow/v1" } \n';

describe('the snapshot scanner', () => {
  it('reports the envelope and every element, whatever the whitespace, escapes and nesting', () => {
    expect(scan(awkward)).toEqual(expected(awkward));
  });

  it('gives the same events for every place a chunk can end, and byte by byte', () => {
    const length = Buffer.byteLength(awkward);
    for (let cut = 0; cut <= length; cut += 1) {
      expect(scan(awkward, [cut])).toEqual(expected(awkward));
    }
    expect(
      scan(
        awkward,
        Array.from({ length }, (_, i) => i),
      ),
    ).toEqual(expected(awkward));
  });

  it('agrees with JSON.parse on random snapshots cut into random chunks', () => {
    const snapshot = fc.record({
      apiVersion: fc.jsonValue({ maxDepth: 2 }),
      kind: fc.jsonValue({ maxDepth: 2 }),
      repositories: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        snapshot,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (value, cuts, pretty) => {
          const text = JSON.stringify(value, null, pretty ? 2 : undefined);
          const length = Buffer.byteLength(text);
          expect(
            scan(
              text,
              cuts.map((cut) => cut % (length + 1)),
            ),
          ).toEqual(expected(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['[]', '', 'expected an object'],
    ['', '', 'expected JSON: the text ends early (the text breaks at the top level)'],
    ['{"kind":"Inventory",', '', expect.stringMatching(/^expected JSON: the text ends early/)],
    ['{"kind" "Inventory"}', '/kind', expect.stringMatching(/unexpected "\\"", expected ":"/)],
    ['{"kind":"Inventory" "x"}', '', expect.stringMatching(/expected "," or "}"/)],
    ['{"kind":"Inventory",}', '', expect.stringMatching(/expected a property name/)],
    ['{kind:1}', '', expect.stringMatching(/expected a property name/)],
    ['{"extra":1}', '/extra', 'must NOT have additional properties'],
    ['{"kind":1,"kind":2}', '/kind', 'expected the property once'],
    ['{"repositories":{}}', '/repositories', 'must be array'],
    ['{"repositories":[1,]}', '/repositories', expect.stringMatching(/expected a repository/)],
    ['{"repositories":[,1]}', '/repositories', expect.stringMatching(/expected a repository/)],
    ['{"repositories":[1 2]}', '/repositories/0', expect.stringMatching(/expected "," or "]"/)],
    ['{"repositories":[{"a":1]]}', '/repositories/0', expect.stringMatching(/^expected JSON: /)],
    ['{"repositories":[{"a":tru}]}', '/repositories/0', expect.stringMatching(/^expected JSON: /)],
    ['{"repositories":[{"a":"b]}', '/repositories/0', expect.stringMatching(/ends early/)],
    ['{"kind":nul}', '/kind', expect.stringMatching(/^expected JSON: /)],
    ['{"repositories":[]} x', '', 'expected the end of the document'],
    ['{"repositories":[]}{}', '', 'expected the end of the document'],
  ] as [string, string, unknown][])('rejects %j at %j', (text, pointer, message) => {
    expect(failure(text)).toEqual({ pointer, message });
    // The same answer when the text arrives one byte at a time.
    const length = Buffer.byteLength(text);
    expect(
      failure(
        text,
        Array.from({ length }, (_, i) => i),
      ),
    ).toEqual({ pointer, message });
  });

  it('rejects whatever JSON.parse rejects, on random corruptions of a valid snapshot', () => {
    const text = awkward;
    fc.assert(
      fc.property(
        fc.nat(text.length - 1),
        fc.constantFrom('', ',', ']', '}', '"', '\\', 'x', ':'),
        (at, insert) => {
          const corrupted = text.slice(0, at) + insert + text.slice(at + 1);
          let valid = true;
          try {
            JSON.parse(corrupted);
          } catch {
            valid = false;
          }
          if (valid) return;
          expect(() => scan(corrupted)).toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});
