import {
  ago,
  decisionsByTag,
  digestOf,
  evaluate,
  inventory,
  recordOf,
  repository,
  repositoryPolicy,
  shuffled,
  tag,
} from './fixtures';

const server = (body: string): string => `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: server }
${body}`;
const namespace = (ns: string, body: string): string => `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: namespace, namespace: ${ns} }
${body}`;

describe('selectors', () => {
  const tags = [
    tag('v1.0.0', 5),
    tag('v1.1.0', 4),
    tag('main-abc', 3),
    tag('latest', 1),
    tag('release-2', 2),
  ];
  const run = (select: string): Record<string, string> =>
    decisionsByTag(
      evaluate(
        repositoryPolicy(`  - name: r
    select: ${select}
    then: delete
`),
        inventory(repository('acme/app', tags)),
      ),
    );
  const deleted = (byTag: Record<string, string>): string[] =>
    Object.keys(byTag)
      .filter((t) => byTag[t] === 'delete')
      .sort();

  it.each([
    ["{ tags: { regex: '^v[0-9]+\\.[0-9]+\\.[0-9]+$' } }", ['v1.0.0', 'v1.1.0']],
    ["{ tags: { regex: 'in' } }", ['main-abc']], // unanchored
    ["{ tags: { glob: 'v*' } }", ['v1.0.0', 'v1.1.0']],
    ["{ tags: { glob: ['v*', 'release-*'] } }", ['release-2', 'v1.0.0', 'v1.1.0']],
    ["{ tags: { glob: 'v*', negate: true } }", ['latest', 'main-abc', 'release-2']],
    ["{ tags: { regex: '^v', negate: true } }", ['latest', 'main-abc', 'release-2']],
  ])('select %s', (select, expected) => {
    expect(deleted(run(select))).toEqual(expected);
  });

  it('repositories matches the name inside the namespace at namespace scope and the full path at server scope', () => {
    const snapshot = inventory(
      repository('acme/team/api', [tag('x', 1)]),
      repository('acme/team/api/v2', [tag('x', 1)]),
      repository('acme/other', [tag('x', 1)]),
      repository('beta/team/api', [tag('x', 1)]),
    );
    const ns = evaluate(
      namespace(
        'acme',
        `rules:
  - name: r
    select: { repositories: { glob: 'team/**' } }
    then: delete
`,
      ),
      snapshot,
    );
    expect(ns.decisions.filter((d) => d.decision === 'delete').map((d) => d.repository)).toEqual([
      'acme/team/api',
      'acme/team/api/v2',
    ]);
    const srv = evaluate(
      server(`rules:
  - name: r
    select: { repositories: { glob: '*/team/*' } }
    then: delete
`),
      snapshot,
    );
    expect(srv.decisions.filter((d) => d.decision === 'delete').map((d) => d.repository)).toEqual([
      'acme/team/api',
      'beta/team/api',
    ]);
  });

  it('labels selector: all, any, none; every selector present must hold', () => {
    const labelled = [
      tag('a', 1, { labels: ['prod'] }),
      tag('b', 1, { labels: ['prod', 'wip'] }),
      tag('c', 1, { labels: ['qa'] }),
      tag('vd', 1, { labels: ['prod'] }),
    ];
    const report = evaluate(
      repositoryPolicy(`  - name: r
    select: { labels: { all: [prod], none: [wip] }, tags: { glob: '?' } }
    then: delete
`),
      inventory(repository('acme/app', labelled)),
    );
    expect(decisionsByTag(report)).toEqual({ a: 'delete', b: 'keep', c: 'keep', vd: 'keep' });
  });
});

