import { EngineErrorCode, type ValidationIssue, WinnowValidationError } from '@winnow/engine';

/** One whole value of the snapshot's envelope or of its `repositories` array, parsed. */
export type SnapshotEvent =
  | { readonly kind: 'property'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'element'; readonly index: number; readonly value: unknown };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Bytes that end a bare scalar (number, true, false, null). */
const endsScalar = (c: number): boolean =>
  isSpace(c) || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COLON;

function invalid(pointer: string, message: string): WinnowValidationError {
  const issue: ValidationIssue = { pointer, message };
  return new WinnowValidationError(EngineErrorCode.inventoryInvalid, [issue]);
}

/**
 * Where the scanner is in `{"apiVersion": ..., "kind": ..., "repositories": [ ... ]}`:
 * - `start`: before the top-level object; `key`: expecting a property name or `}`;
 * - `colon`, `value`, `next`: after a name, inside an envelope value, after a value;
 * - `array`: expecting `[`; `item`: expecting an element or `]`; `element`: inside one;
 *   `separator`: after an element; `end`: after the top-level object.
 */
type State =
  'start' | 'key' | 'colon' | 'value' | 'next' | 'array' | 'item' | 'element' | 'separator' | 'end';

/**
 * Splits a snapshot's JSON text, fed in chunks of bytes, into its envelope properties and the
 * elements of its `repositories` array, each parsed with `JSON.parse` once it is whole. Only the
 * structure between values is scanned byte by byte (strings, nesting); the values themselves are
 * parsed by V8, which is many times faster than a token stream. Holds one value at a time.
 *
 * Errors are `WINNOW_INVENTORY_INVALID` with the JSON pointer of where the text breaks.
 */
export class SnapshotScanner {
  private state: State = 'start';
  private readonly seen = new Set<string>();
  private key = '';
  private index = 0;
  private expectKey = false;
  /** The value being captured: its bytes so far, and the scan state inside it. */
  private parts: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private capturing = false;

  /**
   * @param keys the envelope's property names (any other is an error, as is one seen twice)
   * @param arrayKey the one whose value is the array of elements
   */
  constructor(
    private readonly keys: ReadonlySet<string>,
    private readonly arrayKey: string,
  ) {}

  /** The property names seen so far. */
  seenKeys(): ReadonlySet<string> {
    return this.seen;
  }

  /** Where the text is now, for messages about broken JSON. */
  where(): string {
    if (this.state === 'element' || this.state === 'separator') {
      return `/${this.arrayKey}/${this.index}`;
    }
    if (this.state === 'item' || this.state === 'array') return `/${this.arrayKey}`;
    if (this.state === 'value' || this.state === 'colon') return `/${this.key}`;
    return '';
  }

