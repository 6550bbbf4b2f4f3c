import type { DbTransaction } from '../client';

/**
 * Bound values per query at most: SQLite takes 999 (PostgreSQL 32,767). Prisma binds one value
 * per id of an `in` list, and an `include` of children binds one per parent row, so a list of
 * manifests is read first and their children in chunks of this many ids.
 */
const IDS_PER_QUERY = 500;

/** The children of each manifest (index entries, in order), by manifest id. */
export async function childrenOf(
  db: DbTransaction,
  manifestIds: readonly number[],
): Promise<Map<number, string[]>> {
  const children = new Map<number, string[]>();
  for (let i = 0; i < manifestIds.length; i += IDS_PER_QUERY) {
    const rows = await db.manifestChild.findMany({
      where: { manifestId: { in: manifestIds.slice(i, i + IDS_PER_QUERY) } },
      orderBy: [{ manifestId: 'asc' }, { position: 'asc' }],
      select: { manifestId: true, childDigest: true },
    });
    for (const row of rows) {
      const list = children.get(row.manifestId);
      if (list === undefined) children.set(row.manifestId, [row.childDigest]);
      else list.push(row.childDigest);
    }
  }
  return children;
}
