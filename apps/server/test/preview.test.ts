import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compilePolicies,
  evaluateInventory,
  loadPolicyTexts,
  parseInventory,
} from '@winnow/engine';
import { providers, useApp } from './database';

const EXAMPLES = join(__dirname, '../../../examples');
const inventoryText = readFileSync(join(EXAMPLES, 'ci/inventory.json'), 'utf8');
const policyText = readFileSync(join(EXAMPLES, 'ci/policy.yaml'), 'utf8');
const NOW = '2026-11-01T00:00:00Z';

/** What `winnow evaluate` prints for the same files (the CLI writes exactly this object). */
function cliReport(): string {
  const policies = compilePolicies(loadPolicyTexts([{ text: policyText }]).map((l) => l.policy));
  return JSON.stringify(
    evaluateInventory(parseInventory(inventoryText), policies, { now: new Date(NOW) }),
  );
}

interface Preview {
  now: string;
  summary: { repositories: number; tags: number; keep: number; delete: number };
  decisions: { tag: string | null; decision: string; stage: string }[];
  nextCursor: string | null;
}

describe.each(providers)('inventory and preview API on %s', (provider) => {
  const app = useApp(provider);
  beforeAll(async () => {
    const imported = await app().inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: inventoryText,
      headers: { 'content-type': 'application/json' },
    });
    expect(imported.json()).toEqual({ repositories: 1 });
    const put = await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/repositories/web%2Fapi/policy',
      payload: policyText,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(put.statusCode).toBe(201);
  });

  const preview = async (body: Record<string, unknown>) =>
    app().inject({ method: 'POST', url: '/api/v1/preview', payload: body });

  it('previews exactly what `winnow evaluate` says for the same snapshot and policy', async () => {
    const response = await preview({ now: NOW, limit: 10_000 });
    expect(response.statusCode).toBe(200);
    const { nextCursor, ...report } = response.json<Preview>();
    expect(nextCursor).toBeNull();
    expect(JSON.stringify(report)).toBe(cliReport());
  });

  it('is idempotent on import, and exports a valid snapshot that evaluates the same', async () => {
    await app().inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: inventoryText,
      headers: { 'content-type': 'application/json' },
    });
    const exported = await app().inject({ method: 'GET', url: '/api/v1/inventory/export' });
    expect(exported.statusCode).toBe(200);
    const snapshot = parseInventory(exported.body, 'export');
    expect(snapshot.repositories).toHaveLength(1);
    const policies = compilePolicies(loadPolicyTexts([{ text: policyText }]).map((l) => l.policy));
    expect(JSON.stringify(evaluateInventory(snapshot, policies, { now: new Date(NOW) }))).toBe(
      cliReport(),
    );
  });

  it('previews an unsaved policy without storing it', async () => {
    const deleteAll = {
      apiVersion: 'winnow/v1',
      kind: 'RetentionPolicy',
      scope: { level: 'repository', namespace: 'acme', repository: 'web/api' },
      rules: [{ name: 'all', then: 'delete' }],
    };
    const response = await preview({ now: NOW, policies: [deleteAll], limit: 1 });
    const body = response.json<Preview>();
    expect(body.summary.delete).toBeGreaterThan(60);
    expect(
      (
        await app().inject({
          method: 'GET',
          url: '/api/v1/namespaces/acme/repositories/web%2Fapi/policy',
        })
      ).json(),
    ).toMatchObject({ revision: 1 });
  });

  it('filters and pages with a cursor; the pages add up to the filtered list', async () => {
    const all = (await preview({ now: NOW, decision: 'delete', limit: 10_000 })).json<Preview>();
    expect(all.decisions.every((d) => d.decision === 'delete')).toBe(true);
    const pages: Preview['decisions'] = [];
    let cursor: string | null = null;
    do {
      const page: Preview = (
        await preview({ now: NOW, decision: 'delete', limit: 10, ...(cursor ? { cursor } : {}) })
      ).json<Preview>();
      pages.push(...page.decisions);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages).toEqual(all.decisions);
    const reconciled = (
      await preview({ now: NOW, stage: 'reconcile', limit: 100 })
    ).json<Preview>();
    expect(reconciled.decisions.map((d) => d.tag)).toEqual(['main-0ddba11']);
  });

  it('scopes the preview to a namespace or repository', async () => {
    const other = (
      await preview({ now: NOW, scope: { level: 'namespace', namespace: 'beta' } })
    ).json<Preview>();
    expect(other.summary).toEqual({ repositories: 0, tags: 0, keep: 0, delete: 0 });
    const own = (
      await preview({
        now: NOW,
        scope: { level: 'repository', namespace: 'acme', repository: 'web/api' },
      })
    ).json<Preview>();
    expect(own.summary.repositories).toBe(1);
  });

  it('rejects bad input with pointers: unknown fields, bad now, bad cursor, invalid unsaved policy, invalid snapshot', async () => {
    const unknown = await preview({ nwo: NOW });
    expect(unknown.statusCode).toBe(400);
    expect(
      unknown.json<{ error: { issues: { pointer: string }[] } }>().error.issues[0]?.pointer,
    ).toBe('/body/nwo');
    expect(
      (await preview({ now: 'yesterday' })).json<{ error: { issues: { pointer: string }[] } }>()
        .error.issues[0]?.pointer,
    ).toBe('/body/now');
    expect((await preview({ cursor: 'bm9wZQ' })).statusCode).toBe(400);
    const badPolicy = await preview({
      policies: [
        {
          apiVersion: 'winnow/v1',
          kind: 'RetentionPolicy',
          scope: { level: 'server' },
          rules: [{ name: 'x' }],
        },
      ],
    });
    expect(badPolicy.json<{ error: { issues: { pointer: string }[] } }>().error.issues).toEqual([
      {
        pointer: '/policies/0/rules/0/then',
        message: 'is required: expected one of keep, delete, pass',
      },
    ]);
    const badSnapshot = await app().inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: {
        apiVersion: 'winnow/v1',
        kind: 'Inventory',
        repositories: [{ namespace: 'acme', name: 'x', tags: [{ name: 'a', digest: 'nope' }] }],
      },
    });
    expect(badSnapshot.statusCode).toBe(400);
    expect(
      badSnapshot.json<{ error: { code: string; issues: { pointer: string }[] } }>().error,
    ).toMatchObject({
      code: 'WINNOW_INVENTORY_INVALID',
      issues: [{ pointer: '/repositories/0/tags/0/digest' }],
    });
  });
});
