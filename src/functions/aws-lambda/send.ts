// Sends one signed Invoke and reads Lambda's whole answer, bounded in time and size. The only I/O
// of the Lambda handler; what the answer means is decided elsewhere (answer.ts).
import http from 'node:http';
import https from 'node:https';
import type { InvokeRequest } from './request.ts';

export type InvokeOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: Buffer }
  /** no answer began: refused, unresolvable, reset or TLS failure before the status line */
  | { readonly kind: 'unreachable'; readonly detail: string }
  /** an answer began but did not arrive whole (reset, or larger than the bound) */
  | { readonly kind: 'broken'; readonly detail: string }
  | { readonly kind: 'timeout' };

export interface SendOptions {
  /** the client's signal: aborting it rejects with its reason */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxAnswerBytes: number;
}

// Keep-alive pools shared by every call: Lambda endpoints are few and reached often.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export async function sendInvoke(r: InvokeRequest, o: SendOptions): Promise<InvokeOutcome> {
  const first = await sendOnce(r, o);
  // A pooled socket the endpoint closed while idle fails at once; one fresh try is what AWS SDKs do too.
  return first.retry ? (await sendOnce(r, o)).outcome : first.outcome;
}

function sendOnce(r: InvokeRequest, o: SendOptions): Promise<{ outcome: InvokeOutcome; retry?: boolean }> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) return reject(o.signal.reason);
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const proto = r.origin.protocol === 'https:' ? 'https:' : 'http:';
    const request = (proto === 'https:' ? https : http).request({
      protocol: proto,
      hostname: r.origin.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: r.origin.port || undefined,
      method: 'POST',
      path: r.path,
      headers: r.headers,
      agent: agents[proto],
    });
    let answered = false;
    request.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > o.maxAnswerBytes) {
          finish(() => resolve({ outcome: { kind: 'broken', detail: `answer larger than ${o.maxAnswerBytes} bytes` } }));
          request.destroy();
        } else chunks.push(d);
      });
      res.on('end', () => finish(() => resolve({ outcome: { kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) } })));
      res.on('close', () => {
        if (!res.complete) finish(() => resolve({ outcome: { kind: 'broken', detail: 'the answer was cut short' } }));
      });
      res.on('error', () => {});
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      const retry = !answered && request.reusedSocket && err.code === 'ECONNRESET';
      // the endpoint answered, but not in HTTP: a broken answer, not an absent one
      const spoke = answered || String(err.code).startsWith('HPE_');
      finish(() => resolve({ outcome: spoke ? { kind: 'broken', detail: err.message } : { kind: 'unreachable', detail: err.message }, retry }));
    });
    const timer = setTimeout(() => {
      finish(() => resolve({ outcome: { kind: 'timeout' } }));
      request.destroy();
    }, o.timeoutMs);
    const onAbort = () => {
      finish(() => reject(o.signal.reason));
      request.destroy();
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    request.end(r.body);
  });
}
