/**
 * The worked examples of docs/policy-language.md: each region between
 * `<!-- worked-example: NAME -->` and `<!-- /worked-example -->` shows examples/worked/NAME's
 * policy, its inventory and the decisions, and must be exactly what this test renders from the
 * files and from what Winnow decides: the engine for the plain examples, a real run of the
 * server (API, worker, a real upstream registry) for the proxy cache, whose rules only runs add.
 *
 * After changing an example, `WINNOW_UPDATE_DOCS=1 pnpm --filter @winnow/server exec jest
 * test/worked-examples.test.ts` rewrites the regions (then `pnpm format`); read the diff.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import {
  compilePolicies,
  evaluateInventory,
  loadPolicyTexts,
  type TagDecision,
} from '@winnow/engine';
import { startRegistry, type TestRegistry } from '@winnow/registry/testing';

import { readConfig } from '../src/config';
import { buildService } from '../src/service';
import { until } from './support/service';
import {
  check,
  dir,
  type Example,
  EXAMPLES,
  inventoryOf,
  NOW,
  read,
} from './support/worked-examples';

jest.setTimeout(120_000);

// ---- the examples ------------------------------------------------------------------------------

describe('docs/policy-language.md worked examples', () => {
  it.each(EXAMPLES.filter((e) => e.run !== true).map((e) => [e.name, e] as const))(
    '%s: the decisions shown are the engine’s',
    (_, example) => {
      const file = `${dir(example)}/${example.policy}`;
      const policies = compilePolicies(
        loadPolicyTexts([{ file, text: read(file) }]).map((loaded) => loaded.policy),
      );
      const report = evaluateInventory(inventoryOf(example), policies, { now: new Date(NOW) });
      check(example, report.decisions);
    },
  );

  describe('proxy-cache: the decisions shown are a dry run’s', () => {
    const example = EXAMPLES.find((e) => e.name === 'proxy-cache') as Example;
    const dataDir = mkdtempSync(join(tmpdir(), 'winnow-worked-upstream-'));
    let upstream: TestRegistry;

    beforeAll(async () => {
      upstream = await startRegistry({ dataDir });
    });
    afterAll(async () => {
      await upstream.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('matches the documented table', async () => {
      const created = await migratedDatabase('sqlite');
      const clock = () => new Date(NOW);
      const database = openDatabase(created.url, { clock });
      const service = await buildService({
        config: readConfig({ WINNOW_AUTH: 'off', WINNOW_WORKER_INTERVAL: '50ms' }),
        database,
        logger: false,
        clock,
      });
      const { app } = service;
      try {
        await app.ready();
        service.start();
        // The documented upstream, here a real local registry that answers: a down upstream
        // would bring in the staleness guard (docs/registry.md).
        const namespace = JSON.parse(read(`${dir(example)}/namespace.json`)) as {
          settings: { upstream: { url: string } };
        };
        namespace.settings.upstream.url = upstream.url;
        const steps = [
          { method: 'POST' as const, url: '/api/v1/namespaces', payload: namespace },
          {
            method: 'POST' as const,
            url: '/api/v1/inventory/import',
            payload: JSON.parse(read(`${dir(example)}/inventory.json`)) as object,
          },
          {
            method: 'PUT' as const,
            url: '/api/v1/namespaces/dockerhub/policy',
            payload: read(`${dir(example)}/policy.yaml`),
            headers: { 'content-type': 'application/yaml' },
          },
        ];
        for (const step of steps) {
          const response = await app.inject(step);
          expect({ url: step.url, status: response.statusCode < 300 }).toEqual({
            url: step.url,
            status: true,
          });
        }
        const queued = await app.inject({
          method: 'POST',
          url: '/api/v1/runs',
          payload: { scope: { level: 'namespace', namespace: 'dockerhub' }, dryRun: true },
        });
        expect(queued.statusCode).toBe(202);
        const { id } = queued.json<{ id: number }>();
        const run = await until(
          'the run',
          async () =>
            (await app.inject({ method: 'GET', url: `/api/v1/runs/${id}` })).json<{
              status: string;
              finishedAt: string | null;
            }>(),
          (r) => r.finishedAt !== null,
        );
        expect(run.status).toBe('succeeded');
        const health = await app.inject({ method: 'GET', url: '/api/v1/namespaces/dockerhub' });
        expect(health.json<{ upstream: { status: string | null } }>().upstream.status).not.toBe(
          'down',
        );
        const listed = await app.inject({ method: 'GET', url: `/api/v1/runs/${id}/decisions` });
        const decisions = listed
          .json<{ decisions: (TagDecision & { outcome: string })[] }>()
          .decisions.map(({ outcome: _outcome, ...record }) => record);
        check(example, decisions);
      } finally {
        await service.stop();
        await database.close();
        await created.drop();
      }
    });
  });
});
