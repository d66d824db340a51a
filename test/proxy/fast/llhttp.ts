// Verdicts of Node's own HTTP parser (llhttp) and of the fast path's parser on the same bytes,
// in one comparable shape, for the differential tests.
import { createRequire } from 'node:module';
import { ChunkedDecoder, INVALID, NEED_MORE } from '../../../src/proxy/fast/chunked.ts';
import { CHUNKED, HeadError, LENGTH, parseRequestHead } from '../../../src/proxy/fast/parse.ts';

export type Verdict =
  | { kind: 'accept'; method: string; url: string; headers: string[]; body: string; keepAlive: boolean; consumed: number; minor?: number }
  | { kind: 'reject'; why: string }
  | { kind: 'incomplete' }
  | { kind: 'fallback'; why: string };

export const limits = { maxHeaderSize: 64 * 1024, maxHeadersCount: 200, headersTimeout: 20_000, idleTimeout: 60_000 };

/** The fast path's verdict: head parser plus its body framing (Content-Length or the chunked decoder). */
export function fastVerdict(bytes: Buffer): Verdict {
  const head = parseRequestHead(bytes, 0, bytes.length, limits);
  if (head === undefined) return { kind: 'incomplete' };
  if (head instanceof HeadError) return { kind: 'reject', why: `${head.status} ${head.reason}` };
  if (head.fallback !== '') return { kind: 'fallback', why: head.fallback };
  let body = '';
  let consumed = head.headLength;
  if (head.framing === LENGTH) {
    if (bytes.length - consumed < head.contentLength) return { kind: 'incomplete' };
    body = bytes.toString('latin1', consumed, consumed + head.contentLength);
    consumed += head.contentLength;
  } else if (head.framing === CHUNKED) {
    const parts: string[] = [];
    const dec = new ChunkedDecoder({ chunkData: (d) => parts.push(d.toString('latin1')) }, false);
    const r = dec.feed(bytes, consumed, bytes.length);
    if (r === INVALID) return { kind: 'reject', why: `400 ${dec.error}` };
    if (r === NEED_MORE) return { kind: 'incomplete' };
    body = parts.join('');
    consumed = r;
  }
  return { kind: 'accept', method: head.method, url: head.url, headers: head.raw, body, keepAlive: head.keepAlive, consumed };
}

interface ParserBinding {
  HTTPParser: {
    new (): LlParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
  methods: string[];
}
interface LlParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | (Error & { code?: string });
  [k: number]: unknown;
}

// Node's parser binding (the same llhttp node:http servers run, with the same default flags): the
// only synchronous way to ask llhttp thousands of times. Node 20 still has `process.binding` for it;
// newer Nodes removed that, and reach the same binding only under `--expose-internals`.
function loadBinding(): ParserBinding | undefined {
  try {
    return (process as unknown as { binding(name: string): ParserBinding }).binding('http_parser');
  } catch {
    try {
      const internals = createRequire(import.meta.url)('internal/test/binding') as { internalBinding(name: string): ParserBinding };
      return internals.internalBinding('http_parser');
    } catch {
      return undefined;
    }
  }
}
const found = loadBinding();

/** False when this process cannot reach llhttp directly (a Node without process.binding, run without --expose-internals). */
export const llhttpAvailable = found !== undefined;

/** llhttp's verdict on the first message in `bytes` (errors in later messages do not count). */
export function llhttpVerdict(bytes: Buffer): Verdict {
  if (found === undefined) throw new Error('llhttp binding not reachable in this process');
  const { HTTPParser, methods } = found;
  const p = new HTTPParser();
  p.initialize(HTTPParser.REQUEST, {}, limits.maxHeaderSize, 0);
  let first: { method: string; url: string; headers: string[]; keepAlive: boolean; minor: number } | undefined;
  let extra: string[] = [];
  let extraUrl = '';
  let body = '';
  let complete = false;
  p[HTTPParser.kOnHeaders] = (h: string[], url: string) => {
    if (first) return;
    extra = extra.concat(h);
    extraUrl += url;
  };
  p[HTTPParser.kOnHeadersComplete] = (_ma: number, mi: number, headers: string[] | undefined, method: number, url: string | undefined, _sc: number, _sm: string, _up: boolean, ka: boolean) => {
    if (first) return;
    first = { method: methods[method]!, url: url ?? extraUrl, headers: headers ?? extra, keepAlive: ka, minor: mi };
  };
  p[HTTPParser.kOnBody] = (b: Buffer) => {
    if (!complete) body += b.toString('latin1');
  };
  p[HTTPParser.kOnMessageComplete] = () => {
    complete = true;
  };
  p[HTTPParser.kOnExecute] = () => {};
  const r = p.execute(bytes);
  if (complete && first) return { kind: 'accept', ...first, body, consumed: -1 };
  if (typeof r !== 'number') return { kind: 'reject', why: r.code ?? r.message };
  return { kind: 'incomplete' };
}
