// Why an upstream could not be used, as the `reason` label of sluice_upstream_errors_total: one
// classifier for every path (raw sockets, undici, HTTP/2 sessions, WebSocket tunnels), so the
// same failure is counted the same way whichever front end the request came through.

export type UpstreamErrorReason = 'connection_refused' | 'reset' | 'connect_timeout' | 'dns' | 'unreachable' | 'protocol' | 'other';

/** The reason for a socket or client error; no error (a close or FIN before the answer) is a reset. */
export function upstreamErrorReason(err: (Error & { code?: string }) | undefined): UpstreamErrorReason {
  switch (err?.code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case undefined:
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'ERR_HTTP2_STREAM_ERROR':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_GOAWAY_SESSION':
      return 'reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect_timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'dns';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'HPE_INVALID_CONSTANT':
    case 'UND_ERR_INFO':
      return 'protocol';
    default:
      return 'other';
  }
}
