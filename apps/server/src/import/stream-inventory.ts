import { type Readable, Transform, type TransformCallback } from 'node:stream';
import Assembler from 'stream-json/Assembler';
import Parser from 'stream-json/Parser';
import {
  EngineErrorCode,
  type InventoryRepository,
  repositoryPath,
  validateRepository,
  WinnowValidationError,
} from '@winnow/engine';
import { ApiError } from '../errors';

/** A token of stream-json's parser with packed values only (`streamValues: false`). */
interface Token {
  readonly name: string;
  readonly value?: string;
}

const ENVELOPE: Readonly<Record<string, string | undefined>> = {
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: undefined,
};

function invalid(pointer: string, message: string): WinnowValidationError {
  return new WinnowValidationError(EngineErrorCode.inventoryInvalid, [{ pointer, message }]);
}

/** Tokens that start or are a whole JSON value (what an Assembler turns into one value). */
function startsValue(token: Token): boolean {
  return token.name !== 'keyValue' && token.name !== 'endObject' && token.name !== 'endArray';
}

/**
 * Reads the snapshot envelope token by token and hands back each repository once it is whole,
 * so that at most one repository is held in memory. The envelope's keys may come in any order.
 */
class SnapshotReader {
  private state: 'start' | 'top' | 'value' | 'array' | 'element' | 'end' = 'start';
  private key = '';
  private assembler = new Assembler();
  private index = 0;
  private readonly seen = new Set<string>();
  private readonly paths = new Map<string, number>();

  /** Where the text is now, for messages about broken JSON. */
  where(): string {
    if (this.state === 'element') return `/repositories/${this.index}`;
    if (this.state === 'array') return '/repositories';
    if (this.state === 'value') return `/${this.key}`;
    return '';
  }

  /** Consumes one token; returns a repository when one is complete and valid. */
  push(token: Token): InventoryRepository | undefined {
    if (token.name === 'parseError') throw this.brokenJson(token.value ?? '');
    switch (this.state) {
      case 'start':
        if (token.name !== 'startObject') throw invalid('', 'expected an object');
        this.state = 'top';
        return undefined;
      case 'top':
        this.top(token);
        return undefined;
      case 'value':
        if (this.feed(token)) this.checkEnvelopeValue(this.assembler.current);
        return undefined;
      case 'array':
        return this.arrayItem(token);
      case 'element':
        return this.feed(token) ? this.repository(this.assembler.current) : undefined;
      case 'end':
        throw invalid('', 'expected the end of the document');
    }
  }

  /** Throws unless the whole envelope was there. */
  finish(): void {
    if (this.state !== 'end') throw invalid(this.where(), 'expected JSON: the text ends early');
    for (const key of Object.keys(ENVELOPE)) {
      if (!this.seen.has(key)) throw invalid('', `must have required property '${key}'`);
    }
  }

  private brokenJson(message: string): WinnowValidationError {
    const where = this.where();
    const place = where === '' ? 'at the top level' : `inside ${where}`;
    return invalid(where, `expected JSON: ${message} (the text breaks ${place})`);
  }

  private top(token: Token): void {
    if (token.name === 'endObject') {
      this.state = 'end';
      return;
    }
    const key = token.value ?? '';
    if (!(key in ENVELOPE)) throw invalid(`/${key}`, 'must NOT have additional properties');
    if (this.seen.has(key)) throw invalid(`/${key}`, 'expected the property once');
    this.seen.add(key);
    this.key = key;
    this.state = key === 'repositories' ? 'array' : 'value';
    if (this.state === 'array') this.index = -1;
  }

  private arrayItem(token: Token): InventoryRepository | undefined {
    if (this.index === -1) {
      if (token.name !== 'startArray') throw invalid('/repositories', 'must be array');
      this.index = 0;
      return undefined;
    }
    if (token.name === 'endArray') {
      this.state = 'top';
      return undefined;
    }
    this.state = 'element';
    return this.feed(token) ? this.repository(this.assembler.current) : undefined;
  }

  /** Feeds a token to the value being assembled; true when the value is complete. */
  private feed(token: Token): boolean {
    const starting = this.assembler.done;
    if (starting && !startsValue(token)) throw invalid(this.where(), 'expected a value');
    if (starting) this.assembler = new Assembler();
    this.assembler.consume(token);
    return this.assembler.done;
  }

  private checkEnvelopeValue(value: unknown): void {
    const expected = ENVELOPE[this.key];
    if (value !== expected) {
      throw invalid(`/${this.key}`, `must be equal to constant "${expected ?? ''}"`);
    }
    this.state = 'top';
  }

  private repository(value: unknown): InventoryRepository {
    const pointer = `/repositories/${this.index}`;
    const repository = validateRepository(value, pointer);
    const path = repositoryPath(repository);
    const first = this.paths.get(path);
    if (first !== undefined) {
      throw invalid(
        pointer,
        `expected a unique repository; "${path}" is also /repositories/${first}`,
      );
    }
    this.paths.set(path, this.index);
    this.index += 1;
    this.state = 'array';
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
 * Turns a parse error into a last token instead of a stream error, so that it arrives after the
 * tokens parsed before it and the reader can say where the text broke.
 */
class OrderedParser extends Parser {
  private failed = false;

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failed) callback();
    else
      super._transform(chunk, encoding, (error?: Error | null) => {
        this.settle(error, callback);
      });
  }

  override _flush(callback: TransformCallback): void {
    if (this.failed) callback();
    else
      super._flush((error?: Error | null) => {
        this.settle(error, callback);
      });
  }

  private settle(error: Error | null | undefined, callback: TransformCallback): void {
    if (error) {
      this.failed = true;
      this.push({ name: 'parseError', value: error.message });
    }
    callback();
  }
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
  const parser = new OrderedParser({ streamValues: false });
  // Not pipeline(): it would destroy the request (and its socket) before the 400 is sent.
  const forward = (error: Error): void => {
    counter.destroy(error);
  };
  source.on('error', forward);
  counter.on('error', (error) => parser.destroy(error));
  source.pipe(counter).pipe(parser);
  const reader = new SnapshotReader();
  try {
    for await (const token of parser as AsyncIterable<Token>) {
      const repository = reader.push(token);
      if (repository) yield repository;
    }
    reader.finish();
  } finally {
    // Drain what the client still sends, so that the error response reaches it.
    source.off('error', forward);
    source.unpipe(counter);
    counter.destroy();
    source.resume();
  }
}
