import { type Readable, Transform, type TransformCallback } from 'node:stream';
import {
  EngineErrorCode,
  type InventoryRepository,
  repositoryPath,
  validateRepository,
  WinnowValidationError,
} from '@winnow/engine';
import { ApiError } from '../errors';
import { NUL_MESSAGE, nulPointer } from '../nul-guard';
import { type SnapshotEvent, SnapshotScanner } from './snapshot-scanner';

/** The envelope's properties: their constant values, or undefined for the repositories array. */
const ENVELOPE: Readonly<Record<string, string | undefined>> = {
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: undefined,
};

function invalid(pointer: string, message: string): WinnowValidationError {
  return new WinnowValidationError(EngineErrorCode.inventoryInvalid, [{ pointer, message }]);
}

/**
 * Checks the snapshot's values as the scanner completes them: the envelope's constants, and each
 * repository (validated, with pointers `/repositories/<i>/...`, and unique by path). The keys may
 * come in any order.
 */
class SnapshotReader {
  readonly scanner = new SnapshotScanner(new Set(Object.keys(ENVELOPE)), 'repositories');
  private readonly paths = new Map<string, number>();

  /** The repositories among the events, checked. */
  *repositories(events: readonly SnapshotEvent[]): Generator<InventoryRepository> {
    for (const event of events) {
      if (event.kind === 'property') {
        const expected = ENVELOPE[event.key];
        if (event.value !== expected) {
          throw invalid(`/${event.key}`, `must be equal to constant "${expected ?? ''}"`);
        }
      } else yield this.repository(event.value, event.index);
    }
  }

  /** Throws unless the whole envelope was there. */
  finish(): void {
    const seen = this.scanner.seenKeys();
    for (const key of Object.keys(ENVELOPE)) {
      if (!seen.has(key)) throw invalid('', `must have required property '${key}'`);
    }
  }

  private repository(value: unknown, index: number): InventoryRepository {
    const pointer = `/repositories/${index}`;
    // Parsed here, not by Fastify: the app's check of bodies (nul-guard.ts) never saw it.
    const nulAt = nulPointer(value, pointer);
    if (nulAt !== undefined) throw invalid(nulAt, NUL_MESSAGE);
    const repository = validateRepository(value, pointer);
    const path = repositoryPath(repository);
    const first = this.paths.get(path);
    if (first !== undefined) {
      throw invalid(
        pointer,
        `expected a unique repository; "${path}" is also /repositories/${first}`,
      );
    }
    this.paths.set(path, index);
    return repository;
  }
}

/** Counts bytes and fails past the limit: Fastify enforces bodyLimit only on bodies it reads. */
function byteLimit(limit: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      if (bytes > limit) {
        callback(new ApiError('payloadTooLarge', `the body is larger than ${limit} bytes`));
      } else callback(null, chunk);
    },
  });
}

/**
 * The repositories of a snapshot read from a stream of JSON text, each validated as it arrives
 * (with pointers `/repositories/<i>/...`); throws `WinnowValidationError` at the first problem.
 * Only the current repository and the set of repository paths seen are held in memory.
 */
export async function* streamRepositories(
  source: Readable,
  bodyLimit: number,
): AsyncGenerator<InventoryRepository> {
  const counter = byteLimit(bodyLimit);
  // Not pipeline(): it would destroy the request (and its socket) before the 400 is sent.
  const forward = (error: Error): void => {
    counter.destroy(error);
  };
  source.on('error', forward);
  source.pipe(counter);
  const reader = new SnapshotReader();
  try {
    for await (const chunk of counter as AsyncIterable<Buffer>) {
      yield* reader.repositories(reader.scanner.push(chunk));
    }
    yield* reader.repositories(reader.scanner.finish());
    reader.finish();
  } finally {
    // Drain what the client still sends, so that the error response reaches it.
    source.off('error', forward);
    source.unpipe(counter);
    counter.destroy();
    source.resume();
  }
}
