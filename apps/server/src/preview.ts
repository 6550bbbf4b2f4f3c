import {
  type CompiledPolicies,
  evaluateRepositories,
  type EvaluationSummary,
  type RepositoryInput,
  type TagDecision,
} from '@winnow/engine';

export interface PreviewFilter {
  readonly decision?: 'keep' | 'delete';
  readonly stage?: string;
  /** A repository path (`namespace/name`). */
  readonly repository?: string;
}

export interface PreviewWindow {
  /** Matching records to skip. */
  readonly offset: number;
  readonly limit: number;
}

export interface PreviewPage {
  readonly summary: EvaluationSummary;
  /** The matching records of the window, in output order. */
  readonly decisions: TagDecision[];
  /** Whether more matching records follow the window. */
  readonly more: boolean;
}

/**
 * Evaluates the repositories as they stream in (in output order) and keeps only the window of
 * the records that match the filter: memory holds one batch of repositories and one page,
 * whatever the size of the scope. The summary counts every repository, filter or not.
 */
export function previewPage(
  inputs: AsyncIterable<RepositoryInput> | readonly RepositoryInput[],
  policies: CompiledPolicies,
  now: Date,
  filter: PreviewFilter,
  window: PreviewWindow,
): Promise<PreviewPage> {
  const summary: EvaluationSummary = { repositories: 0, tags: 0, keep: 0, delete: 0 };
  const decisions: TagDecision[] = [];
  const end = window.offset + window.limit;
  let matched = 0;
  const matches = (d: TagDecision): boolean =>
    (filter.decision === undefined || d.decision === filter.decision) &&
    (filter.stage === undefined || d.stage === filter.stage);
  return new Promise((resolve, reject) => {
    evaluateRepositories(inputs, policies, { now }).subscribe({
      next: (evaluation) => {
        summary.repositories++;
        summary.tags += evaluation.counts.tags;
        summary.keep += evaluation.counts.keep;
        summary.delete += evaluation.counts.delete;
        if (filter.repository !== undefined && evaluation.repository !== filter.repository) return;
        for (const record of evaluation.decisions) {
          if (!matches(record)) continue;
          if (matched >= window.offset && matched < end) decisions.push(record);
          matched++;
        }
      },
      error: reject,
      complete: () => {
        resolve({ summary, decisions, more: matched > end });
      },
    });
  });
}
