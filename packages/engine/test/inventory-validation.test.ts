import {
  EngineErrorCode,
  parseInventory,
  validateInventory,
  validateRepository,
  type ValidationIssue,
  WinnowValidationError,
} from '../src';
import { ago, decisionsByTag, digestOf, evaluate, repositoryPolicy } from './fixtures';

type Json = Record<string, unknown>;

const D1 = digestOf('one');
const D2 = digestOf('two');
const SHA512 = `sha512:${'ab'.repeat(64)}`;
const T = '2026-01-02T03:04:05Z';

const snapshot = (...repositories: Json[]): Json => ({
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories,
});
const repo = (fields: Json = {}): Json => ({
  namespace: 'acme',
  name: 'web/api',
  tags: [],
  ...fields,
});
const withTag = (tag: Json): Json => snapshot(repo({ tags: [{ name: 'v1', digest: D1, ...tag }] }));
const withManifest = (manifest: Json): Json =>
  snapshot(repo({ manifests: [{ digest: D1, ...manifest }] }));

/** The issues `run` throws; fails the test when it does not throw. */
function issuesOf(run: () => unknown): ValidationIssue[] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof WinnowValidationError)) throw error;
    expect(error.code).toBe(EngineErrorCode.inventoryInvalid);
    return [...error.issues];
  }
  throw new Error('expected the inventory to be rejected');
}

const TAG = '/repositories/0/tags/0';
const MANIFEST = '/repositories/0/manifests/0';
const DIGEST = /^expected a digest such as sha256:<64 hex>/;
const TIME = /^expected an RFC 3339 time such as 2026-01-02T03:04:05Z/;
const REAL_TIME = /^expected a real date and time \(RFC 3339\)$/;