describe('untagged manifests', () => {
  const image = (seed: string, days: number, extra: Record<string, unknown> = {}) => ({
    digest: digestOf(seed),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    pushedAt: ago(days),
    ...extra,
  });
  const snapshot = inventory(
    repository(
      'acme/app',
      [tag('v1', 10, { digest: digestOf('index') })],
      [
        image('index', 10, {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          children: [digestOf('child')],
        }),
        image('child', 10),
        image('orphan-old', 30),
        image('orphan-new', 1),
        image('referrer', 5, {
          subject: digestOf('index'),
          artifactType: 'application/vnd.dev.sigstore.bundle+json',
        }),
      ],
    ),
  );

  it('are decided only when a rule selects them; index children and referrers never are', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: prune
    select: { untagged: only }
    match: { olderThan: 7d }
    then: delete
`),
      snapshot,
    );
    expect(report.decisions.map((d) => [d.tag, d.digest, d.decision, d.stage])).toEqual([
      ['v1', digestOf('index'), 'keep', 'default'],
      // untagged last, by digest; the young one was selected, passed, and is kept by default
      ...[
        [null, digestOf('orphan-new'), 'keep', 'default'],
        [null, digestOf('orphan-old'), 'delete', 'rule'],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ]);
    expect(report.summary).toEqual({ repositories: 1, tags: 1, keep: 2, delete: 1 });
  });

  it('exclude (the default) never selects them; a tags selector never does either', () => {
    for (const select of [
      '{}',
      "{ tags: { glob: '*' }, untagged: include }",
      "{ tags: { glob: 'zzz', negate: true }, untagged: only }",
    ]) {
      const report = evaluate(
        repositoryPolicy(`  - name: r
    select: ${select}
    then: delete
`),
        snapshot,
      );
      expect(report.decisions.filter((d) => d.tag === null)).toEqual([]);
    }
  });

  it('include lets a rule count them among tags, ordered by their own push time', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: newest-two
    select: { untagged: include }
    match: { newest: 2 }
    then: keep
    else: delete
`),
      snapshot,
    );
    expect(report.decisions.map((d) => [d.tag ?? d.digest, d.decision])).toEqual(
      expect.arrayContaining([
        ['v1', 'keep'],
        [digestOf('orphan-new'), 'keep'],
        [digestOf('orphan-old'), 'delete'],
      ]),
    );
  });
});

describe('the chain', () => {
  const tags = [
    tag('a', 1),
    tag('b', 2),
    tag('c', 3),
    tag('d', 4),
    tag('e', 5),
    tag('latest', 100),
  ];
  const snapshot = inventory(repository('acme/app', tags));

  it('runs guards, then repository, namespace and server rules; the first keep or delete decides', () => {
    const report = evaluate(
      [
        server(`guards:
  - name: keep-latest
    select: { tags: { glob: latest } }
    then: keep
rules:
  - name: server-delete-all
    then: delete
`),
        namespace(
          'acme',
          `rules:
  - name: ns-keep-c
    select: { tags: { glob: c } }
    then: keep
  - name: ns-delete-a
    select: { tags: { glob: a } }
    then: delete
`,
        ),
        repositoryPolicy(`  - name: repo-keep-a
    select: { tags: { glob: a } }
    then: keep
  - name: repo-pass-b
    select: { tags: { glob: b } }
    then: pass
`),
      ],
      snapshot,
    );
    const by = (t: string) => recordOf(report, t);
    expect(by('latest')).toMatchObject({
      decision: 'keep',
      stage: 'guard',
      scope: 'server',
      policy: 'server',
      rule: 'keep-latest',
    });
    expect(by('a')).toMatchObject({
      decision: 'keep',
      stage: 'rule',
      scope: 'repository',
      policy: 'acme/app',
      rule: 'repo-keep-a',
    });
    expect(by('b')).toMatchObject({
      decision: 'delete',
      scope: 'server',
      rule: 'server-delete-all',
    });
    expect(by('c')).toMatchObject({
      decision: 'keep',
      scope: 'namespace',
      policy: 'acme',
      rule: 'ns-keep-c',
    });
  });

  it('a later rule counts only what is still undecided', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: delete-a
    select: { tags: { glob: a } }
    then: delete
  - name: keep-two
    match: { newest: 2 }
    then: keep
    else: delete
`),
      snapshot,
    );
    expect(decisionsByTag(report)).toEqual({
      a: 'delete',
      b: 'keep',
      c: 'keep',
      d: 'delete',
      e: 'delete',
      latest: 'delete',
    });
  });

  it('disabled rules do nothing; a policy for another repository does not apply', () => {
    const report = evaluate(
      [
        repositoryPolicy(`  - name: off
    disabled: true
    then: delete
`),
        repositoryPolicy(
          `  - name: elsewhere
    then: delete
`,
          'acme/other',
        ),
      ],
      snapshot,
    );
    expect(report.summary.delete).toBe(0);
  });

  it('anyOf keeps the union of its branches (Harbor-style OR), then else applies to the rest', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: retain
    anyOf:
      - match: { newest: 1 }
      - select: { tags: { glob: latest } }
      - select: { tags: { glob: c } }
    then: keep
    else: delete
`),
      snapshot,
    );
    expect(decisionsByTag(report)).toEqual({
      a: 'keep',
      b: 'delete',
      c: 'keep',
      d: 'delete',
      e: 'delete',
      latest: 'keep',
    });
    expect(recordOf(report, 'latest').reason).toBe('branch 2: selected by tags glob "latest"');
  });

  it('anyOf drops branches whose repositories do not match; with none left the rule passes every tag', () => {
    const policy = namespace(
      'acme',
      `rules:
  - name: retain
    anyOf:
      - select: { repositories: { glob: other } }
        match: { newest: 1 }
    then: keep
    else: delete
`,
    );
    expect(evaluate(policy, snapshot).summary.delete).toBe(0);
  });

  it('guards at server scope apply to every repository, before repository rules', () => {
    const report = evaluate(
      [
        server(`guards:
  - name: keep-recently-pulled
    match: { newerThan: 24h, by: pulled }
    then: keep
`),
        repositoryPolicy(`  - name: delete-all
    then: delete
`),
      ],
      inventory(
        repository('acme/app', [
          tag('old-but-pulled', 90, { lastPulledAt: ago(0.5) }),
          tag('old', 90),
        ]),
      ),
    );
    expect(decisionsByTag(report)).toEqual({ 'old-but-pulled': 'keep', old: 'delete' });
  });
});

