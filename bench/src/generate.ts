import type { Inventory, InventoryRepository, InventoryTag } from '@winnow/engine';
import { Random } from './random';

export interface GenerateOptions {
  readonly seed: number;
  readonly namespaces: number;
  readonly repositoriesPerNamespace: number;
  readonly tagsPerRepository: number;
  /** Times are spread over the two years before it. */
  readonly now: Date;
}

/** Word lists for names, as one string each to keep them compact. */
const TEAMS = (
  'acme billing core data edge growth infra identity mobile ml ops payments ' +
  'platform search security storage web ads media labs'
).split(' ');
const AREAS = (
  'eu us apac prod dev tools shared internal public legacy alpha beta north south ' +
  'east west batch stream ci sandbox'
).split(' ');
const COMPONENTS = (
  'api web worker gateway auth cache db proxy scheduler indexer ingest export ' +
  'notifier router ui cli agent collector runner sync backend frontend admin ' +
  'report queue'
).split(' ');
const FLAVOURS = (
  'core lite server service job app sidecar base tools daemon v2 next edge node py ' +
  'go java rust static mock canary bridge relay hub ctl'
).split(' ');
const FEATURES = (
  'login search cache retry metrics oauth billing export upload dark-mode i18n ' +
  'perf cleanup refactor audit rbac webhooks quota sso backup graphql grpc alerts ' +
  'tracing limits sharding ttl ha'
).split(' ');

const SECOND = 1000;
const DAY_S = 86_400;
const SPAN_S = 2 * 365 * DAY_S;

/** RFC 3339 in UTC with whole seconds, as registries report them. */
const rfc3339 = (seconds: number): string =>
  `${new Date(seconds * SECOND).toISOString().slice(0, 19)}Z`;

const compactDate = (seconds: number): string =>
  new Date(seconds * SECOND).toISOString().slice(0, 10).replaceAll('-', '');

function uniqueNames(count: number, make: () => string): string[] {
  const names = new Set<string>();
  while (names.size < count) names.add(make());
  return [...names];
}

/** A mutable draft of one tag; frozen into an InventoryTag when the repository is done. */
interface Draft {
  name: string;
  digest: string;
  pushed: number;
}

/**
 * One repository's tags: `latest`, releases, nightlies, main and feature builds. Some tags share
 * a digest, as in real registries: `latest` is the newest release, and some releases were
 * promoted from a main build, so reconcile has work to do.
 */
class TagFactory {
  private readonly names = new Set<string>();
  readonly drafts: Draft[] = [];

  constructor(
    private readonly random: Random,
    private readonly nowS: number,
  ) {}

  /** A second in the two years before `now`. */
  private past(): number {
    return this.nowS - 1 - this.random.int(SPAN_S);
  }

  private digest(): string {
    return `sha256:${this.random.hex(64)}`;
  }

  private add(name: string, digest: string, pushed: number): Draft {
    this.names.add(name);
    const draft = { name, digest, pushed };
    this.drafts.push(draft);
    return draft;
  }

  /** Names with a random suffix are drawn again on the (rare) collision. */
  private addUnique(make: () => string, pushed: number): Draft {
    let name = make();
    while (this.names.has(name)) name = make();
    return this.add(name, this.digest(), pushed);
  }

  builds(count: number, make: () => string): Draft[] {
    return Array.from({ length: count }, () => this.addUnique(make, this.past()));
  }

  /** Versions rise with push time: mostly patches, some minors, a rare major. */
  releases(count: number, mainBuilds: readonly Draft[]): Draft[] {
    const times = Array.from({ length: count }, () => this.past()).sort((a, b) => a - b);
    let major = 1 + this.random.int(3);
    let minor = this.random.int(5);
    let patch = 0;
    return times.map((pushed, i) => {
      if (i > 0) {
        const roll = this.random.next();
        if (roll < 0.05) [major, minor, patch] = [major + 1, 0, 0];
        else if (roll < 0.3) [minor, patch] = [minor + 1, 0];
        else patch++;
      }
      const promoted = mainBuilds.length > 0 && this.random.chance(0.3);
      const digest = promoted ? this.random.pick(mainBuilds).digest : this.digest();
      return this.add(`v${major}.${minor}.${patch}`, digest, pushed);
    });
  }

  /** One nightly per distinct day, built in the small hours. */
  nightlies(count: number): Draft[] {
    const today = Math.floor(this.nowS / DAY_S) * DAY_S;
    const days = new Set<number>();
    while (days.size < count) days.add(1 + this.random.int(SPAN_S / DAY_S - 1));
    return [...days].map((back) => {
      const pushed = today - back * DAY_S + this.random.int(4 * 3600);
      return this.add(`nightly-${compactDate(pushed)}`, this.digest(), pushed);
    });
  }

  latest(newestRelease: Draft): void {
    this.add('latest', newestRelease.digest, newestRelease.pushed);
  }
}

function generateTags(random: Random, count: number, nowS: number): InventoryTag[] {
  const factory = new TagFactory(random, nowS);
  const releaseCount = 10 + random.int(11);
  const nightlyCount = 15 + random.int(11);
  const builds = count - 1 - releaseCount - nightlyCount;
  const mainCount = Math.floor(builds * 0.55);
  const main = factory.builds(mainCount, () => `main-${random.hex(7)}`);
  factory.builds(builds - mainCount, () => `feature-${random.pick(FEATURES)}-${random.hex(7)}`);
  const releases = factory.releases(releaseCount, main);
  factory.nightlies(nightlyCount);
  const newest = releases[releases.length - 1];
  if (newest) factory.latest(newest);
  return random.shuffle(factory.drafts).map((draft) => {
    const pulled = random.chance(0.3) ? draft.pushed + random.int(nowS - draft.pushed) : null;
    return {
      name: draft.name,
      digest: draft.digest,
      pushedAt: rfc3339(draft.pushed),
      lastPulledAt: pulled === null ? null : rfc3339(pulled),
      immutable: random.chance(0.01),
      labels: draft.name.startsWith('v') ? ['release'] : [],
    };
  });
}

/** One in five repositories is nested (`web/api`), as Harbor and GitLab allow. */
function repositoryName(random: Random): string {
  const separator = random.chance(0.2) ? '/' : '-';
  return `${random.pick(COMPONENTS)}${separator}${random.pick(FLAVOURS)}`;
}

/**
 * The repository as the engine meets it in production, parsed from a snapshot: strings built by
 * concatenation or slicing are cons or sliced strings in V8, and the first run to read them
 * would pay to flatten them. A JSON round trip leaves flat strings, so every variant and every
 * round reads the same memory layout.
 */
const asIfRead = (repository: InventoryRepository): InventoryRepository =>
  JSON.parse(JSON.stringify(repository)) as InventoryRepository;

/** A whole inventory in memory, the same for the same options. */
export function generateInventory(options: GenerateOptions): Inventory {
  const random = new Random(options.seed);
  const nowS = Math.floor(options.now.getTime() / SECOND);
  const namespaces = uniqueNames(
    options.namespaces,
    () => `${random.pick(TEAMS)}-${random.pick(AREAS)}`,
  );
  const repositories: InventoryRepository[] = [];
  for (const namespace of namespaces) {
    const names = uniqueNames(options.repositoriesPerNamespace, () => repositoryName(random));
    for (const name of names) {
      repositories.push(
        asIfRead({ namespace, name, tags: generateTags(random, options.tagsPerRepository, nowS) }),
      );
    }
  }
  return { apiVersion: 'winnow/v1', kind: 'Inventory', repositories };
}
