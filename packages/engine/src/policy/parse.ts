import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
} from 'yaml';
import { EngineErrorCode, type ValidationIssue, WinnowValidationError } from '../errors';

const MAX_SYNTAX_ERRORS = 5;

/** A bare `---` (e.g. a trailing one) holds nothing, like an empty file; `null` or `~` is a value. */
const isEmptyDocument = (contents: unknown): boolean =>
  contents === null || (isScalar(contents) && contents.value === null && contents.source === '');

/** Alias expansions allowed per document: real policies use none, a "billion laughs" uses millions. */
const MAX_ALIAS_COUNT = 100;

const pointerToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON pointer of the first mapping under `node` with a sequence or mapping as a key
 * (`? [a, b] : 1`): a document is JSON, whose keys are strings, and the yaml library would
 * stringify such a key with a process warning.
 */
function collectionKeyAt(node: unknown, pointer: string, document: Document): string | undefined {
  if (isMap(node)) {
    for (const { key, value } of node.items) {
      const resolved = isAlias(key) ? key.resolve(document) : key;
      if (isCollection(resolved)) return pointer;
      const name = isScalar(resolved) ? String(resolved.value) : String(resolved);
      const found = collectionKeyAt(value, `${pointer}/${pointerToken(name)}`, document);
      if (found !== undefined) return found;
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const found = collectionKeyAt(item, `${pointer}/${index}`, document);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** One document of a file, before validation. */
export interface SourceDocument {
  readonly value: unknown;
  readonly file?: string;
  /** 1-based, present when the file holds several documents. */
  readonly document?: number;
}

/**
 * Reads one file's text: YAML (several documents separated by `---`) or JSON (an object or an
 * array of objects; JSON is read by the same YAML 1.2 parser). Throws with every syntax error.
 */
export function parseDocuments(
  text: string,
  file?: string,
  code: (typeof EngineErrorCode)[keyof typeof EngineErrorCode] = EngineErrorCode.policyInvalid,
): SourceDocument[] {
  // logLevel 'error': the yaml library's default ('warn') calls process.emitWarning, e.g. for a
  // collection used as a key: I/O from the engine, and anyone sending a policy could fill the
  // server's log. Errors are still collected in each document's `errors`.
  const documents = parseAllDocuments(text, {
    uniqueKeys: true,
    prettyErrors: true,
    logLevel: 'error',
  });
  const issues: ValidationIssue[] = [];
  const values: unknown[] = [];
  const all = Array.isArray(documents) ? documents : [];
  for (const [index, document] of all.entries()) {
    // The first syntax error of a document; the ones after it are usually its echoes.
    const error = document.errors[0];
    if (error) {
      if (issues.length < MAX_SYNTAX_ERRORS) {
        const at = error.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}: ` : '';
        const what = (error.message.split('\n')[0] ?? '').replace(
          / at line \d+, column \d+:?$/,
          '',
        );
        issues.push({
          file,
          ...(all.length > 1 ? { document: index + 1 } : {}),
          pointer: '',
          message: `expected valid YAML or JSON: ${where}${what}`,
        });
      }
    } else if (!isEmptyDocument(document.contents)) {
      const keyAt = collectionKeyAt(document.contents, '', document);
      if (keyAt !== undefined) {
        issues.push({
          file,
          ...(all.length > 1 ? { document: index + 1 } : {}),
          pointer: keyAt,
          message: 'expected string keys, got a sequence or mapping as a key',
        });
        continue;
      }
      try {
        values.push(document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
      } catch (error) {
        // The yaml library throws (a ReferenceError) past maxAliasCount: an alias bomb is bad
        // input, reported like a syntax error rather than escaping as an internal error.
        if (!(error instanceof ReferenceError)) throw error;
        issues.push({
          file,
          ...(all.length > 1 ? { document: index + 1 } : {}),
          pointer: '',
          message: `expected at most ${MAX_ALIAS_COUNT} alias expansions (YAML aliases that multiply the document)`,
        });
      }
    }
  }
  if (issues.length > 0) throw new WinnowValidationError(code, issues);
  const flat = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
  if (flat.length === 0) {
    throw new WinnowValidationError(code, [
      { file, pointer: '', message: 'expected at least one document' },
    ]);
  }
  return flat.map((value, index) =>
    flat.length > 1 ? { value, file, document: index + 1 } : { value, file },
  );
}
