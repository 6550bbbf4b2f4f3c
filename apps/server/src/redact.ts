/**
 * User information in a URL: `scheme://user:password@` (the password is what goes), up to the
 * last `@` of the word, so that a password holding an unencoded `@` or `/` goes whole.
 */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)\S*@/gi;
/**
 * A query parameter whose name says it carries a secret: `token`, `access_token`, `password`,
 * `sslpassword`, `api_key`, `X-Amz-Signature`, `X-Amz-Credential`, `code`...
 */
const QUERY_SECRET =
  /([?&](?:[\w.-]*(?:token|password|passwd|pwd|secret|key|sig|signature|credential|auth|authorization)|code)=)[^&#\s"'\\]*/gi;

/**
 * `text` with the passwords of the URLs it holds and the values of secret-looking query
 * parameters (`?token=`, `&password=`, ...) replaced by `***`: for log lines and error messages,
 * which may quote a URL.
 */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@').replace(QUERY_SECRET, '$1***');
}

/**
 * Replaces every occurrence of the known secrets in a serialized log line (defence in depth:
 * redact paths and serializers come first). Values shorter than 8 characters are left out,
 * replacing them would mangle ordinary words; a value is searched for as JSON escapes it.
 */
export function secretScrubber(secrets: readonly (string | undefined)[]): (line: string) => string {
  const needles = [
    ...new Set(
      secrets
        .filter((s): s is string => s !== undefined && s.length >= 8)
        .map((s) => JSON.stringify(s).slice(1, -1)),
    ),
  ];
  if (needles.length === 0) return (line) => line;
  return (line) =>
    needles.reduce(
      (scrubbed, needle) =>
        scrubbed.includes(needle) ? scrubbed.split(needle).join('[redacted]') : scrubbed,
      line,
    );
}
