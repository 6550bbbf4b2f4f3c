/** Patterns for the ReDoS tests of the engine and of the server's policy routes. */

/** The OWASP "Regular expression Denial of Service" examples and other classics. */
export const REDOS_PATTERNS: readonly string[] = [
  '(a+)+$',
  '(a|a)*$',
  '(a|aa)+$',
  '(.*a){20}',
  '^(\\w+\\s?)*$',
  '^(a+)+$',
  '([a-zA-Z]+)*$',
  '(a|a?)+$',
  '(.*a){11}$',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
  "^[a-zA-Z]+(([',. -][a-zA-Z ])?[a-zA-Z]*)*$",
  '^(\\d+)*$',
  '(x+x+)+y',
  '^(a?){25}a{25}$',
];

/** Constructs RE2 lacks: backreferences and lookaround. */
export const REFUSED_PATTERNS: readonly string[] = [
  '(a)\\1',
  '^(\\w+)-\\1$',
  '(?=a)a',
  '(?!a)b',
  '(?<=a)b',
  '(?<!a)b',
  '(?P<x>a)(?P=x)',
];
