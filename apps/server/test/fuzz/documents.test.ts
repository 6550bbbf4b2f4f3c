/**
 * Policy documents, inventory snapshots and registry notifications: mutants of valid ones
 * (hostile values anywhere, fields dropped or added, prototype-pollution keys) and arbitrary text,
 * through the engine's parsers and through the API routes that take them.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import fc from 'fast-check';
import {
  compilePolicies,
  loadPolicyTexts,
  parseInventory,
  WinnowValidationError,
} from '@winnow/engine';
import { mutantOf, mutantText, validEnvelope, validInventory, validPolicy } from './documents';
import {
  buildFuzzApp,
  checkTarget,
  CLIENT_HEADERS,
  EVENTS_SECRET,
  expectWellBehaved,
  FUZZ_TIMEOUT_MS,
  isTargetSelected,
} from './support';

let app: FastifyInstance;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await buildFuzzApp());
});
afterAll(async () => {
  await close();
});

/** The engine's contract: a value, or a WinnowValidationError whose every issue has a pointer. */
function expectEngineContract(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof WinnowValidationError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.pointer).toBe('string');
      expect(typeof issue.message).toBe('string');
    }
  }
}

async function expectRoute(request: InjectOptions): Promise<void> {
  expectWellBehaved(request, await app.inject(request));
}

/**
 * A document target: its property for FUZZ_RUNS cases, with no Jest timeout (10,000 cases take
 * minutes); skipped when WINNOW_FUZZ_ONLY / WINNOW_FUZZ_SKIP leave it out.
 */
function target<Ts>(name: string, property: () => fc.IRawProperty<Ts>): void {
  (isTargetSelected(name) ? it : it.skip)(
    name,
    async () => {
      expect(await checkTarget(name, property())).toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );
}

const json = (payload: string, headers: Record<string, string> = {}) => ({
  headers: { ...CLIENT_HEADERS, 'content-type': 'application/json', ...headers },
  payload,
});

describe('fuzzing documents', () => {
  target('policy documents: engine parse, validate and compile', () =>
    fc.property(mutantText(validPolicy), (text) => {
      expectEngineContract(() => compilePolicies(loadPolicyTexts([{ text }]).map((p) => p.policy)));
    }),
  );

  target('policy documents: PUT a namespace policy (JSON and YAML) and POST a preview', () =>
    fc.asyncProperty(
      mutantText(validPolicy),
      mutantOf(validPolicy),
      fc.constantFrom('application/json', 'application/yaml'),
      async (text, document, type) => {
        await expectRoute({
          method: 'PUT',
          url: '/api/v1/namespaces/acme/policy',
          ...json(text, { 'content-type': type }),
        });
        await expectRoute({
          method: 'POST',
          url: '/api/v1/preview',
          ...json(JSON.stringify({ policies: [document] })),
        });
      },
    ),
  );

  target('inventory snapshots: engine parseInventory', () =>
    fc.property(mutantText(validInventory), (text) => {
      expectEngineContract(() => parseInventory(text));
    }),
  );

  target('inventory snapshots: POST the import route', () =>
    fc.asyncProperty(mutantText(validInventory), async (text) => {
      await expectRoute({ method: 'POST', url: '/api/v1/inventory/import', ...json(text) });
    }),
  );

  target('registry event envelopes: POST the events route with the bearer secret', () =>
    fc.asyncProperty(
      mutantText(validEnvelope),
      fc.constantFrom('application/json', 'application/vnd.docker.distribution.events.v1+json'),
      async (text, type) => {
        await expectRoute({
          method: 'POST',
          url: '/api/v1/events/distribution',
          ...json(text, { 'content-type': type, authorization: `Bearer ${EVENTS_SECRET}` }),
        });
      },
    ),
  );
});
