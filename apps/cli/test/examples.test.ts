/**
 * The examples of the repository, evaluated at 2026-11-01 as documented: what their comments
 * promise must hold in the decisions the CLI prints.
 */
import {
  type DecisionRecord,
  evaluateExample,
  type InventoryInput,
  NOW,
  readExampleInventory,
  recordOf,
  type Report,
  type TagInput,
} from './helpers';

const DAY = 86_400_000;
const ageInDays = (time: string | undefined): number =>
  (Date.parse(NOW) - Date.parse(time ?? 'invalid')) / DAY;

function load(policy: string, inventoryPath: string): { report: Report; snapshot: InventoryInput } {
  return {
    report: evaluateExample(policy, inventoryPath).report,
    snapshot: readExampleInventory(inventoryPath),
  };
}

const kept = (records: readonly DecisionRecord[]): DecisionRecord[] =>
  records.filter((r) => r.decision === 'keep');

describe('examples/ci', () => {
  const REPO = 'acme/web/api';
  const BUILD = /^(.+)-[0-9a-f]{7}$/;
  let report: Report;
  let tags: TagInput[];
  let snapshot: InventoryInput;

  beforeAll(() => {
    ({ report, snapshot } = load('examples/ci/policy.yaml', 'examples/ci/inventory.json'));
    tags = snapshot.repositories[0]?.tags ?? [];
  });

  it('decides every tag of the one repository', () => {
    expect(report.summary.repositories).toBe(1);
    expect(report.summary.tags).toBe(tags.length);
    expect(new Set(report.decisions.map((r) => r.repository))).toEqual(new Set([REPO]));
  });

  it('keeps every release tag, forever, by rule keep-releases', () => {
    const releases = tags.filter((t) => /^v\d+\.\d+\.\d+/.test(t.name));
    expect(releases.length).toBeGreaterThanOrEqual(5);
    for (const release of releases) {
      expect(recordOf(report, REPO, release.name)).toMatchObject({
        decision: 'keep',
        stage: 'rule',
        scope: 'repository',
        policy: 'acme/web/api',
        rule: 'keep-releases',
      });
    }
  });

  it('keeps latest', () => {
    expect(recordOf(report, REPO, 'latest')).toMatchObject({
      decision: 'keep',
      rule: 'keep-latest',
    });
  });

  it('keeps main-0ddba11 in reconcile: it is a platform of a kept index', () => {
    const record = recordOf(report, REPO, 'main-0ddba11');
    expect(record).toMatchObject({ decision: 'keep', stage: 'reconcile', rule: null });
    const index = snapshot.repositories[0]?.manifests?.find((m) =>
      m.children?.includes(record.digest),
    );
    expect(index).toBeDefined();
    const indexTags = report.decisions.filter((r) => r.digest === index?.digest);
    expect(kept(indexTags).length).toBeGreaterThan(0);
  });

  it('keeps the cosign signatures of kept images as accessories', () => {
    const signatures = report.decisions.filter((r) =>
      /^sha256-[0-9a-f]{64}\.sig$/.test(r.tag ?? ''),
    );
    expect(signatures).toHaveLength(6);
    for (const signature of signatures) {
      expect(signature).toMatchObject({ decision: 'keep', stage: 'accessory', rule: null });
    }
  });

  it('keeps an immutable tag as stage immutable, although it is an old build', () => {
    const immutable = tags.filter((t) => t.immutable === true);
    expect(immutable.map((t) => t.name)).toEqual(['main-c0ffee1']);
    expect(ageInDays(immutable[0]?.pushedAt)).toBeGreaterThan(30);
    expect(recordOf(report, REPO, 'main-c0ffee1')).toMatchObject({
      decision: 'keep',
      stage: 'immutable',
    });
  });

  it('deletes branch builds older than 30 days unless immutable or needed by a kept index', () => {
    const old = tags.filter((t) => BUILD.test(t.name) && ageInDays(t.pushedAt) > 30);
    expect(old.length).toBeGreaterThan(10);
    for (const build of old) {
      const record = recordOf(report, REPO, build.name);
      if (record.decision === 'keep') expect(['immutable', 'reconcile']).toContain(record.stage);
      else expect(record.rule).toBe('expire-old-builds');
    }
  });

  it('keeps at most 10 builds per branch by rule', () => {
    const perBranch = new Map<string, number>();
    for (const record of kept(report.decisions)) {
      const branch = BUILD.exec(record.tag ?? '')?.[1];
      if (branch === undefined || record.rule !== 'keep-10-per-branch') continue;
      perBranch.set(branch, (perBranch.get(branch) ?? 0) + 1);
    }
    expect([...perBranch.keys()].sort()).toEqual(['feature-login', 'fix-1234', 'main']);
    for (const count of perBranch.values()) expect(count).toBeLessThanOrEqual(10);
    expect(perBranch.get('main')).toBe(10);
  });

  it('never deletes a digest that a kept tag or a kept index still needs', () => {
    const manifests = snapshot.repositories[0]?.manifests ?? [];
    const keptDigests = new Set(kept(report.decisions).map((r) => r.digest));
    const needed = new Set(keptDigests);
    for (const m of manifests) {
      if (keptDigests.has(m.digest)) for (const child of m.children ?? []) needed.add(child);
    }
    const deletedButNeeded = report.decisions.filter(
      (r) => r.decision === 'delete' && needed.has(r.digest),
    );
    expect(deletedButNeeded).toEqual([]);
  });

  it('decides exactly the untagged manifests that are neither platforms nor referrers', () => {
    const manifests = snapshot.repositories[0]?.manifests ?? [];
    const tagged = new Set(tags.map((t) => t.digest));
    const children = new Set(manifests.flatMap((m) => m.children ?? []));
    const untagged = manifests
      .filter((m) => !tagged.has(m.digest) && !children.has(m.digest) && !m.subject)
      .map((m) => m.digest)
      .sort();
    const records = report.decisions.filter((r) => r.tag === null);
    expect(records.map((r) => r.digest)).toEqual(untagged);
    for (const record of records) {
      const pushed = manifests.find((m) => m.digest === record.digest)?.pushedAt;
      const expected = ageInDays(pushed) > 7 ? 'delete' : 'keep';
      expect(record.decision).toBe(expected);
    }
  });
});

