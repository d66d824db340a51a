// Responses the gateway writes itself (404, 503, probes, redirects), for any socket layer.

export interface LocalReply {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: string;
}

export function textReply(status: number, body: string, extra: Array<[string, string]> = []): LocalReply {
  return {
    status,
    headers: [['content-type', 'text/plain; charset=utf-8'], ...extra],
    body: body.endsWith('\n') ? body : `${body}\n`,
  };
}

export function probeReply(hash: string): LocalReply {
  return { status: 200, headers: [['k-network-hash', hash], ['content-type', 'text/plain; charset=utf-8']], body: 'probe\n' };
}

export function redirectReply(location: string): LocalReply {
  return { status: 301, headers: [['location', location], ['content-type', 'text/plain; charset=utf-8']], body: `Moved to ${location}\n` };
}