  /** Scans one chunk; returns the values it completed, in order. */
  push(chunk: Buffer): SnapshotEvent[] {
    const events: SnapshotEvent[] = [];
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      if (this.capturing) {
        i = this.capture(chunk, i, events);
        continue;
      }
      const c = chunk[i] ?? 0;
      if (isSpace(c)) {
        i += 1;
        continue;
      }
      // A byte of structure is consumed; the first byte of a value is captured with the value.
      if (this.structural(c)) i += 1;
    }
    return events;
  }

  /** Throws unless the text ended after the whole top-level object. */
  finish(): SnapshotEvent[] {
    const events: SnapshotEvent[] = [];
    // A bare scalar at the end of the text ends there.
    if (this.capturing && this.scalar && this.state === 'value') this.complete(events);
    if (this.state !== 'end') throw this.broken('the text ends early');
    return events;
  }

  private broken(message: string): WinnowValidationError {
    const where = this.where();
    const place = where === '' ? 'at the top level' : `inside ${where}`;
    return invalid(where, `expected JSON: ${message} (the text breaks ${place})`);
  }

  private unexpected(c: number, expected: string): WinnowValidationError {
    return this.broken(
      `unexpected ${JSON.stringify(String.fromCharCode(c))}, expected ${expected}`,
    );
  }

  /**
   * A byte between values: moves the state machine and returns true, or starts capturing a
   * value there and returns false.
   */
  private structural(c: number): boolean {
    switch (this.state) {
      case 'start':
        if (c !== OPEN_BRACE) throw invalid('', 'expected an object');
        this.state = 'key';
        this.expectKey = false;
        return true;
      case 'key':
        if (c === CLOSE_BRACE && !this.expectKey) {
          this.state = 'end';
          return true;
        }
        if (c !== QUOTE) throw this.unexpected(c, 'a property name');
        this.begin(c);
        return false;
      case 'colon':
        if (c !== COLON) throw this.unexpected(c, '":"');
        this.state = this.key === this.arrayKey ? 'array' : 'value';
        return true;
      case 'value':
        this.begin(c);
        return false;
      case 'next':
        if (c === COMMA) {
          this.state = 'key';
          this.expectKey = true;
        } else if (c === CLOSE_BRACE) this.state = 'end';
        else throw this.unexpected(c, '"," or "}"');
        return true;
      case 'array':
        if (c !== OPEN_BRACKET) throw invalid(`/${this.arrayKey}`, 'must be array');
        this.state = 'item';
        this.expectKey = false;
        return true;
      case 'item':
        if (c === CLOSE_BRACKET && !this.expectKey) {
          this.state = 'next';
          return true;
        }
        if (c === CLOSE_BRACKET || c === COMMA) throw this.unexpected(c, 'a repository');
        this.state = 'element';
        this.begin(c);
        return false;
      case 'separator':
        if (c === COMMA) {
          this.index += 1;
          this.state = 'item';
          this.expectKey = true;
        } else if (c === CLOSE_BRACKET) this.state = 'next';
        else throw this.unexpected(c, '"," or "]"');
        return true;
      case 'element': // never: an element is being captured while the state is 'element'
        return true;
      case 'end':
        throw invalid('', 'expected the end of the document');
    }
  }

  private begin(c: number): void {
    this.capturing = true;
    this.parts = [];
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
  }

  /** Scans a value from `start`; returns where scanning goes on. */
  private capture(chunk: Buffer, start: number, events: SnapshotEvent[]): number {
    const length = chunk.length;
    let i = start;
    let end = -1;
    if (this.scalar) {
      while (i < length && !endsScalar(chunk[i] ?? 0)) i += 1;
      if (i < length) end = i;
    } else {
      let depth = this.depth;
      let inString = this.inString;
      let escaped = this.escaped;
      for (; i < length; i += 1) {
        const c = chunk[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) {
              end = i + 1;
              break;
            }
          }
        } else if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth -= 1;
          if (depth <= 0) {
            end = i + 1;
            break;
          }
        }
      }
      this.depth = depth;
      this.inString = inString;
      this.escaped = escaped;
    }
    if (end === -1) {
      this.parts.push(chunk.subarray(start, length));
      return length;
    }
    this.parts.push(chunk.subarray(start, end));
    this.complete(events);
    return end;
  }

  private property(key: string): void {
    if (!this.keys.has(key)) throw invalid(`/${key}`, 'must NOT have additional properties');
    if (this.seen.has(key)) throw invalid(`/${key}`, 'expected the property once');
    this.seen.add(key);
    this.key = key;
    this.state = 'colon';
  }

  /** The captured value is whole: parses it and moves on. */
  private complete(events: SnapshotEvent[]): void {
    const parts = this.parts;
    this.parts = [];
    this.capturing = false;
    const text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.broken(error instanceof Error ? error.message : String(error));
    }
    switch (this.state) {
      case 'key':
        this.property(value as string);
        return;
      case 'value':
        events.push({ kind: 'property', key: this.key, value });
        this.state = 'next';
        return;
      default:
        events.push({ kind: 'element', index: this.index, value });
        this.state = 'separator';
    }
  }
}
