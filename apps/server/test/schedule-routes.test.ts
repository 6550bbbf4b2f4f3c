import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { providers, testDatabase } from './database';

const NOW = new Date('2026-11-01T00:00:00Z');

const SCOPES = [
  { url: '/api/v1/policies/server', scope: { level: 'server' }, label: 'server' },
  {
    url: '/api/v1/namespaces/acme/policy',
    scope: { level: 'namespace', namespace: 'acme' },
    label: 'acme',
  },
  {
    url: '/api/v1/namespaces/acme/repositories/web%2Fapi/policy',
    scope: { level: 'repository', namespace: 'acme', repository: 'web/api' },
    label: 'acme/web/api',
  },
] as const;

const policyAt = (scope: object, name = 'old') => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope,
  rules: [{ name, select: { tags: { glob: '*' } }, match: { olderThan: '30d' }, then: 'delete' }],
});

interface ErrorBody {
  error: { code: string; message: string; issues?: { pointer: string; message: string }[] };
}

const errorOf = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  ...response.json<ErrorBody>().error,
});

describe.each(providers)('schedule routes on %s', (provider) => {
  let app: FastifyInstance;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const created = await testDatabase(provider);
    app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database: created.database,
      logger: false,
      clock: () => NOW,
    });
    await app.ready();
    drop = async () => {
      await app.close();
      await created.drop();
    };
  });
  afterEach(() => drop());

  const inject = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, ...(payload !== undefined && { payload }) });

  describe.each(SCOPES)('at $url', ({ url, scope, label }) => {
    const schedule = `${url}/schedule`;
    const noPolicy = {
      status: 404,
      code: 'WINNOW_NOT_FOUND',
      message: `no ${scope.level} policy "${label}"`,
    };
    const noSchedule = {
      status: 404,
      code: 'WINNOW_NOT_FOUND',
      message: `the ${scope.level} policy "${label}" has no schedule`,
    };

    it('answers 404 while the scope has no policy, or its policy no schedule', async () => {
      expect(errorOf(await inject('GET', schedule))).toMatchObject(noPolicy);
      expect(errorOf(await inject('PUT', schedule, { cron: '0 3 * * *' }))).toMatchObject(noPolicy);
      expect(errorOf(await inject('DELETE', schedule))).toMatchObject(noPolicy);
      expect((await inject('PUT', url, policyAt(scope))).statusCode).toBe(201);
      expect(errorOf(await inject('GET', schedule))).toMatchObject(noSchedule);
      expect(errorOf(await inject('DELETE', schedule))).toMatchObject(noSchedule);
    });

    it('sets, replaces, reads and deletes the schedule; a new revision keeps it', async () => {
      expect((await inject('PUT', url, policyAt(scope))).statusCode).toBe(201);
      const policy = (await inject('GET', url)).json<{ updatedAt: string }>();
      const put = await inject('PUT', schedule, {
        cron: ' 0  3 * * * ',
        timezone: 'Europe/Paris',
        dryRun: true,
      });
      expect(put.statusCode).toBe(200);
      // 03:00 in Paris on 1 November (UTC+1) is 02:00 UTC.
      expect(put.json()).toEqual({
        policy: label,
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
        dryRun: true,
        nextRunAt: '2026-11-01T02:00:00.000Z',
        lastRunId: null,
      });
      expect((await inject('GET', schedule)).json()).toEqual(put.json());
      // Replaced whole: the time zone and dry run are back to their defaults.
      const replaced = await inject('PUT', schedule, { cron: '@daily' });
      expect(replaced.json()).toEqual({
        policy: label,
        cron: '@daily',
        timezone: 'UTC',
        dryRun: false,
        nextRunAt: '2026-11-02T00:00:00.000Z',
        lastRunId: null,
      });
      // The schedule is not part of the policy: its revision and updatedAt did not move.
      expect((await inject('GET', url)).json()).toMatchObject({ revision: 1, ...policy });
      expect((await inject('PUT', url, policyAt(scope, 'older'))).statusCode).toBe(200);
      expect((await inject('GET', schedule)).json()).toEqual(replaced.json());
      expect((await inject('DELETE', schedule)).statusCode).toBe(204);
      expect(errorOf(await inject('GET', schedule))).toMatchObject(noSchedule);
      expect((await inject('GET', url)).json()).toMatchObject({ revision: 2 });
    });

    it('deletes the schedule with its policy', async () => {
      await inject('PUT', url, policyAt(scope));
      expect((await inject('PUT', schedule, { cron: '*/5 * * * * *' })).json()).toMatchObject({
        nextRunAt: '2026-11-01T00:00:05.000Z',
      });
      expect((await inject('DELETE', url)).statusCode).toBe(204);
      expect(errorOf(await inject('GET', schedule))).toMatchObject(noPolicy);
      await inject('PUT', url, policyAt(scope));
      expect(errorOf(await inject('GET', schedule))).toMatchObject(noSchedule);
    });

    it('records each change in the audit log', async () => {
      await inject('PUT', url, policyAt(scope));
      await inject('PUT', schedule, { cron: '0 3 * * 1-5', timezone: 'America/New_York' });
      await inject('DELETE', schedule);
      await inject('PUT', schedule, { cron: 'not a cron' }); // refused: no entry
      const { entries } = (await inject('GET', '/api/v1/audit')).json<{
        entries: { actor: string; action: string; target: string; details: object }[];
      }>();
      expect(entries.filter((e) => e.action.startsWith('schedule.'))).toEqual([
        {
          actor: 'api',
          action: 'schedule.put',
          target: `policy:${scope.level}:${label}`,
          details: { cron: '0 3 * * 1-5', timezone: 'America/New_York', dryRun: false },
          id: expect.any(Number) as unknown,
          at: expect.any(String) as unknown,
        },
        {
          actor: 'api',
          action: 'schedule.delete',
          target: `policy:${scope.level}:${label}`,
          details: {},
          id: expect.any(Number) as unknown,
          at: expect.any(String) as unknown,
        },
      ]);
    });

    it('refuses each invalid body with 400 and the field, storing nothing', async () => {
      await inject('PUT', url, policyAt(scope));
      const cases: [object, string, RegExp][] = [
        [{ cron: 'every day' }, '/body/cron', /^expected a cron expression of 5 fields .*parts/],
        [{ cron: '* * * *' }, '/body/cron', /exactly five or six/],
        [{ cron: '0 0 3 * * * 2027' }, '/body/cron', /exactly five or six/],
        [{ cron: '61 * * * *' }, '/body/cron', /Invalid value for minute: 61$/],
        [{ cron: '0 3 ? * *' }, '/body/cron', /use \* instead of \?$/],
        [{ cron: '0 0 30 2 *' }, '/body/cron', /^"0 0 30 2 \*" never fires again$/],
        [{ cron: '   ' }, '/body/cron', /^expected a cron expression/],
        [{ cron: '' }, '/body/cron', /^expected a non-empty string$/],
        [{}, '/body/cron', /^is required: expected a string$/],
        [{ cron: '0 3 * * *', timezone: 'Mars/Olympus' }, '/body/timezone', /IANA time zone/],
        [{ cron: '0 3 * * *', timezone: '' }, '/body/timezone', /^expected a non-empty string$/],
        [{ cron: '0 3 * * *', dryRun: 'yes' }, '/body/dryRun', /^expected a boolean$/],
        [
          { cron: '0 3 * * *', every: 'day' },
          '/body/every',
          /^unknown field; expected one of cron, timezone, dryRun$/,
        ],
      ];
      for (const [body, pointer, message] of cases) {
        const error = errorOf(await inject('PUT', schedule, body));
        expect({ body, ...error }).toMatchObject({
          body,
          status: 400,
          code: 'WINNOW_VALIDATION_FAILED',
          issues: [{ pointer, message: expect.stringMatching(message) as unknown }],
        });
        expect(error.issues).toHaveLength(1);
      }
      expect(errorOf(await inject('GET', schedule))).toMatchObject(noSchedule);
    });
  });

  it.each([
    ['/api/v1/namespaces/Acme/policy/schedule', '/params/namespace'],
    ['/api/v1/namespaces/Acme/repositories/web/policy/schedule', '/params/namespace'],
    ['/api/v1/namespaces/acme/repositories/web%2F/policy/schedule', '/params/repository'],
  ])('refuses a bad name in %s with 400 at %s, on every method', async (url, pointer) => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const payload = method === 'PUT' ? { cron: '0 3 * * *' } : undefined;
      const error = errorOf(await inject(method, url, payload));
      expect(error).toMatchObject({ status: 400, code: 'WINNOW_VALIDATION_FAILED' });
      expect(error.issues?.map((i) => i.pointer)).toEqual([pointer]);
    }
  });
});
