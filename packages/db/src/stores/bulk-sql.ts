import type { Provider } from '../provider';

/**
 * Set-based statements for bulk writes: thousands of rows in one statement and one round trip,
 * whatever the provider's limit on bind parameters.
 * - PostgreSQL: one array parameter per column, turned into rows by `unnest` (parsing arrays is
 *   an order of magnitude cheaper for the server than `json_to_recordset`);
 * - SQLite: one parameter, a JSON array of row arrays, turned into rows by `json_each`.
 *
 * Values are prepared by `bulkTime`, `bulkBoolean` and `bulkBigInt` in Prisma's own column
 * formats, so that rows read back through Prisma exactly as if Prisma had written them.
 */

type PgType = 'integer' | 'text' | 'bigint' | 'boolean' | 'timestamp(3)' | 'jsonb';

/** A column of a bulk statement: the row key that holds its value, its name and type. */
export interface Field {
  readonly key: string;
  readonly column: string;
  readonly type: PgType;
}

export type BulkRow = Readonly<Record<string, unknown>>;

/** A statement and the function that turns rows into its parameters. */
export interface BulkStatement {
  readonly sql: string;
  parameters(rows: readonly BulkRow[]): unknown[];
}

const quoted = (name: string): string => `"${name}"`;

/** The rows as a derived table `x` with one column per field, named by the fields' keys. */
function rowsSource(provider: Provider, fields: readonly Field[]): string {
  if (provider === 'postgresql') {
    const arrays = fields.map((field, i) => `$${i + 1}::${field.type}[]`).join(', ');
    return `unnest(${arrays}) AS x(${fields.map((field) => field.key).join(', ')})`;
  }
  const values = fields.map((field, i) => `value ->> ${i} AS ${field.key}`).join(', ');
  return `(SELECT ${values} FROM json_each(?)) AS x`;
}

function parametersOf(provider: Provider, fields: readonly Field[]) {
  return (rows: readonly BulkRow[]): unknown[] =>
    provider === 'postgresql'
      ? fields.map((field) => rows.map((row) => row[field.key] ?? null))
      : [JSON.stringify(rows.map((row) => fields.map((field) => row[field.key] ?? null)))];
}

/** `INSERT INTO table (columns) SELECT ... [RETURNING ...]`. */
export function insertRows(
  provider: Provider,
  table: string,
  fields: readonly Field[],
  returning: readonly string[] = [],
): BulkStatement {
  const columns = fields.map((field) => quoted(field.column)).join(', ');
  const values = fields.map((field) => `x.${field.key}`).join(', ');
  const tail = returning.length === 0 ? '' : ` RETURNING ${returning.map(quoted).join(', ')}`;
  return {
    sql: `INSERT INTO ${quoted(table)} (${columns}) SELECT ${values} FROM ${rowsSource(provider, fields)}${tail}`,
    parameters: parametersOf(provider, fields),
  };
}

/** `UPDATE table SET columns = ... WHERE id = ...`, the first field being the id. */
export function updateRows(
  provider: Provider,
  table: string,
  fields: readonly Field[],
): BulkStatement {
  const [id, ...set] = fields;
  if (id === undefined) throw new Error('updateRows needs an id field');
  const assignments = set.map((field) => `${quoted(field.column)} = x.${field.key}`).join(', ');
  return {
    sql:
      `UPDATE ${quoted(table)} SET ${assignments} FROM ${rowsSource(provider, fields)} ` +
      `WHERE ${quoted(table)}.${quoted(id.column)} = x.${id.key}`,
    parameters: parametersOf(provider, fields),
  };
}

/** `DELETE FROM table WHERE column IN (ids)`; its rows are `{ id }`. */
export function deleteRows(provider: Provider, table: string, column: string): BulkStatement {
  const field: Field = { key: 'id', column, type: 'integer' };
  const list =
    provider === 'postgresql'
      ? `SELECT unnest($1::integer[])`
      : `SELECT value ->> 0 FROM json_each(?)`;
  return {
    sql: `DELETE FROM ${quoted(table)} WHERE ${quoted(column)} IN (${list})`,
    parameters: parametersOf(provider, [field]),
  };
}

/**
 * A time as Prisma stores it: PostgreSQL `timestamp(3)` holds the UTC wall time (ISO 8601 with
 * `Z`, whose zone a `timestamp` ignores); Prisma's SQLite adapter writes
 * `YYYY-MM-DDTHH:MM:SS.mmm+00:00` text.
 */
export function bulkTime(provider: Provider, value: Date | null): string | null {
  if (value === null) return null;
  const iso = value.toISOString();
  return provider === 'postgresql' ? iso : `${iso.slice(0, -1)}+00:00`;
}

/** SQLite has no boolean: Prisma stores 0 and 1. */
export const bulkBoolean = (provider: Provider, value: boolean): boolean | number =>
  provider === 'postgresql' ? value : value ? 1 : 0;

/** A BigInt as decimal text (JSON has no 64-bit integers; both databases cast the text). */
export const bulkBigInt = (value: bigint | null): string | null =>
  value === null ? null : value.toString();
