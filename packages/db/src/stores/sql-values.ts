import { Prisma } from '../generated/postgresql/client';
import type { Provider } from '../provider';

/**
 * A subquery over the values of a list passed as ONE JSON parameter, so a statement takes any
 * number of values (bind parameters are limited: 32,766 in SQLite, 65,535 in PostgreSQL).
 */
export function textValues(provider: Provider, values: readonly string[]): Prisma.Sql {
  const json = JSON.stringify(values);
  return provider === 'postgresql'
    ? Prisma.sql`SELECT json_array_elements_text(${json}::json)`
    : Prisma.sql`SELECT value FROM json_each(${json})`;
}

export function integerValues(provider: Provider, values: readonly number[]): Prisma.Sql {
  const json = JSON.stringify(values);
  return provider === 'postgresql'
    ? Prisma.sql`SELECT json_array_elements_text(${json}::json)::integer`
    : Prisma.sql`SELECT value FROM json_each(${json})`;
}
