/**
 * The largest id a row can have: ids are Prisma `Int` (32-bit on PostgreSQL), so a larger number
 * in a path or query can name nothing. Checked at the edge, it is a 400 naming the field, not a
 * database error (a 500) or a driver's silent overflow.
 */
export const MAX_ID = 2_147_483_647;

/** A row id in a path: a whole number from 1 to MAX_ID. */
export const idSchema = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
