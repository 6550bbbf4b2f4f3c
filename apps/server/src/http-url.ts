import type { ValidationIssue } from '@winnow/engine';

/**
 * An http or https URL from a body's `url`, without user information or fragment, or what is
 * wrong with it. The issue never echoes the URL: it may hold a credential (a password, a Slack
 * webhook's token). `expected` opens every message; `userInfo` is added when credentials were
 * put in the URL.
 */
export function parseHttpUrl(
  text: string,
  expected: string,
  userInfo = '',
): { url: URL } | { issue: ValidationIssue } {
  const issue = (message: string) => ({ issue: { pointer: '/body/url', message } });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return issue(expected);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return issue(expected);
  if (url.username !== '' || url.password !== '') {
    return issue(`${expected}, without user information${userInfo}`);
  }
  if (text.includes('#')) return issue(`${expected}, without a fragment`);
  return { url };
}
