// Redaction of what may carry secrets before it enters the ring: URL query values, header
// values, argv values. Applied on the main thread when a record is written, so a secret never
// sits in recorder memory nor reaches a snapshot. Each function returns its input unchanged
// (no allocation) when there is nothing to redact, which is the common case on hot paths.
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

const QUESTION = 0x3f;
const HASH = 0x23;
const AT = 0x40;
const EQUALS = 0x3d;
const AMPERSAND = 0x26;
const STAR = 0x2a;

/** Big-endian machines store a word's first byte in its highest bits: their words are swapped. */
const BIG_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0;

function inMemoryOrder(word: number): number {
  return BIG_ENDIAN ? ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24) : word;
}

/**
 * Writes `redactUrl(url)` (query redaction on) as bytes into `words` from word `startWord`, at
 * most `maxBytes` of them, without building the redacted string: the hot path of every HTTP
 * request. Returns the byte count, or -1 when the URL needs the general path (a non-ASCII
 * character, or an `@` that may be credentials). A redacted value can be longer than the
 * original (`a=` → `a=***`): callers reserve up to 4 bytes per character. The last word is
 * written whole (its bytes past the count are zero): no word past ceil(count / 4) is touched,
 * except up to ceil(maxBytes / 4) words when -1 is returned.
 *
 * Bytes are packed four to a word and stored as one uint32 each, not one store per byte: the
 * table's next line is cold (written once per lap), and on the measured VMs a run of byte
 * stores queued behind that miss filled the store buffer and stalled the request hook (a sixth
 * of this function's samples sat right after its first store: docs/benchmarks.md).
 */
export function writeRedactedUrlAscii(url: string, words: Uint32Array, startWord: number, maxBytes: number): number {
  const length = url.length;
  let count = 0;
  let pending = 0; // bytes not stored yet, the first in the lowest bits
  let shift = 0;
  let word = startWord;
  let high = 0;
  let i = 0;
  // The path, up to '?' or '#' (most URLs are nothing else): copied as is, collecting the bits
  // that would show a non-ASCII character. One pass, no scan ahead.
  for (; i < length && count < maxBytes; i++) {
    const code = url.charCodeAt(i);
    if (code === QUESTION || code === HASH || code === AT) break;
    high |= code;
    pending |= code << shift;
    count++;
    if (shift === 24) {
      words[word++] = inMemoryOrder(pending);
      pending = 0;
      shift = 0;
    } else shift += 8;
  }
  if (high >= 0x80) return -1;
  if (i < length) {
    // Something follows. An '@' anywhere may be credentials: the general path decides.
    const next = url.charCodeAt(i);
    if (next === AT) return -1;
    if (next === QUESTION && count < maxBytes) {
      // The query: keys kept, values replaced, the fragment dropped.
      let inValue = false;
      for (; i < length && count < maxBytes; i++) {
        let code = url.charCodeAt(i);
        if (code >= 0x80 || code === AT) return -1;
        if (code === HASH) break;
        let stars = 0;
        if (inValue) {
          if (code !== AMPERSAND) continue;
          inValue = false;
        } else if (code === EQUALS) {
          stars = 3;
          inValue = true;
        }
        // `code`, then `stars` '*' (a value's replacement), each while within maxBytes.
        for (;;) {
          pending |= code << shift;
          count++;
          if (shift === 24) {
            words[word++] = inMemoryOrder(pending);
            pending = 0;
            shift = 0;
          } else shift += 8;
          if (stars === 0 || count >= maxBytes) break;
          stars--;
          code = STAR;
        }
      }
    }
    if (i < length && url.indexOf('@', i) >= 0) return -1; // in the dropped fragment or past the cut
  }
  if (shift !== 0) words[word] = inMemoryOrder(pending);
  return count;
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
/** Where a URL can be appended: the ring's string table. */
interface UrlSink {
  appendString(text: string): number;
  appendRedactedUrl(url: string): number;
}

export function createRedactor(options: RedactOptions = {}) {
  return {
    /** Appends a URL to the ring's string table, redacted as configured; returns its id. */
    appendUrlTo: (ring: UrlSink): ((url: string) => number) =>
      options.query === false ? (url) => ring.appendString(url) : (url) => ring.appendRedactedUrl(url),
    url: (url: string) => redactUrl(url, options),
    headers: (headers: Record<string, string | string[] | number | undefined>) => redactHeaders(headers, options),
    argv: (argv: readonly string[]) => redactArgv(argv, options),
  };
}
