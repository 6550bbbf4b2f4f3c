import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  EngineErrorCode,
  type ImportEntry,
  type ImportResult,
  importHarborPolicy,
  importQuayPolicies,
  isExact,
  WinnowValidationError,
} from '@winnow/engine';
import { stringify } from 'yaml';
import { type Colour, painterFor } from './colour';
import { formatColumns } from './columns';
import { UsageError } from './errors';

export const IMPORT_POLICY_USAGE = `Usage: winnow import-policy quay FILE --namespace NS [--repository NAME]
                            [--format yaml|json] [--strict]
       winnow import-policy harbor FILE --namespace NS [--format yaml|json] [--strict]

Converts a vendor's retention policy, as its API returns it, into a Winnow policy document
(printed on stdout) and reports on stderr how faithfully each part was carried over: exact,
approximated (Winnow decides slightly differently, and says how) or dropped (not imported).
FILE is JSON; - reads stdin.

  quay    Quay autoprune policies: the answer of GET /api/v1/organization/NS/autoprunepolicy/
          (or /api/v1/user/autoprunepolicy/, or /api/v1/repository/NS/NAME/autoprunepolicy/),
          one policy, or a list. --repository makes a repository policy.
  harbor  A Harbor retention policy: the answer of GET /api/v2.0/retentions/ID. The project
          becomes the namespace given by --namespace.

Options:
  --format yaml|json   the document's format (default yaml)
  --strict             exit 1, printing no document, unless everything was carried over exactly

Exit status: 0 imported, 1 not exact under --strict, 2 invalid input or usage.

Examples:
  curl -s -H "Authorization: Bearer $TOKEN" \\
    https://quay.example.com/api/v1/organization/acme/autoprunepolicy/ > quay.json
  winnow import-policy quay quay.json --namespace acme > acme.yaml
  winnow import-policy harbor retention.json --namespace library --strict --format json
`;

const COLOURS: Record<ImportEntry['severity'], Colour> = {
  exact: 'green',
  approximated: 'yellow',
  dropped: 'red',
};

async function readInput(file: string): Promise<string> {
  if (file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error) Object.assign(error, { path: file });
      throw error;
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WinnowValidationError(EngineErrorCode.importInvalid, [
      { file, pointer: '', message: `expected JSON: ${reason}` },
    ]);
  }
}

/** The report as an aligned table, the severity coloured on a terminal. */
export function renderReport(
  report: readonly ImportEntry[],
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): string {
  const paint = painterFor(stream, env);
  const rows = report.map((e) => [
    e.severity.toUpperCase(),
    e.path === '' ? '/' : e.path,
    e.message,
  ]);
  const lines = formatColumns([['SEVERITY', 'SOURCE', 'WHAT BECAME OF IT'], ...rows]).map(
    (line, i) => {
      const entry = i === 0 ? undefined : report[i - 1];
      if (!entry) return line;
      const word = entry.severity.toUpperCase();
      return paint(word, COLOURS[entry.severity]) + line.slice(word.length);
    },
  );
  const count = (s: ImportEntry['severity']): number =>
    report.filter((e) => e.severity === s).length;
  lines.push(
    '',
    `${count('exact')} exact, ${count('approximated')} approximated, ${count('dropped')} dropped`,
  );
  return `${lines.join('\n')}\n`;
}

/** `winnow import-policy quay|harbor FILE`. */
export async function importPolicyCommand(
  args: string[],
  io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      namespace: { type: 'string' },
      repository: { type: 'string' },
      format: { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true) {
    io.stdout.write(IMPORT_POLICY_USAGE);
    return 0;
  }
  const [vendor, file, ...extra] = positionals;
  if (vendor !== 'quay' && vendor !== 'harbor')
    throw new UsageError(
      `import-policy: expected quay or harbor, got ${vendor === undefined ? 'nothing' : `"${vendor}"`}`,
    );
  if (file === undefined) throw new UsageError('import-policy: FILE is required (- for stdin)');
  if (extra.length > 0) throw new UsageError(`import-policy: unexpected argument "${extra[0]}"`);
  const format = values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json')
    throw new UsageError(`--format: expected yaml or json, got "${format}"`);
  if (values.namespace === undefined)
    throw new UsageError('import-policy: --namespace NS is required');
  if (vendor === 'harbor' && values.repository !== undefined)
    throw new UsageError(
      'import-policy harbor: --repository is not supported (a Harbor policy covers a project)',
    );

  const label = file === '-' ? 'stdin' : file;
  const input = parseJson(await readInput(file), label);
  let result: ImportResult;
  try {
    result =
      vendor === 'quay'
        ? importQuayPolicies(input, {
            namespace: values.namespace,
            ...(values.repository === undefined ? {} : { repository: values.repository }),
          })
        : importHarborPolicy(input, { namespace: values.namespace });
  } catch (error) {
    if (!(error instanceof WinnowValidationError)) throw error;
    throw new WinnowValidationError(
      error.code,
      error.issues.map((issue) => ({ ...issue, file: issue.file ?? label })),
    );
  }
  io.stderr.write(renderReport(result.report, io.stderr as { isTTY?: boolean }, env));
  if (values.strict === true && !isExact(result.report)) {
    io.stderr.write(
      'winnow: --strict: not everything was carried over exactly; no document printed\n',
    );
    return 1;
  }
  io.stdout.write(
    format === 'json'
      ? `${JSON.stringify(result.document, null, 2)}\n`
      : `# Imported by \`winnow import-policy ${vendor}\`; its report (on stderr) lists what was approximated or dropped.\n${stringify(result.document, { lineWidth: 0 })}`,
  );
  return 0;
}
