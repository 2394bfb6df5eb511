// Redaction of what may carry secrets: URL query values and credentials, header values, argv
// values, so that none reaches a snapshot. Headers and argv are redacted before they enter the
// ring. URLs enter it as they came — the program's own request objects held them anyway — and
// are redacted as a snapshot decodes them (snapshot/build.ts): redacting on the program's thread
// cost every request ~10 % of the recorder's share of a loaded server (docs/benchmarks.md,
// finding 1). Each function returns its input unchanged (no allocation) when there is nothing
// to redact.
import type { RedactOptions } from '../format/config';

export const REDACTED = '***';

/** Headers whose values are kept: they describe the request and carry no credentials. */
export const SAFE_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'accept',
  'accept-encoding',
  'host',
  'connection',
  'transfer-encoding',
]);

/**
 * `/p?token=abc&x=1#frag` → `/p?token=***&x=***#frag`. Keys are kept (they say what was
 * sent), values replaced; a key without `=` is kept as is. The fragment is dropped (it never
 * reaches a server and may hold OAuth tokens).
 */
export function redactQuery(url: string): string {
  const hash = url.indexOf('#'); // the fragment starts at the first '#', even before a '?'
  const question = url.indexOf('?');
  if (question < 0 || (hash >= 0 && hash < question)) return hash < 0 ? url : url.slice(0, hash);
  const query = url.slice(question + 1, hash < 0 ? url.length : hash);
  let out = url.slice(0, question + 1);
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const pair = query.slice(start, end);
    const equals = pair.indexOf('=');
    if (start > 0) out += '&';
    out += equals < 0 ? pair : `${pair.slice(0, equals)}=${REDACTED}`;
    start = end + 1;
  }
  return out;
}

/** Removes `user:password@` from absolute URLs. */
function redactUserInfo(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const at = url.indexOf('@', scheme + 3);
  if (at < 0) return url;
  const slash = url.indexOf('/', scheme + 3);
  if (slash >= 0 && slash < at) return url;
  return `${url.slice(0, scheme + 3)}${REDACTED}@${url.slice(at + 1)}`;
}

export function redactUrl(url: string, options: RedactOptions = {}): string {
  if (options.query === false) return url;
  return redactQuery(redactUserInfo(url));
}

/**
 * Headers whose values are credentials: redacted even when a user asked to record them by name
 * (recordHeaders), unless `redact.headers` is false.
 */
const SECRET_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie)$|token|secret|passw(?:or)?d|api[-_]?key|auth|credential|session|signature|private[-_]?key|access[-_]?key/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

export function redactHeaders(
  headers: Record<string, string | string[] | number | undefined>,
  options: RedactOptions = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = options.headers === false || SAFE_HEADERS.has(lower) ? (Array.isArray(value) ? value.join(', ') : String(value)) : REDACTED;
  }
  return out;
}

// Flag names (after the dashes) that announce a secret value: --token=x, --api-key x, --db-password=...
const SECRET_FLAG = /(?:token|secret|passw(?:or)?d|pwd|api[-_]?key|auth|credential|private[-_]?key|access[-_]?key|session)/i;
// KEY=value arguments (env-style) with a secret-looking key: AWS_SECRET_ACCESS_KEY=..., DB_PASSWORD=...
const SECRET_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
// A value that is an absolute URL (postgres://user:pass@host/db, https://h/cb?token=x).
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** URL credentials and query values of a value that is a URL; any other value is kept. */
function redactUrlValue(value: string): string {
  return URL_VALUE.test(value) ? redactQuery(redactUserInfo(value)) : value;
}

/**
 * Redacts secrets in a command line: values of secret-looking flags (`--token=x`,
 * `--password x`), secret-looking `KEY=value` assignments, and URL credentials and query values
 * wherever a URL stands (`--db=postgres://u:p@h/db`, `DB=https://h?token=x`, a bare URL).
 * Other arguments are kept, so the command stays recognisable.
 */
export function redactArgv(argv: readonly string[], options: RedactOptions = {}): string[] {
  if (options.argv === false) return argv.slice();
  const out: string[] = [];
  let redactNext = false;
  for (const arg of argv) {
    if (redactNext) {
      redactNext = false;
      if (!arg.startsWith('-')) {
        out.push(REDACTED);
        continue;
      }
    }
    if (arg.startsWith('-')) {
      const equals = arg.indexOf('=');
      const flag = equals < 0 ? arg : arg.slice(0, equals);
      if (!SECRET_FLAG.test(flag)) out.push(equals < 0 ? arg : `${flag}=${redactUrlValue(arg.slice(equals + 1))}`);
      else if (equals < 0) {
        redactNext = true;
        out.push(arg);
      } else out.push(`${flag}=${REDACTED}`);
      continue;
    }
    const assignment = SECRET_ASSIGNMENT.exec(arg);
    if (assignment) {
      const key = assignment[1] ?? '';
      out.push(`${key}=${SECRET_FLAG.test(key) ? REDACTED : redactUrlValue(assignment[2] ?? '')}`);
      continue;
    }
    out.push(redactUrlValue(arg));
  }
  return out;
}

/** The three redactors bound to one configuration, as the core hands them to sources. */
export function createRedactor(options: RedactOptions = {}) {
  return {
    url: (url: string) => redactUrl(url, options),
    headers: (headers: Record<string, string | string[] | number | undefined>) => redactHeaders(headers, options),
    argv: (argv: readonly string[]) => redactArgv(argv, options),
  };
}