// [label, snapshot, pointer, what the message must say]
const rejected: [string, Json, string, RegExp][] = [
  // unknown fields, at every level: a typo must not silently change a decision
  [
    'pushedat (a typo of pushedAt)',
    withTag({ pushedat: T }),
    `${TAG}/pushedat`,
    /^unknown field; expected one of name, digest, pushedAt, lastPulledAt, immutable, labels$/,
  ],
  [
    'an unknown manifest field',
    withManifest({ mediatype: 'x' }),
    `${MANIFEST}/mediatype`,
    /^unknown field; expected one of digest, mediaType, pushedAt, sizeBytes, children, subject, artifactType$/,
  ],
  [
    'an unknown repository field',
    snapshot(repo({ tag: [] })),
    '/repositories/0/tag',
    /^unknown field; expected one of namespace, name, tags, manifests$/,
  ],
  [
    'an unknown top-level field',
    { ...snapshot(), repos: [] },
    '/repos',
    /^unknown field; expected one of apiVersion, kind, repositories$/,
  ],
  // required fields
  [
    'missing tags',
    snapshot({ namespace: 'acme', name: 'app' }),
    '/repositories/0/tags',
    /^is required: expected an array$/,
  ],
  [
    'missing repositories',
    { apiVersion: 'winnow/v1', kind: 'Inventory' },
    '/repositories',
    /^is required: expected an array$/,
  ],
  [
    'a tag without digest',
    snapshot(repo({ tags: [{ name: 'v1' }] })),
    `${TAG}/digest`,
    /^is required: expected a digest/,
  ],
  [
    'a tag without name',
    snapshot(repo({ tags: [{ digest: D1 }] })),
    `${TAG}/name`,
    /^is required: expected a tag name/,
  ],
  [
    'a manifest without digest',
    snapshot(repo({ manifests: [{}] })),
    `${MANIFEST}/digest`,
    /^is required: expected a digest/,
  ],
  ['a wrong kind', { ...snapshot(), kind: 'RetentionPolicy' }, '/kind', /^expected "Inventory"$/],
  [
    'a wrong apiVersion',
    { ...snapshot(), apiVersion: 'v1' },
    '/apiVersion',
    /^expected "winnow\/v1"$/,
  ],
  // digests
  ['a short digest', withTag({ digest: 'sha256:abc' }), `${TAG}/digest`, DIGEST],
  ['a digest without algorithm', withTag({ digest: 'a'.repeat(64) }), `${TAG}/digest`, DIGEST],
  [
    'an upper-case digest',
    withTag({ digest: `sha256:${'A'.repeat(64)}` }),
    `${TAG}/digest`,
    DIGEST,
  ],
  ['an unknown algorithm', withTag({ digest: `md5:${'a'.repeat(32)}` }), `${TAG}/digest`, DIGEST],
  [
    'sha512 of sha256 length',
    withTag({ digest: `sha512:${'a'.repeat(64)}` }),
    `${TAG}/digest`,
    DIGEST,
  ],
  [
    'a bad child digest',
    withManifest({ children: [D2, 'nope'] }),
    `${MANIFEST}/children/1`,
    DIGEST,
  ],
  [
    'a bad subject',
    withManifest({ subject: 'nope' }),
    `${MANIFEST}/subject`,
    /^expected a digest such as sha256:<64 hex> or null$/,
  ],
  // times
  ['a time in words', withTag({ pushedAt: 'yesterday' }), `${TAG}/pushedAt`, TIME],
  ['a date without time', withTag({ pushedAt: '2026-01-02' }), `${TAG}/pushedAt`, TIME],
  ['a time without offset', withTag({ pushedAt: '2026-01-02T03:04:05' }), `${TAG}/pushedAt`, TIME],
  ['epoch milliseconds', withTag({ pushedAt: 1767225600000 }), `${TAG}/pushedAt`, TIME],
  ['a null pushedAt', withTag({ pushedAt: null }), `${TAG}/pushedAt`, TIME],
  [
    'a bad lastPulledAt',
    withTag({ lastPulledAt: 'never' }),
    `${TAG}/lastPulledAt`,
    /^expected an RFC 3339 time .* or null$/,
  ],
  ['2026-02-30', withTag({ pushedAt: '2026-02-30T00:00:00Z' }), `${TAG}/pushedAt`, REAL_TIME],
  [
    '2027-02-29 (no leap year)',
    withTag({ pushedAt: '2027-02-29T00:00:00Z' }),
    `${TAG}/pushedAt`,
    REAL_TIME,
  ],
  ['month 13', withTag({ lastPulledAt: '2026-13-01T00:00:00Z' }), `${TAG}/lastPulledAt`, REAL_TIME],
  ['hour 24', withTag({ pushedAt: '2026-01-01T24:00:00Z' }), `${TAG}/pushedAt`, REAL_TIME],
  ['minute 60', withTag({ pushedAt: '2026-01-01T00:60:00Z' }), `${TAG}/pushedAt`, REAL_TIME],
  [
    'a date that only exists in another offset',
    withTag({ pushedAt: '2026-02-29T00:30:00-01:00' }),
    `${TAG}/pushedAt`,
    REAL_TIME,
  ],
  [
    'an impossible manifest time',
    withManifest({ pushedAt: '2026-04-31T00:00:00Z' }),
    `${MANIFEST}/pushedAt`,
    REAL_TIME,
  ],
  // names
  ['a tag name starting with -', withTag({ name: '-v1' }), `${TAG}/name`, /^expected a tag name/],
  [
    'a tag name of 129 characters',
    withTag({ name: `v${'1'.repeat(128)}` }),
    `${TAG}/name`,
    /^expected a tag name/,
  ],
  ['a tag name with /', withTag({ name: 'a/b' }), `${TAG}/name`, /^expected a tag name/],
  [
    'a namespace in capitals',
    snapshot(repo({ namespace: 'Acme' })),
    '/repositories/0/namespace',
    /^expected a namespace name/,
  ],
  [
    'a repository name with //',
    snapshot(repo({ name: 'web//api' })),
    '/repositories/0/name',
    /^expected a repository name/,
  ],
  // other fields
  [
    'immutable as a string',
    withTag({ immutable: 'yes' }),
    `${TAG}/immutable`,
    /^expected a boolean$/,
  ],
  [
    'an empty label',
    withTag({ labels: ['prod', ''] }),
    `${TAG}/labels/1`,
    /^expected a non-empty string$/,
  ],
  [
    'a negative size',
    withManifest({ sizeBytes: -1 }),
    `${MANIFEST}/sizeBytes`,
    /^expected a number ≥ 0$/,
  ],
  [
    'a fractional size',
    withManifest({ sizeBytes: 1.5 }),
    `${MANIFEST}/sizeBytes`,
    /^expected an integer$/,
  ],
  // uniqueness
  [
    'a tag name twice in a repository',
    snapshot(
      repo({
        tags: [
          { name: 'v1', digest: D1 },
          { name: 'v2', digest: D1 },
          { name: 'v1', digest: D2 },
        ],
      }),
    ),
    '/repositories/0/tags/2/name',
    /^expected a unique tag name; "v1" is also \/repositories\/0\/tags\/0$/,
  ],
  [
    'a repository twice',
    snapshot(repo(), repo({ namespace: 'other' }), repo()),
    '/repositories/2',
    /^expected a unique repository; "acme\/web\/api" is also \/repositories\/0$/,
  ],
  [
    'a manifest digest twice',
    snapshot(repo({ manifests: [{ digest: D1 }, { digest: D2 }, { digest: D1, mediaType: 'x' }] })),
    '/repositories/0/manifests/2/digest',
    /^expected a unique manifest digest; it is also \/repositories\/0\/manifests\/0$/,
  ],
];