describe('immutable tags', () => {
  it('are kept, never counted by a rule, never deleted', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: keep-newest
    match: { newest: 1 }
    then: keep
    else: delete
`),
      inventory(
        repository('acme/app', [
          tag('frozen-new', 0, { immutable: true }),
          tag('a', 1),
          tag('b', 2),
        ]),
      ),
    );
    expect(decisionsByTag(report)).toEqual({ 'frozen-new': 'keep', a: 'keep', b: 'delete' });
    expect(recordOf(report, 'frozen-new').stage).toBe('immutable');
  });
});

describe('accessories and reconcile', () => {
  const sig = (subjectSeed: string, kind = 'sig') =>
    `sha256-${digestOf(subjectSeed).slice(7)}.${kind}`;
  const deleteOld = repositoryPolicy(`  - name: keep-newest
    match: { newest: 1 }
    then: keep
    else: delete
`);

  it('cosign tags leave the stream (never counted by newest) and follow their subject', () => {
    const tags = [
      tag('new', 5),
      tag('old', 10),
      tag(sig('new'), 0), // the newest tag of all, but not counted
      tag(sig('old'), 0),
      tag(sig('old', 'att'), 0),
      tag(sig('gone', 'sbom'), 0), // subject not tagged here
    ];
    for (const seed of [1, 2, 3]) {
      const report = evaluate(deleteOld, inventory(repository('acme/app', shuffled(tags, seed))));
      expect(decisionsByTag(report)).toEqual({
        new: 'keep',
        old: 'delete',
        [sig('new')]: 'keep',
        [sig('old')]: 'delete',
        [sig('old', 'att')]: 'delete',
        [sig('gone', 'sbom')]: 'keep',
      });
      expect(recordOf(report, sig('new')).stage).toBe('accessory');
      expect(recordOf(report, sig('gone', 'sbom')).reason).toContain('no tag in this repository');
    }
  });

  it('a tagged referrer manifest follows its subject', () => {
    const report = evaluate(
      deleteOld,
      inventory(
        repository(
          'acme/app',
          [tag('new', 5), tag('old', 10), tag('old-sbom', 0, { digest: digestOf('ref') })],
          [
            {
              digest: digestOf('ref'),
              subject: digestOf('old'),
              artifactType: 'application/spdx+json',
            },
          ],
        ),
      ),
    );
    expect(recordOf(report, 'old-sbom')).toMatchObject({ decision: 'delete', stage: 'accessory' });
  });

  it('a tag marked delete that shares its digest with a kept tag is kept', () => {
    const shared = digestOf('shared');
    const report = evaluate(
      deleteOld,
      inventory(
        repository('acme/app', [
          tag('new', 1, { digest: shared }),
          tag('old-alias', 10, { digest: shared }),
          tag('old', 11),
        ]),
      ),
    );
    expect(recordOf(report, 'old-alias')).toMatchObject({
      decision: 'keep',
      stage: 'reconcile',
      rule: null,
    });
    expect(recordOf(report, 'old-alias').reason).toContain('kept tag "new"');
    expect(recordOf(report, 'old').decision).toBe('delete');
  });

  it('a platform of a kept index is kept, also through nested indexes, and its signature follows', () => {
    const index = digestOf('index');
    const inner = digestOf('inner-index');
    const amd = digestOf('amd64');
    const report = evaluate(
      deleteOld,
      inventory(
        repository(
          'acme/app',
          [
            tag('release', 1, { digest: index }),
            tag('amd64-build', 10, { digest: amd }),
            tag(sig('amd64'), 0, { digest: digestOf('s') }),
          ],
          [
            { digest: index, children: [inner] },
            { digest: inner, children: [amd] },
          ],
        ),
      ),
    );
    expect(recordOf(report, 'amd64-build')).toMatchObject({ decision: 'keep', stage: 'reconcile' });
    expect(recordOf(report, sig('amd64')).decision).toBe('keep');
  });

  it('an untagged index nobody selected counts as kept; a deleted index does not protect its platforms', () => {
    const lone = digestOf('lone-index');
    const amd = digestOf('amd64');
    const arm = digestOf('arm64');
    const snapshot = inventory(
      repository(
        'acme/app',
        [
          tag('new', 1),
          tag('amd64-build', 10, { digest: amd }),
          tag('old-index', 12, { digest: digestOf('old-index') }),
          tag('arm64-build', 11, { digest: arm }),
        ],
        [
          { digest: lone, children: [amd] },
          { digest: digestOf('old-index'), children: [arm] },
        ],
      ),
    );
    const report = evaluate(deleteOld, snapshot);
    expect(decisionsByTag(report)).toMatchObject({
      'amd64-build': 'keep',
      'old-index': 'delete',
      'arm64-build': 'delete',
    });
  });
});

describe('the blast-radius guard', () => {
  const tags = Array.from({ length: 10 }, (_, i) => tag(`t${i}`, i));
  const policy = namespace(
    'acme',
    `rules:
  - name: keep-newest
    match: { newest: 1 }
    then: keep
    else: delete
`,
  );

  it('is off unless configured', () => {
    expect(evaluate(policy, inventory(repository('acme/app', tags))).summary.delete).toBe(9);
  });

  it('blocks every deletion in a repository above the share, and only there', () => {
    const report = evaluate(
      policy,
      inventory(repository('acme/app', tags), repository('acme/small', tags.slice(0, 2))),
      { maxDeleteRatio: 0.5 },
    );
    const app = report.decisions.filter((d) => d.repository === 'acme/app');
    expect(app.every((d) => d.decision === 'keep')).toBe(true);
    expect(app.filter((d) => d.stage === 'safety')).toHaveLength(9);
    expect(app.find((d) => d.stage === 'safety')?.reason).toContain(
      'would delete 9 of 10 tags (90%)',
    );
    expect(
      report.decisions.filter((d) => d.repository === 'acme/small' && d.decision === 'delete'),
    ).toHaveLength(1);
  });

  it('lets a share exactly at the limit through', () => {
    expect(
      evaluate(policy, inventory(repository('acme/app', tags)), { maxDeleteRatio: 0.9 }).summary
        .delete,
    ).toBe(9);
  });
});

describe('missing push times', () => {
  it('are invalid input naming the tag when a rule orders by push time', () => {
    expect(() =>
      evaluate(
        repositoryPolicy(`  - name: keep-newest
    match: { newest: 1 }
    then: keep
`),
        inventory(
          repository('acme/app', [tag('a', 1), { name: 'no-time', digest: digestOf('x') }]),
        ),
      ),
    ).toThrow(/\/repositories\/0\/tags\/1\/pushedAt: is required: rule "keep-newest"/);
  });

  it('are fine when no rule needs them', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: delete-x
    select: { tags: { glob: 'x*' } }
    then: delete
`),
      inventory(repository('acme/app', [{ name: 'x1', digest: digestOf('x') }])),
    );
    expect(report.summary.delete).toBe(1);
  });
});
