import type { DbTransaction } from '../client';
import { Prisma } from '../generated/postgresql/client';
import type { Provider } from '../provider';
import type { ApplyOutcome } from './run-types';
import { integerValues, textValues } from './sql-values';

/** Where and as what a run expires tags. */
export interface Expiry {
  readonly repositoryId: number;
  readonly runId: number;
  readonly at: Date;
}

/** A tag decided `delete`: its name and the digest it pointed at when decided. */
export type Target = readonly [name: string, digest: string];

type TargetOutcome = Extract<
  ApplyOutcome,
  'expired' | 'missing' | 'repushed' | 'skipped-immutable'
>;

/**
 * Expires the targets that are still live, still point at the decided digest and are not
 * immutable, and says what happened to each. One UPDATE when nothing changed since the decision
 * (the usual case); otherwise the targets left over are locked and read once to tell why.
 */
export async function expireDecidedTags(
  tx: DbTransaction,
  provider: Provider,
  expiry: Expiry,
  targets: readonly Target[],
): Promise<Map<string, TargetOutcome>> {
  const expired = await expireUnchanged(tx, provider, expiry, targets);
  if (expired === targets.length) return new Map(targets.map(([name]) => [name, 'expired']));
  const states = await lockStates(
    tx,
    provider,
    expiry,
    targets.map(([name]) => name),
  );
  const outcomes = new Map<string, TargetOutcome>();
  const late: number[] = [];
  for (const [name, digest] of targets) {
    const state = states.get(name);
    if (state?.expiredHere === true) outcomes.set(name, 'expired');
    else if (state === undefined || !state.live) outcomes.set(name, 'missing');
    else if (state.digest !== digest) outcomes.set(name, 'repushed');
    else if (state.immutable) outcomes.set(name, 'skipped-immutable');
    else {
      // Changed back between the UPDATE and the lock: it is locked now, so expire it.
      late.push(state.id);
      outcomes.set(name, 'expired');
    }
  }
  if (late.length > 0) {
    await tx.$executeRaw`
      UPDATE "Tag" SET "lifetimeEnd" = ${expiry.at}, "expiredByRunId" = ${expiry.runId}
       WHERE "id" IN (${integerValues(provider, late)})`;
  }
  return outcomes;
}

/** The bulk UPDATE: every condition is checked in it, on the row it changes. */
function expireUnchanged(
  tx: DbTransaction,
  provider: Provider,
  { repositoryId, runId, at }: Expiry,
  targets: readonly Target[],
): Promise<number> {
  const json = JSON.stringify(targets);
  if (provider === 'postgresql') {
    return tx.$executeRaw`
      UPDATE "Tag" t SET "lifetimeEnd" = ${at}, "expiredByRunId" = ${runId}
        FROM json_array_elements(${json}::json) d
       WHERE t."repositoryId" = ${repositoryId} AND t."name" = d->>0 AND t."digest" = d->>1
         AND t."lifetimeEnd" IS NULL AND NOT t."immutable"`;
  }
  return tx.$executeRaw`
    UPDATE "Tag" SET "lifetimeEnd" = ${at}, "expiredByRunId" = ${runId}
     WHERE "repositoryId" = ${repositoryId} AND "lifetimeEnd" IS NULL AND NOT "immutable"
       AND ("name", "digest") IN
           (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${json}))`;
}

interface TagState {
  id: number;
  digest: string;
  immutable: boolean;
  live: boolean;
  expiredHere: boolean;
}

/**
 * The named tags' state, locked until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
 * write transaction already excludes other writers).
 */
async function lockStates(
  tx: DbTransaction,
  provider: Provider,
  { repositoryId, runId, at }: Expiry,
  names: readonly string[],
): Promise<Map<string, TagState>> {
  const lock = provider === 'postgresql' ? Prisma.sql`FOR UPDATE` : Prisma.empty;
  // SQLite answers the boolean expressions with 0 or 1.
  const rows = await tx.$queryRaw<
    (Omit<TagState, 'live' | 'expiredHere'> & {
      name: string;
      live: boolean | number;
      expiredHere: boolean | number | null;
    })[]
  >`
    SELECT "id", "name", "digest", "immutable", "lifetimeEnd" IS NULL AS "live",
           ("expiredByRunId" = ${runId} AND "lifetimeEnd" = ${at}) AS "expiredHere"
      FROM "Tag"
     WHERE "repositoryId" = ${repositoryId} AND "name" IN (${textValues(provider, names)})
     ${lock}`;
  return new Map(
    rows.map((row) => [
      row.name,
      {
        id: row.id,
        digest: row.digest,
        immutable: row.immutable,
        live: Boolean(row.live),
        expiredHere: Boolean(row.expiredHere),
      },
    ]),
  );
}
