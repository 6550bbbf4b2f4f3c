import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { type InventoryTag, validateRepository, WinnowValidationError } from '@winnow/engine';
import { audited } from '../audit';
import { ApiError } from '../errors';
import {
  type RepositoryParams,
  repositoryParams,
  type TagParams,
  tagParams,
  tagSchema,
  tagTarget,
  refOf,
} from './inventory-schemas';

const anyJson = {};

const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } };

/** The body of a tag PUT, checked exactly as the same tag inside an imported snapshot. */
function tagOf(params: TagParams, body: unknown): InventoryTag {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  const tag = { name: params.tag, ...fields };
  try {
    validateRepository({ namespace: params.namespace, name: params.repository, tags: [tag] });
  } catch (error) {
    if (!(error instanceof WinnowValidationError)) throw error;
    throw new ApiError(
      'inventoryInvalid',
      'the tag is invalid',
      error.issues.map((i) => ({
        pointer: i.pointer.replace(/^\/tags\/0/, '/body'),
        message: i.message,
      })),
    );
  }
  return tag as InventoryTag;
}

/** One repository, and its tags: push or re-tag, read, delete, set or clear immutable. */
export async function tagRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  const repositoryPath = '/api/v1/namespaces/:namespace/repositories/:repository';
  const tagPath = `${repositoryPath}/tags/:tag`;
  app.get<{ Params: RepositoryParams }>(
    repositoryPath,
    {
      schema: {
        tags: ['inventory'],
        summary: 'A repository as a snapshot: its tags and manifests',
        params: repositoryParams,
        response: { 200: anyJson, ...errors },
      },
    },
    async (request) => {
      const repository = await database.repositories.get(refOf(request.params));
      if (!repository)
        throw new ApiError(
          'notFound',
          `no repository "${request.params.namespace}/${request.params.repository}"`,
        );
      return repository;
    },
  );
  app.delete<{ Params: RepositoryParams }>(
    repositoryPath,
    {
      schema: {
        tags: ['inventory'],
        summary: 'Delete a repository with its tags and manifests',
        params: repositoryParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const { namespace, repository } = request.params;
      await audited(
        database,
        (stores) => stores.repositories.delete(refOf(request.params)),
        () => ({ action: 'repository.delete', target: `repository:${namespace}/${repository}` }),
      );
      return reply.status(204).send();
    },
  );
  app.put<{ Params: TagParams }>(
    tagPath,
    {
      schema: {
        tags: ['inventory'],
        summary:
          'Push or re-tag: the tag points at `digest` (201 when new); creates the repository as a push does',
        params: tagParams,
        body: {
          type: 'object',
          description:
            'The tag fields of the inventory format but `name`: digest, pushedAt, lastPulledAt, immutable, labels',
        },
        response: { 200: tagSchema, 201: tagSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { tag, created } = await audited(
        database,
        (stores) => stores.tags.put(refOf(request.params), tagOf(request.params, request.body)),
        (result) => ({
          action: 'tag.put',
          target: tagTarget(request.params),
          details: { digest: result.tag.digest, created: result.created },
        }),
      );
      return reply.status(created ? 201 : 200).send(tag);
    },
  );
  app.get<{ Params: TagParams }>(
    tagPath,
    {
      schema: {
        tags: ['inventory'],
        summary: 'One tag',
        params: tagParams,
        response: { 200: tagSchema, ...errors },
      },
    },
    async (request) => {
      const tag = await database.tags.get(refOf(request.params), request.params.tag);
      if (!tag)
        throw new ApiError(
          'notFound',
          `no tag "${request.params.tag}" in "${request.params.namespace}/${request.params.repository}"`,
        );
      return tag;
    },
  );
  app.delete<{ Params: TagParams }>(
    tagPath,
    {
      schema: {
        tags: ['inventory'],
        summary: 'Delete a tag (from the inventory; the registry is not touched)',
        params: tagParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      await audited(
        database,
        (stores) => stores.tags.delete(refOf(request.params), request.params.tag),
        () => ({ action: 'tag.delete', target: tagTarget(request.params) }),
      );
      return reply.status(204).send();
    },
  );
  for (const [method, immutable] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const) {
    app.route<{ Params: TagParams }>({
      method,
      url: `${tagPath}/immutable`,
      schema: {
        tags: ['inventory'],
        summary: immutable
          ? 'Make a tag immutable: never deleted, never counted'
          : 'Make a tag mutable again',
        params: tagParams,
        response: { 200: tagSchema, ...errors },
      },
      handler: async (request) => {
        return audited(
          database,
          (stores) =>
            stores.tags.setImmutable(refOf(request.params), request.params.tag, immutable),
          () => ({
            action: immutable ? 'tag.immutable.set' : 'tag.immutable.clear',
            target: tagTarget(request.params),
          }),
        );
      },
    });
  }
  await Promise.resolve();
}