describe('validateInventory rejects, naming the field and what was expected', () => {
  it.each(rejected)('%s', (_label, value, pointer, message) => {
    expect(issuesOf(() => validateInventory(value, 'inventory.json'))).toEqual([
      { file: 'inventory.json', pointer, message: expect.stringMatching(message) as unknown },
    ]);
  });

  it.each(rejected)('%s (parsed from JSON text)', (_label, value, pointer) => {
    const issues = issuesOf(() => parseInventory(JSON.stringify(value), 'inventory.json'));
    expect(issues.map((i) => [i.file, i.pointer])).toEqual([['inventory.json', pointer]]);
  });

  it('reports the problems of every repository, not only the first', () => {
    const issues = issuesOf(() =>
      validateInventory(
        snapshot(
          repo({ tags: [{ name: 'v1', digest: D1, pushedat: T }] }),
          repo({ name: 'b', tags: [{ name: 'v1', digest: 'x' }] }),
        ),
      ),
    );
    expect(issues.map((i) => i.pointer)).toEqual([
      '/repositories/0/tags/0/pushedat',
      '/repositories/1/tags/0/digest',
    ]);
  });

  it.each([null, [], 'inventory', 3])('rejects a snapshot that is no object (%j)', (value) => {
    expect(issuesOf(() => validateInventory(value))).toEqual([
      { pointer: '', message: 'expected an object' },
    ]);
  });
});

describe('parseInventory', () => {
  it.each([
    ['a truncated object', '{"apiVersion": "winnow/v1"'],
    ['a trailing comma', '{"apiVersion": "winnow/v1",}'],
    ['YAML', 'apiVersion: winnow/v1\n'],
    ['an empty file', ''],
  ])('rejects %s as invalid JSON', (_label, text) => {
    expect(issuesOf(() => parseInventory(text, 'broken.json'))).toEqual([
      {
        file: 'broken.json',
        pointer: '',
        message: expect.stringMatching(/^expected JSON: /) as unknown,
      },
    ]);
  });

  it('returns the snapshot it read', () => {
    const value = snapshot(
      repo({
        tags: [
          {
            name: 'v1',
            digest: D1,
            pushedAt: T,
            lastPulledAt: null,
            immutable: true,
            labels: ['prod'],
          },
          { name: 'v2', digest: SHA512, pushedAt: '2026-01-02T04:04:05.123+01:00' },
        ],
        manifests: [
          {
            digest: D2,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            pushedAt: T,
            sizeBytes: 0,
            children: [D1],
            subject: null,
            artifactType: null,
          },
          { digest: SHA512 },
        ],
      }),
    );
    expect(parseInventory(JSON.stringify(value), 'ok.json')).toEqual(value);
  });
});

