import type { Database } from '@winnow/db';
import {
  type CompiledPolicies,
  compilePolicies,
  formatIssue,
  policyIssues,
  policyLabel,
  type PolicyDocument,
} from '@winnow/engine';
import { TaskFailure } from './task-errors';

/** Runs whose compiled policies are kept: a worker works on few runs at a time. */
const CACHED_RUNS = 16;

type Compiled = { policies: CompiledPolicies } | { failure: TaskFailure };

/**
 * The policies each run evaluates (those it kept when it was created), compiled once per run.
 * A snapshot that does not validate or compile fails every task of its run with the same error;
 * a database error is not kept (the next task reads again).
 */
export class RunPolicies {
  private readonly compiled = new Map<number, Compiled>();

  constructor(private readonly database: Database) {}

  async of(runId: number): Promise<CompiledPolicies> {
    let entry = this.compiled.get(runId);
    if (entry === undefined) {
      entry = compile(await this.documents(runId));
      this.compiled.set(runId, entry);
      if (this.compiled.size > CACHED_RUNS) {
        const oldest = this.compiled.keys().next().value;
        if (oldest !== undefined) this.compiled.delete(oldest);
      }
    }
    if ('failure' in entry) throw entry.failure;
    return entry.policies;
  }

  /** The run's snapshot; the stored policies for a run created before snapshots existed. */
  private async documents(runId: number): Promise<unknown[]> {
    const kept = await this.database.runs.policies(runId);
    return kept ?? (await this.database.policies.list()).map((p) => p.document);
  }
}

function compile(documents: readonly unknown[]): Compiled {
  for (const document of documents) {
    const [issue] = policyIssues(document);
    if (issue !== undefined) {
      const scope = (document as Partial<PolicyDocument> | null)?.scope;
      const label = scope?.level === undefined ? 'a policy' : `policy "${policyLabel(scope)}"`;
      return {
        failure: new TaskFailure(
          'WINNOW_POLICY_INVALID',
          `${label} kept by this run is invalid: ${formatIssue(issue)}`,
        ),
      };
    }
  }
  try {
    return { policies: compilePolicies(documents as PolicyDocument[]) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      failure: new TaskFailure(
        'WINNOW_POLICY_INVALID',
        `the policies kept by this run do not compile: ${message}`,
      ),
    };
  }
}
