import { map, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { EngineErrorCode, WinnowValidationError } from '../../errors';
import type { Verdict } from '../../kinds/kind';
import type { CompiledBranch, CompiledRule } from '../../policy/compile';
import { type Candidate, describeCandidate, MissingPushTimeError } from '../candidate';
import { decide, type Decider, dropDecided, type RepositoryState } from '../state';

interface BranchOutcome {
  readonly selected: readonly Candidate[];
  readonly verdicts: readonly Verdict[];
}

function runBranch(branch: CompiledBranch, state: RepositoryState): BranchOutcome {
  const selected = state.undecided.filter(branch.selects);
  if (branch.condition)
    return { selected, verdicts: branch.condition.evaluate(selected, state.now) };
  const hit: Verdict = { hit: true, reason: `selected by ${branch.selection}` };
  return { selected, verdicts: selected.map(() => hit) };
}

function liveBranches(rule: CompiledRule, state: RepositoryState): CompiledBranch[] {
  const name = rule.scope === 'server' ? state.path : state.name;
  return rule.branches.filter((b) => !b.repositories || b.repositories.test(name));
}

/** A union rule: a candidate is a hit if any branch hits it; the first such branch gives the reason. */
function unionOf(outcomes: readonly BranchOutcome[]): BranchOutcome {
  const verdicts = new Map<Candidate, Verdict>();
  outcomes.forEach((outcome, b) => {
    const prefix = `branch ${b + 1}: `;
    outcome.selected.forEach((candidate, i) => {
      const verdict = outcome.verdicts[i] as Verdict;
      const seen = verdicts.get(candidate);
      if (!seen)
        verdicts.set(
          candidate,
          verdict.hit
            ? { hit: true, reason: prefix + verdict.reason }
            : { hit: false, reason: `no branch hits (${prefix}${verdict.reason})` },
        );
      else if (!seen.hit && verdict.hit)
        verdicts.set(candidate, { hit: true, reason: prefix + verdict.reason });
    });
  });
  return { selected: [...verdicts.keys()], verdicts: [...verdicts.values()] };
}

const deciderOf = (rule: CompiledRule): Decider => ({
  stage: rule.stage,
  scope: rule.scope,
  policy: rule.policy,
  rule: rule.name,
});

/** Decides what one rule hits (`then`) or selects without hitting (`else`); `pass` leaves it undecided. */
export function applyRule(
  rule: CompiledRule,
  state: RepositoryState,
  decider: Decider = deciderOf(rule),
): void {
  const branches = liveBranches(rule, state);
  if (branches.length === 0 || state.undecided.length === 0) return;
  const outcomes = branches.map((branch) => runBranch(branch, state));
  const { selected, verdicts } =
    outcomes.length === 1 ? (outcomes[0] as BranchOutcome) : unionOf(outcomes);
  let decided = false;
  for (let i = 0; i < selected.length; i++) {
    const candidate = selected[i] as Candidate;
    const verdict = verdicts[i] as Verdict;
    if (candidate.tag === null) state.selectedUntagged.add(candidate.id);
    const action = verdict.hit ? rule.then : rule.else;
    if (action === 'pass') continue;
    decide(state, candidate, action, decider, verdict.reason);
    decided = true;
  }
  if (decided) dropDecided(state);
}

/** A rule as an operator of the chain. A missing push time becomes invalid input naming the tag. */
export function ruleOperator(rule: CompiledRule): MonoTypeOperatorFunction<RepositoryState> {
  const decider = deciderOf(rule);
  return map((state) => {
    try {
      applyRule(rule, state, decider);
    } catch (error) {
      if (!(error instanceof MissingPushTimeError)) throw error;
      throw new WinnowValidationError(EngineErrorCode.inventoryInvalid, [
        {
          pointer: `${error.candidate.pointer}/pushedAt`,
          message: `is required: rule "${rule.name}" (${rule.scope} policy "${rule.policy}") orders or ages ${describeCandidate(error.candidate)} by push time`,
        },
      ]);
    }
    return state;
  });
}

/** Rules in order, composed into one operator. */
export function ruleChain(
  rules: readonly CompiledRule[],
): MonoTypeOperatorFunction<RepositoryState> {
  const operators = rules.map(ruleOperator);
  return (source: Observable<RepositoryState>) =>
    operators.reduce((stream, operator) => operator(stream), source);
}
