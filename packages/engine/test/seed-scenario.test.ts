import {
  decisionsByTag,
  evaluate,
  inventory,
  repository,
  repositoryPolicy,
  shuffled,
  tag,
} from './fixtures';

describe('seed scenario: 100 tags, 5 immutable, keep only the newest', () => {
  // Tag i is pushed i days ago; immutable ones are among the oldest and the newest.
  const immutable = new Set([0, 1, 50, 98, 99]);
  const tags = Array.from({ length: 100 }, (_, i) =>
    tag(`build-${String(i).padStart(3, '0')}`, i, { immutable: immutable.has(i) }),
  );
  const policy = repositoryPolicy(`  - name: keep-only-newest
    match: { newest: 1 }
    then: keep
    else: delete
`);

  it.each([1, 2, 3])(
    'keeps the newest mutable tag and the 5 immutable ones, deletes 94 (shuffle %i)',
    (seed) => {
      const report = evaluate(policy, inventory(repository('acme/app', shuffled(tags, seed))));
      const byTag = decisionsByTag(report);
      expect(report.summary).toEqual({ repositories: 1, tags: 100, keep: 6, delete: 94 });
      expect(byTag['build-002']).toBe('keep'); // newest mutable: build-000 and build-001 are immutable
      for (const i of immutable) expect(byTag[`build-${String(i).padStart(3, '0')}`]).toBe('keep');
      const immutableRecords = report.decisions.filter((d) => d.stage === 'immutable');
      expect(immutableRecords).toHaveLength(5);
    },
  );
});
