/**
 * Values for fuzzing: shaped by a JSON Schema (right and wrong), and hostile values of any shape
 * (huge numbers, unicode, prototype-pollution keys, deep nesting).
 */
import fc from 'fast-check';

export interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Numbers parsers and databases get wrong: huge, tiny, negative zero, past 2^53, past 2^63. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1e308,
    -1e308,
    5e-324,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    2 ** 63,
    2 ** 31,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    0.5,
    1e21,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Strings of every kind: unicode (astral, combining, RTL, NUL), path tricks, very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '..',
    '../../etc/passwd',
    '%2e%2e',
    '__proto__',
    'constructor',
    'a'.repeat(10_000),
    '\u202e\u0301🙂',
    '1e400',
    'NaN',
    'null',
    '-0',
    '9'.repeat(40),
    '2026-02-30T25:61:61Z',
    '0000-00-00T00:00:00Z',
    '@every 0s',
    '* * * * * * *',
    'sha256:' + 'g'.repeat(64),
  ),
  fc.integer().map(String),
);

/** An own property named `key`, `__proto__` included (an object literal would set the prototype). */
function withKey(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

/** JSON text of any value (JSON.stringify gives undefined for undefined, whatever its type says). */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'null';
}

/** Any JSON value, often with prototype-pollution keys and hostile leaves. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string()), tie('value')), {
        maxLength: 4,
      })
      .map((entries) =>
        entries.reduce<Record<string, unknown>>((o, [k, v]) => withKey(o, k, v), {}),
      ),
  ),
})).value;

/** JSON text nested up to 5,000 deep: what a recursive validator or serializer must survive. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(100, 5000), fc.constantFrom(['[', ']'] as const, ['{"a":', '}'] as const))
  .map(([depth, [open, end]]) => `${open.repeat(depth)}1${end.repeat(depth)}`);

function typesOf(schema: Schema): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

function rightString(schema: Schema): fc.Arbitrary<string> {
  if (schema.pattern !== undefined) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern, 'u'), { maxLength: 60 });
    } catch {
      return fc.string();
    }
  }
  if (schema.format === 'date-time')
    return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uri') return fc.webUrl();
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 40 });
}

function rightValue(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((s) => fromSchema(s, depth + 1)));
  }
  if (schema.allOf && schema.allOf.length > 0) return fromSchema(schema.allOf[0] ?? {}, depth + 1);
  const type = typesOf(schema)[0];
  switch (type) {
    case 'string':
      return rightString(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(depth > 4 ? hostileJson : fromSchema(schema.items ?? {}, depth + 1), {
        maxLength: 4,
      });
    case 'object':
      return objectOf(schema, depth);
    default:
      return hostileJson;
  }
}

function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([name, property]) =>
    fc.tuple(
      fc.constant(name),
      // A required field is sometimes missing, an optional one sometimes present.
      fc.option(depth > 4 ? hostileJson : fromSchema(property, depth + 1), {
        freq: required.has(name) ? 10 : 2,
      }),
    ),
  );
  const extra = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 10 })),
      hostileJson,
    ),
    { maxLength: 2 },
  );
  return fc.tuple(fc.tuple(...fields), fc.option(extra, { freq: 4 })).map(([present, added]) => {
    const object: Record<string, unknown> = {};
    for (const [name, value] of present) if (value !== null) withKey(object, name, value);
    for (const [name, value] of added ?? []) withKey(object, name, value);
    return object;
  });
}

/**
 * A value for `schema`: mostly schema-shaped (each part right or wrong by itself, so a case gets
 * past the outer checks and hits an inner one), sometimes anything at all.
 */
export function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: rightValue(schema, depth) },
    { weight: 2, arbitrary: hostileJson },
    { weight: 1, arbitrary: hostileNumber },
    { weight: 1, arbitrary: hostileString },
  );
}