describe('examples/rsp-reaper', () => {
  const REPO = 'lsstsqre/sciplat-lab';
  let report: Report;
  let tags: TagInput[];

  beforeAll(() => {
    let snapshot: InventoryInput;
    ({ report, snapshot } = load(
      'examples/rsp-reaper/policies.yaml',
      'examples/rsp-reaper/inventory.json',
    ));
    tags = snapshot.repositories[0]?.tags ?? [];
  });

  const names = (pattern: RegExp): string[] =>
    tags
      .map((t) => t.name)
      .filter((n) => pattern.test(n))
      .sort();

  it('keeps exactly the 24 newest dailies', () => {
    const dailies = names(/^d_\d{4}_\d{2}_\d{2}$/);
    expect(dailies.length).toBeGreaterThan(24);
    const keptDailies = kept(report.decisions)
      .map((r) => r.tag ?? '')
      .filter((n) => n.startsWith('d_'));
    expect(keptDailies).toHaveLength(24);
    expect(keptDailies).toEqual(dailies.slice(-24));
  });

  it('keeps the 52 newest weeklies', () => {
    const weeklies = names(/^w_\d{4}_\d{2}$/);
    const keptWeeklies = kept(report.decisions)
      .map((r) => r.tag ?? '')
      .filter((n) => n.startsWith('w_'));
    expect(keptWeeklies).toEqual(weeklies.slice(-52));
  });

  it.each(['latest', 'recommended'])(
    'never purges the alias %s: kept by the server guard',
    (alias) => {
      expect(recordOf(report, REPO, alias)).toMatchObject({
        decision: 'keep',
        stage: 'guard',
        scope: 'server',
        policy: 'server',
        rule: 'keep-aliases',
      });
    },
  );

  it('keeps releases of the last two years and deletes older ones', () => {
    const releases = tags.filter((t) => /^r\d+_\d+_\d+$/.test(t.name));
    expect(releases.some((t) => ageInDays(t.pushedAt) > 730)).toBe(true);
    for (const release of releases) {
      expect(recordOf(report, REPO, release.name).decision).toBe(
        ageInDays(release.pushedAt) <= 730 ? 'keep' : 'delete',
      );
    }
  });

  it('deletes experimentals after 30 days', () => {
    for (const experimental of tags.filter((t) => t.name.startsWith('exp_'))) {
      expect(recordOf(report, REPO, experimental.name).decision).toBe(
        ageInDays(experimental.pushedAt) > 30 ? 'delete' : 'keep',
      );
    }
  });
});

describe('examples/quay', () => {
  let report: Report;
  let snapshot: InventoryInput;

  beforeAll(() => {
    ({ report, snapshot } = load('examples/quay/policy.yaml', 'examples/quay/inventory.json'));
  });

  it('keeps the immutable stable tag of each repository', () => {
    for (const repository of ['acme/frontend', 'acme/worker']) {
      expect(recordOf(report, repository, 'stable')).toMatchObject({
        decision: 'keep',
        stage: 'immutable',
      });
    }
  });

  it('keeps at most 20 tags per repository besides the immutable ones, the newest', () => {
    for (const repository of snapshot.repositories) {
      const path = `${repository.namespace}/${repository.name}`;
      const records = report.decisions.filter(
        (r) => r.repository === path && r.stage !== 'immutable',
      );
      expect(records.length).toBeGreaterThan(20);
      const keptRecords = kept(records);
      expect(keptRecords.length).toBeGreaterThan(0);
      expect(keptRecords.length).toBeLessThanOrEqual(20);
      const pushed = (name: string | null): number =>
        Date.parse(repository.tags.find((t) => t.name === name)?.pushedAt ?? 'invalid');
      const oldestKept = Math.min(...keptRecords.map((r) => pushed(r.tag)));
      for (const record of records.filter((r) => r.rule === 'keep-20-newest')) {
        if (record.decision === 'delete') expect(pushed(record.tag)).toBeLessThan(oldestKept);
      }
    }
  });

  it('deletes dev- tags older than two weeks, first, by the namespace policy', () => {
    const dev = report.decisions.filter((r) => r.tag?.startsWith('dev-'));
    expect(dev.length).toBeGreaterThan(0);
    for (const record of dev) {
      const repository = snapshot.repositories.find(
        (r) => `${r.namespace}/${r.name}` === record.repository,
      );
      const age = ageInDays(repository?.tags.find((t) => t.name === record.tag)?.pushedAt);
      if (age > 14) {
        expect(record).toMatchObject({
          decision: 'delete',
          scope: 'namespace',
          policy: 'acme',
          rule: 'prune-dev-older-than-2w',
        });
      } else expect(record.decision).toBe('keep');
    }
  });
});
