import type { InventoryManifest, InventoryRepository, InventoryTag, Scope } from '@winnow/engine';

import { DbErrorCode } from '../src';
import { byPath, collect, inventory, policy, streamed } from './fixtures';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

describe.each(providers)('stores on %s', (provider) => {
  const db = useDatabase(provider);

  describe('inventory', () => {
    it('exports what it imported, in engine types, across batch boundaries', async () => {
      const input = inventory(25);
      expect(await db().inventory.importRepositories(streamed(input), { batchSize: 4 })).toEqual({
        repositories: 25,
      });
      expect(await collect(db().inventory.exportRepositories({ batchSize: 3 }))).toEqual(
        byPath(input),
      );
    });

    it('changes nothing when the same snapshot is imported twice', async () => {
      const input = inventory(7);
      await db().inventory.importRepositories(input);
      await db().inventory.importRepositories(streamed(input), { batchSize: 2 });
      expect(await collect(db().inventory.exportRepositories())).toEqual(byPath(input));
      expect(await db().namespaces.list()).toHaveLength(2);
    });

    it('replaces a repository by its newer snapshot: tags and manifests follow it', async () => {
      const [first] = inventory(1) as [InventoryRepository];
      const [tag] = first.tags as [InventoryTag];
      const [manifest] = first.manifests as [InventoryManifest];
      await db().inventory.importRepositories([first]);
      const next: InventoryRepository = {
        ...first,
        tags: [{ ...tag, digest: `sha256:${'f'.repeat(64)}`, labels: ['moved'] }],
        manifests: [{ ...manifest, children: [`sha256:${'9'.repeat(64)}`] }],
      };
      await db().inventory.importRepositories([next]);
      expect(await collect(db().inventory.exportRepositories())).toEqual([next]);
    });

    it('reads an empty database as no repositories', async () => {
      expect(await collect(db().inventory.exportRepositories())).toEqual([]);
    });
  });

  describe('policies', () => {
    const scope = policy([]).scope;

    it('puts revisions 1, 2, 3 and keeps every one', async () => {
      const documents = [policy(['a']), policy(['a', 'b']), policy(['c'])];
      const revisions = [];
      for (const document of documents) {
        revisions.push((await db().policies.put(document, 'alice')).revision);
      }
      expect(revisions).toEqual([1, 2, 3]);
      expect(await db().policies.get(scope)).toMatchObject({
        document: documents[2],
        revision: 3,
        updatedBy: 'alice',
      });
      const history = await db().policies.listRevisions(scope);
      expect(history.map((r) => [r.revision, r.document, r.createdBy])).toEqual(
        documents.map((document, i) => [i + 1, document, 'alice']),
      );
    });

    it('deletes a policy with its revisions; deleting it again is not found', async () => {
      await db().policies.put(policy(['a']), 'alice');
      await db().policies.delete(scope);
      expect(await db().policies.get(scope)).toBeNull();
      await expect(db().policies.delete(scope)).rejects.toMatchObject({
        code: DbErrorCode.notFound,
      });
      await expect(db().policies.listRevisions(scope)).rejects.toMatchObject({
        code: DbErrorCode.notFound,
      });
    });

    it('keeps the server policy apart from a namespace called "server"', async () => {
      const server = { ...policy(['s']), scope: { level: 'server' as const } };
      const namespace = {
        ...policy(['n']),
        scope: { level: 'namespace' as const, namespace: 'server' },
      };
      await db().policies.put(server, 'alice');
      await db().policies.put(namespace, 'bob');
      expect((await db().policies.get(server.scope))?.document).toEqual(server);
      expect((await db().policies.get(namespace.scope))?.document).toEqual(namespace);
      expect((await db().policies.list()).map((p) => p.document)).toEqual([server, namespace]);
    });

    it('lists the policies that apply to a namespace or a repository', async () => {
      const at = (scope: Scope) => ({ ...policy(['r']), scope });
      const documents = [
        at({ level: 'server' }),
        at({ level: 'namespace', namespace: 'acme' }),
        at({ level: 'namespace', namespace: 'acme-x' }),
        at({ level: 'repository', namespace: 'acme', repository: 'web/api' }),
        at({ level: 'repository', namespace: 'acme', repository: 'web' }),
        at({ level: 'repository', namespace: 'acme-x', repository: 'web/api' }),
      ];
      for (const document of documents) await db().policies.put(document, 'alice');
      const listed = async (scope?: Scope) =>
        (await db().policies.list(scope && { applyingTo: scope })).map((p) => p.document);
      expect(await listed()).toHaveLength(documents.length);
      expect(await listed({ level: 'server' })).toHaveLength(documents.length);
      const acme = await listed({ level: 'namespace', namespace: 'acme' });
      expect(new Set(acme)).toEqual(new Set([0, 1, 3, 4].map((i) => documents[i])));
      const webApi = await listed({
        level: 'repository',
        namespace: 'acme',
        repository: 'web/api',
      });
      expect(new Set(webApi)).toEqual(new Set([0, 1, 3].map((i) => documents[i])));
      expect(await listed({ level: 'namespace', namespace: 'gamma' })).toEqual([documents[0]]);
    });

    it('lists nothing when no policy is stored', async () => {
      expect(await db().policies.list()).toEqual([]);
    });
  });

  describe('namespaces and repositories', () => {
    it('maps a unique violation to WINNOW_DB_CONFLICT', async () => {
      const acme = {
        name: 'acme',
        kind: 'proxy_cache' as const,
        settings: { upstream: 'docker.io' },
      };
      // A proxy-cache namespace also reads its upstream's health (none checked yet).
      expect(await db().namespaces.create(acme)).toEqual({
        ...acme,
        upstream: { status: null, checkedAt: null, error: null },
      });
      await expect(db().namespaces.create(acme)).rejects.toMatchObject({
        code: DbErrorCode.conflict,
        message: 'namespace acme: already exists',
      });
      await db().repositories.create({ namespace: 'acme', name: 'web/api' });
      await expect(
        db().repositories.create({ namespace: 'acme', name: 'web/api' }),
      ).rejects.toMatchObject({ code: DbErrorCode.conflict });
      expect(await db().repositories.list('acme')).toEqual([
        { namespace: 'acme', name: 'web/api' },
      ]);
    });

    it('maps a missing record to WINNOW_DB_NOT_FOUND', async () => {
      await expect(db().namespaces.delete('nope')).rejects.toMatchObject({
        code: DbErrorCode.notFound,
      });
      await expect(
        db().repositories.create({ namespace: 'nope', name: 'x' }),
      ).rejects.toMatchObject({
        code: DbErrorCode.notFound,
      });
    });
  });
});
