import { map, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { EngineErrorCode, WinnowValidationError } from '../../errors';
import type { Verdicts } from '../../kinds/kind';
import type { CompiledBranch, CompiledRule } from '../../policy/compile';
import { type Candidate, describeCandidate, MissingPushTimeError } from '../candidate';
import { decide, type Decider, dropDecided, pointerOf, type RepositoryState } from '../state';

interface BranchOutcome {
  readonly selected: readonly Candidate[];
  readonly verdicts: Verdicts;
}

function runBranch(branch: CompiledBranch, state: RepositoryState): BranchOutcome {
  const selected = state.undecided.filter(branch.selects);
  if (branch.condition)
    return { selected, verdicts: branch.condition.evaluate(selected, state.now) };
  const reason = `selected by ${branch.selection}`;
  return {
    selected,
    verdicts: { hits: new Uint8Array(selected.length).fill(1), reason: () => reason },
  };
}

function liveBranches(rule: CompiledRule, state: RepositoryState): CompiledBranch[] {
  const name = rule.scope === 'server' ? state.path : state.name;
  return rule.branches.filter((b) => !b.repositories || b.repositories.test(name));
}

/** A union rule: a candidate is a hit if any branch hits it; the first such branch gives the reason. */
function unionOf(outcomes: readonly BranchOutcome[]): BranchOutcome {
  // Per candidate: the branch and position that speak for it (the first hit, else the first selection).
  const speaker = new Map<Candidate, { branch: number; index: number; hit: boolean }>();
  outcomes.forEach((outcome, branch) => {
    outcome.selected.forEach((candidate, index) => {
      const hit = outcome.verdicts.hits[index] === 1;
      const seen = speaker.get(candidate);
      if (!seen || (!seen.hit && hit)) speaker.set(candidate, { branch, index, hit });
    });
  });
  const selected = [...speaker.keys()];
  const speakers = [...speaker.values()];
  return {
    selected,
    verdicts: {
      hits: Uint8Array.from(speakers, (s) => (s.hit ? 1 : 0)),
      reason: (i) => {
        const s = speakers[i];
        if (!s) return '';
        const said = `branch ${s.branch + 1}: ${(outcomes[s.branch] as BranchOutcome).verdicts.reason(s.index)}`;
        return s.hit ? said : `no branch hits (${said})`;
      },
    },
  };
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
    if (candidate.tag === null) state.selectedUntagged.add(candidate.id);
    const action = verdicts.hits[i] === 1 ? rule.then : rule.else;
    if (action === 'pass') continue;
    decide(state, candidate, action, decider, verdicts.reason(i));
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
          pointer: `${pointerOf(state, error.candidate)}/pushedAt`,
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
