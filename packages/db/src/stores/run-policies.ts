import type { PolicyDocument } from '@winnow/engine';

import type { DbTransaction } from '../client';

/** The policy documents the run keeps (see `createRun`); null for an unknown or older run. */
export async function runPolicies(
  db: DbTransaction,
  runId: number,
): Promise<PolicyDocument[] | null> {
  const row = await db.run.findUnique({ where: { id: runId }, select: { policies: true } });
  const text = row?.policies ?? null;
  return text === null ? null : (JSON.parse(text) as PolicyDocument[]);
}

/** When the latest run that succeeded and was not a dry run finished. */
export async function lastSucceeded(db: DbTransaction): Promise<Date | null> {
  const row = await db.run.findFirst({
    where: { status: 'succeeded', dryRun: false },
    orderBy: { finishedAt: 'desc' },
    select: { finishedAt: true },
  });
  return row?.finishedAt ?? null;
}