describe('optional fields', () => {
  it('a minimal tag {name, digest} is valid', () => {
    const value = snapshot(repo({ tags: [{ name: 'v1', digest: D1 }] }));
    expect(validateInventory(value)).toEqual(value);
  });

  it('an empty tag list and an empty inventory are valid', () => {
    expect(validateInventory(snapshot(repo()))).toEqual(snapshot(repo()));
    expect(validateInventory(snapshot())).toEqual(snapshot());
  });

  it.each([
    ['lastPulledAt: null', { lastPulledAt: null }],
    ['lowercase t and z', { pushedAt: '2026-01-02t03:04:05z' }],
    ['fractional seconds', { pushedAt: '2026-01-02T03:04:05.123456789Z' }],
    ['an offset', { pushedAt: '2026-02-28T23:30:00-01:00' }],
    ['29 February of a leap year', { pushedAt: '2028-02-29T00:00:00Z' }],
    ['a sha512 digest', { digest: SHA512 }],
    ['a tag name with dots and underscores', { name: '_v1.2.3-rc_1' }],
  ])('accepts %s', (_label, fields) => {
    expect(() => validateInventory(withTag(fields))).not.toThrow();
  });

  it('a tag and a repository name may repeat in other repositories', () => {
    const tags = [{ name: 'v1', digest: D1 }];
    expect(() =>
      validateInventory(
        snapshot(repo({ tags }), repo({ namespace: 'other', tags }), repo({ name: 'web', tags })),
      ),
    ).not.toThrow();
  });

  it('default to mutable and unlabelled', () => {
    const value = validateInventory(
      snapshot(
        repo({
          name: 'app',
          tags: [
            { name: 'bare', digest: D1 },
            { name: 'frozen', digest: D2, immutable: true, labels: ['prod'] },
          ],
        }),
      ),
    );
    const policy = repositoryPolicy(`  - name: delete-unlabelled
    select: { labels: { none: [prod] } }
    then: delete
`);
    // `bare` is selected (no labels) and deletable (not immutable); `frozen` is neither.
    expect(decisionsByTag(evaluate(policy, value))).toEqual({
      bare: 'delete',
      frozen: 'keep',
    });
  });

  it('default to never pulled: the age by pulled is the age by push', () => {
    const value = validateInventory(
      snapshot(
        repo({
          name: 'app',
          tags: [
            { name: 'old', digest: D1, pushedAt: ago(40) },
            { name: 'fresh', digest: D2, pushedAt: ago(10) },
          ],
        }),
      ),
    );
    const policy = repositoryPolicy(`  - name: expire-unpulled
    match: { olderThan: 30d, by: pulled }
    then: delete
`);
    expect(decisionsByTag(evaluate(policy, value))).toEqual({ old: 'delete', fresh: 'keep' });
  });
});

describe('the number of problems reported', () => {
  const badTags = (n: number): Json =>
    snapshot(
      repo({ tags: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, digest: 'bad' })) }),
    );

  it('caps at 100 problems and says how many more there are', () => {
    const issues = issuesOf(() => validateInventory(badTags(150), 'big.json'));
    expect(issues).toHaveLength(101);
    expect(issues.slice(0, 100).map((i) => i.pointer)).toEqual(
      Array.from({ length: 100 }, (_, i) => `/repositories/0/tags/${i}/digest`),
    );
    expect(issues[100]).toEqual({ file: 'big.json', pointer: '', message: 'and 50 more problems' });
  });

  it('caps problems found after the schema, too', () => {
    const tags = Array.from({ length: 120 }, () => ({ name: 'same', digest: D1 }));
    const issues = issuesOf(() => validateInventory(snapshot(repo({ tags }))));
    expect(issues).toHaveLength(101);
    expect(issues[100]?.message).toBe('and 19 more problems');
  });

  it('shows exactly 100 problems without a summary', () => {
    const issues = issuesOf(() => validateInventory(badTags(100)));
    expect(issues).toHaveLength(100);
    expect(issues.every((i) => i.pointer.endsWith('/digest'))).toBe(true);
  });

  it('summarises from the 101st problem on', () => {
    const issues = issuesOf(() => validateInventory(badTags(101)));
    expect(issues).toHaveLength(101);
    expect(issues[100]?.pointer).toBe('');
    expect(issues[100]?.message).toMatch(/^and 1 more problems?$/);
  });
});

describe('validateRepository (streaming imports)', () => {
  it('prefixes pointers with where the repository sits', () => {
    expect(
      issuesOf(() =>
        validateRepository(
          repo({ tags: [{ name: 'v1', digest: D1, pushedat: T }] }),
          '/repositories/7',
          'feed.json',
        ),
      ),
    ).toEqual([
      {
        file: 'feed.json',
        pointer: '/repositories/7/tags/0/pushedat',
        message: expect.stringMatching(/^unknown field/) as unknown,
      },
    ]);
    expect(
      issuesOf(() =>
        validateRepository(
          repo({
            tags: [
              { name: 'a', digest: D1 },
              { name: 'a', digest: D1 },
            ],
          }),
          '/repositories/7',
        ),
      ).map((i) => i.pointer),
    ).toEqual(['/repositories/7/tags/1/name']);
  });

  it('returns a valid repository', () => {
    const value = repo({ tags: [{ name: 'v1', digest: D1 }] });
    expect(validateRepository(value)).toEqual(value);
  });
});
