// Record kinds written by the event sources (the core owns 1–31). The field layout of each
// kind is documented at its decoder; a kind number never changes meaning once shipped,
// because rings copied out of a running process are decoded by whatever build reads them.

export const Kind = {
  httpServerBegin: 32,
  httpServerEnd: 33,
  httpClientBegin: 34,
  httpClientEnd: 35,
  netOpen: 36,
  netClose: 37,
  gc: 38,
  loopBlock: 39,
  loopDelay: 40,
  loopUtilization: 41,
  memory: 42,
  console: 43,
  warning: 44,
  uncaught: 45,
  userMark: 46,
  userMeasure: 47,
  childSpawn: 48,
  childExit: 49,
  workerStart: 50,
  workerExit: 51,
  asyncInit: 52,
  asyncCallback: 53,
  fsOperation: 54,
  httpServerSpan: 55,
  httpServerHeaders: 56,
  httpClientHeaders: 57,
} as const;

/** HTTP methods as small numbers, so an end record needs no string for them. 0 = other. */
export const HTTP_METHODS = ['', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE', 'QUERY'] as const;

export function methodCode(method: string | undefined): number {
  switch (method) {
    case 'GET': return 1;
    case 'POST': return 2;
    case 'PUT': return 3;
    case 'DELETE': return 4;
    case 'PATCH': return 5;
    case 'HEAD': return 6;
    case 'OPTIONS': return 7;
    case 'CONNECT': return 8;
    case 'TRACE': return 9;
    case 'QUERY': return 10;
    default: return 0;
  }
}

/** Client APIs (`HttpBeginArgs.api`). */
export const CLIENT_APIS = ['', 'http', 'https', 'fetch'] as const;
/** The codes of CLIENT_APIS, as written into a client begin record. */
export const CLIENT_API = { http: 1, https: 2, fetch: 3 } as const;

/** Flag added to the method code of an HTTP end record: `s2` holds an error, not a route. */
export const HTTP_END_ERROR = 256;
/** Flag: the request was aborted (client went away, or the socket closed before the response). */
export const HTTP_END_ABORTED = 512;

/**
 * `b` of a completed server span (`httpServerSpan`): route id × SPAN_ROUTE_UNIT + flags +
 * status (status < 1000, so the low 12 bits hold it and the flags). Never 0 once completed:
 * a finished request has a status or the aborted flag.
 */
export const SPAN_ROUTE_UNIT = 4096;
export const SPAN_STATUS_MASK = 1023;
export const SPAN_ABORTED = 2048;
