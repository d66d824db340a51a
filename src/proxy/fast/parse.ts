// Strict HTTP/1.1 message-head parsing on Buffers, for the raw-socket fast path.
//
// Strict on purpose (request smuggling is the risk, RFC 9112 6.3 and 11.2): anything ambiguous is an
// error verdict (400/431, then the connection closes), and anything merely unusual (HTTP/1.0, an
// unknown method, Upgrade, Expect, a non-origin-form target) is flagged `fallback` so that
// node:http's own parser handles it. The differential tests hold this parser to "never accepts
// what llhttp rejects, and agrees with llhttp on what it accepts".
import { CR, HTAB, LF, SP, TARGET, TOKEN, VALUE } from './chars.ts';
// Response fields that are hop-by-hop are cut from the forwarded head by the same rule headers.ts applies.
import { HOP_BY_HOP } from '../headers.ts';

/** How a message body is delimited. */
export const NO_BODY = 0;
export const LENGTH = 1;
export const CHUNKED = 2;
/** responses only: the body runs until the upstream closes */
export const UNTIL_CLOSE = 3;
export type Framing = typeof NO_BODY | typeof LENGTH | typeof CHUNKED | typeof UNTIL_CLOSE;

export class HeadError {
  constructor(
    readonly status: 400 | 431,
    readonly reason: string,
  ) {}
}

export class RequestHead {
  constructor(
    readonly method: string,
    /** origin-form path with query, as sent */
    readonly url: string,
    /** [name, value, ...] as sent (latin1), values without surrounding whitespace */
    readonly raw: string[],
    readonly host: string | undefined,
    /** bytes from the first byte of the request line to the first byte of the body */
    readonly headLength: number,
    readonly framing: Framing,
    readonly contentLength: number,
    /** false when the client sent `Connection: close` */
    readonly keepAlive: boolean,
    /** why node:http must handle this request instead, or '' */
    readonly fallback: string,
  ) {}
}

export class ResponseHead {
  constructor(
    /** offset of the status line in the buffer parsed */
    readonly start: number,
    readonly status: number,
    readonly reason: string,
    readonly raw: string[],
    readonly headLength: number,
    readonly framing: Framing,
    readonly contentLength: number,
    /** the upstream connection may carry another request after this response */
    readonly reusable: boolean,
    /** ms from the upstream's `Keep-Alive: timeout=N`, or -1 */
    readonly keepAliveMs: number,
    /**
     * Lean parse only (raw is empty then): [start, end) byte ranges of the hop-by-hop field lines,
     * so the head can be forwarded as bytes without those lines. null after a full parse.
     */
    readonly drops: number[] | null,
  ) {}
}

export interface HeadLimits {
  /** bytes of the whole head, request line included */
  readonly maxHeaderSize: number;
  readonly maxHeadersCount: number;
}

/** Methods the fast path proxies itself; other valid tokens go to node:http (llhttp knows its own list). */
const FAST_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

// Facts parseFields gathers about framing and routing headers. Module state reset on every call,
// not an object per message: parsing is synchronous, and this is the per-request hot path.
let clValue = -1;
let clCount = 0;
let teCount = 0;
let teChunked = false;
let hostValue: string | undefined;
let hostCount = 0;
let connClose = false;
let connUpgrade = false;
let hasUpgrade = false;
let hasExpect = false;
let keepAliveMs = -1;
/** Connection lists field names besides close/keep-alive/upgrade (they are hop-by-hop too) */
let connOther = false;

/**
 * Parses a request head starting at `start`. Returns undefined while the head is incomplete
 * (and still within limits), a HeadError for a request to refuse, or the RequestHead.
 */
export function parseRequestHead(buf: Buffer, start: number, end: number, limits: HeadLimits): RequestHead | HeadError | undefined {
  const stop = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (stop < 0 || stop >= end) return incomplete(buf, start, end, limits.maxHeaderSize);
  const headEnd = stop + 4;
  if (headEnd - start > limits.maxHeaderSize) return new HeadError(431, 'request head too large');

  // request-line = method SP request-target SP HTTP-version CRLF
  let p = start;
  while (TOKEN[buf[p]!] === 1) p++;
  if (p === start || buf[p] !== SP) return new HeadError(400, 'invalid method');
  const method = methodString(buf, start, p);
  const urlStart = ++p;
  let odd = false;
  for (let t = TARGET[buf[p]!]!; t !== 0; t = TARGET[buf[++p]!]!) if (t === 2) odd = true;
  if (p === urlStart || buf[p] !== SP) return new HeadError(400, 'invalid request-target');
  const url = buf.toString('latin1', urlStart, p);
  p++;
  if (buf[p] !== 0x48 || buf[p + 1] !== 0x54 || buf[p + 2] !== 0x54 || buf[p + 3] !== 0x50 || buf[p + 4] !== 0x2f || buf[p + 5] !== 0x31 || buf[p + 6] !== 0x2e) {
    return new HeadError(400, 'unsupported HTTP version');
  }
  const minor = buf[p + 7];
  if ((minor !== 0x31 && minor !== 0x30) || buf[p + 8] !== CR || buf[p + 9] !== LF) return new HeadError(400, 'unsupported HTTP version');
  p += 10;

  const err = parseFields(buf, p, stop + 2, true, limits.maxHeadersCount, false);
  const raw = takeRaw();
  if (err !== undefined) return err;
  if (hostCount > 1) return new HeadError(400, 'more than one Host header');
  if (hostCount === 0 && minor === 0x31) return new HeadError(400, 'missing Host header');

  let framing: Framing = NO_BODY;
  let length = 0;
  if (teCount > 0) {
    // RFC 9112 6.1: chunked must be the final coding; the fast path knows no other coding at all.
    if (teCount > 1 || !teChunked) return new HeadError(400, 'unsupported Transfer-Encoding');
    // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing (node:http would keep the connection).
    if (minor === 0x30) return new HeadError(400, 'Transfer-Encoding in HTTP/1.0');
    if (clCount > 0) return new HeadError(400, 'Content-Length with Transfer-Encoding');
    framing = CHUNKED;
  } else if (clCount > 0) {
    if (clCount > 1) return new HeadError(400, 'more than one Content-Length');
    if (clValue < 0) return new HeadError(400, 'invalid Content-Length');
    length = clValue;
    if (length > 0) framing = LENGTH;
  }

  let fallback = '';
  if (minor === 0x30) fallback = 'HTTP/1.0';
  else if (!FAST_METHODS.has(method)) fallback = 'method';
  else if (buf[urlStart] !== 0x2f) fallback = 'request-target form';
  else if (odd) fallback = 'request-target characters';
  else if (hasUpgrade || connUpgrade) fallback = 'upgrade';
  else if (hasExpect) fallback = 'expect';
  return new RequestHead(method, url, raw, hostValue, headEnd - start, framing, length, !connClose, fallback);
}

/**
 * Parses an upstream response head. `headRequest`: the request was HEAD (no body whatever the
 * headers say). 1xx heads are returned as they are; the caller skips them. `lean`: build no header
 * strings, record the hop-by-hop lines to cut instead (falls back to a full parse for HTTP/1.0 and
 * for Connection headers that name other fields).
 */
export function parseResponseHead(buf: Buffer, start: number, end: number, limits: HeadLimits, headRequest: boolean, lean = false): ResponseHead | HeadError | undefined {
  const stop = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (stop < 0 || stop >= end) return incomplete(buf, start, end, limits.maxHeaderSize);
  const headEnd = stop + 4;
  if (headEnd - start > limits.maxHeaderSize) return new HeadError(431, 'response head too large');
  // status-line = HTTP-version SP 3DIGIT SP [reason-phrase] CRLF
  const p = start;
  if (buf[p] !== 0x48 || buf[p + 1] !== 0x54 || buf[p + 2] !== 0x54 || buf[p + 3] !== 0x50 || buf[p + 4] !== 0x2f || buf[p + 5] !== 0x31 || buf[p + 6] !== 0x2e) {
    return new HeadError(400, 'unsupported HTTP version');
  }
  const minor = buf[p + 7];
  if ((minor !== 0x31 && minor !== 0x30) || buf[p + 8] !== SP) return new HeadError(400, 'unsupported HTTP version');
  const d0 = buf[p + 9]! - 0x30;
  const d1 = buf[p + 10]! - 0x30;
  const d2 = buf[p + 11]! - 0x30;
  if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return new HeadError(400, 'invalid status code');
  const status = d0 * 100 + d1 * 10 + d2;
  let q = p + 12;
  let reason = '';
  if (buf[q] === SP) {
    const rs = ++q;
    while (buf[q] !== CR && VALUE[buf[q]!] === 1) q++;
    // The usual reason as a constant: no string per response.
    reason = q - rs === 2 && buf[rs] === 0x4f && buf[rs + 1] === 0x4b ? 'OK' : buf.toString('latin1', rs, q);
  }
  if (buf[q] !== CR || buf[q + 1] !== LF) return new HeadError(400, 'invalid status line');

  const err = parseFields(buf, q + 2, stop + 2, !lean, limits.maxHeadersCount, lean);
  const raw = lean ? NO_FIELDS : takeRaw();
  const drops = lean ? takeDrops() : null;
  if (err !== undefined) return err;
  if (lean && (connOther || minor !== 0x31)) return parseResponseHead(buf, start, end, limits, headRequest, false);

  let reusable = minor === 0x31 ? !connClose : false;
  let framing: Framing = UNTIL_CLOSE;
  let length = 0;
  if (teCount > 0 && (teCount > 1 || !teChunked)) return new HeadError(400, 'unsupported Transfer-Encoding');
  if (teCount > 0 && clCount > 0) return new HeadError(400, 'Content-Length with Transfer-Encoding');
  if (clCount > 1) return new HeadError(400, 'more than one Content-Length');
  if (clCount === 1 && clValue < 0) return new HeadError(400, 'invalid Content-Length');
  if (headRequest || status < 200 || status === 204 || status === 304) framing = NO_BODY;
  else if (teCount > 0) framing = CHUNKED;
  else if (clCount === 1) {
    length = clValue;
    framing = length > 0 ? LENGTH : NO_BODY;
  }
  if (framing === UNTIL_CLOSE) reusable = false;
  return new ResponseHead(start, status, reason, raw, headEnd - start, framing, length, reusable, keepAliveMs, drops);
}

/**
 * The final response head (1xx heads are hop by hop and skipped), for a proxy that asked for no
 * upgrade: a 101 is an error. undefined when the bytes end before it; parse again from `start`.
 */
export function parseFinalResponseHead(buf: Buffer, start: number, end: number, limits: HeadLimits, headRequest: boolean, lean = false): ResponseHead | HeadError | undefined {
  for (let off = start; ; ) {
    const head = parseResponseHead(buf, off, end, limits, headRequest, lean);
    if (head === undefined || head instanceof HeadError) return head;
    if (head.status === 101) return new HeadError(400, 'unexpected 101 Switching Protocols');
    if (head.status >= 200) return head;
    off += head.headLength;
  }
}


/**
 * Header fields from `p` up to `end` (the index just past the last field's CRLF). Pushes
 * name/value pairs to `raw` (when given) and records the framing facts in the module state above.
 * With `drops`, records the byte ranges of hop-by-hop lines, and makes strings only for the
 * names that matter (by length first: most names never become strings).
 */
function parseFields(buf: Buffer, p: number, end: number, wantRaw: boolean, maxCount: number, wantDrops: boolean): HeadError | undefined {
  rawCount = dropCount = 0;
  clValue = -1;
  clCount = teCount = hostCount = 0;
  teChunked = connClose = connUpgrade = hasUpgrade = hasExpect = connOther = false;
  hostValue = undefined;
  keepAliveMs = -1;
  let count = 0;
  while (p < end) {
    const ns = p;
    while (TOKEN[buf[p]!] === 1) p++;
    if (buf[p] !== 0x3a) {
      const c = buf[ns];
      return new HeadError(400, p === ns && (c === SP || c === HTAB) ? 'obsolete line folding' : 'invalid header name');
    }
    if (p === ns) return new HeadError(400, 'empty header name');
    const ne = p++;
    while (buf[p] === SP || buf[p] === HTAB) p++;
    const vs = p;
    let ve = p;
    for (;;) {
      const c = buf[p]!;
      if (c === CR) break;
      if (VALUE[c] !== 1) return new HeadError(400, 'invalid character in header value');
      p++;
      if (c !== SP && c !== HTAB) ve = p;
    }
    if (buf[p + 1] !== LF) return new HeadError(400, 'bare CR in header');
    p += 2;
    if (++count > maxCount) return new HeadError(431, 'too many headers');
    const n = ne - ns;
    if (wantRaw) {
      const name = buf.toString('latin1', ns, ne);
      const value = ve > vs ? buf.toString('latin1', vs, ve) : '';
      RAW[rawCount++] = name;
      RAW[rawCount++] = value;
      if (n === 4 || n === 6 || n === 7 || n === 10 || n === 14 || n === 17) {
        const lower = knownName(FIELD_NAMES, buf, ns, n);
        if (lower !== undefined) noteField(lower, value);
      }
    } else if (n === 2 || n === 7 || n === 10 || n === 14 || n === 16 || n === 17 || n === 18 || n === 19) {
      // Matched as bytes: a lean parse makes no strings for the usual fields (garbage per response).
      const lower = knownName(LEAN_NAMES, buf, ns, n);
      if (lower !== undefined) {
        noteLeanField(lower, buf, vs, ve);
        if (wantDrops && HOP_BY_HOP.has(lower)) {
          DROPS[dropCount++] = ns;
          DROPS[dropCount++] = p;
        }
      }
    }
  }
  return undefined;
}

function noteField(lower: string, value: string): void {
  switch (lower) {
    case 'content-length':
      clCount++;
      clValue = digits(value);
      break;
    case 'transfer-encoding':
      teCount++;
      teChunked = value.length === 7 && value.toLowerCase() === 'chunked';
      break;
    case 'host':
      hostCount++;
      hostValue = value;
      break;
    case 'connection':
      for (const t of value.split(',')) {
        const v = t.trim().toLowerCase();
        if (v === 'close') connClose = true;
        else if (v === 'upgrade') connUpgrade = true;
        else if (v !== '' && v !== 'keep-alive') connOther = true;
      }
      break;
    case 'upgrade':
      hasUpgrade = true;
      break;
    case 'expect':
      hasExpect = true;
      break;
    case 'keep-alive': {
      const m = /(?:^|[,;\s])timeout=(\d{1,6})/i.exec(value);
      if (m) keepAliveMs = Number(m[1]) * 1000;
      break;
    }
  }
}

// What parseFields collects, in arrays of the module's (synchronous, as the facts above), then
// copied at their exact length: an array grown by push gets room for 17 and more entries, most of
// them never used, for every message.
const RAW: string[] = [];
let rawCount = 0;
const DROPS: number[] = [];
let dropCount = 0;

/** The fields parseFields collected, as a new array; the module's copy lets go of the strings. */
function takeRaw(): string[] {
  const n = rawCount;
  rawCount = 0;
  if (n === 0) return [];
  const out = RAW.slice(0, n);
  // The strings must not live on here: they would outlive the scavenges they belong to.
  for (let i = 0; i < n; i++) RAW[i] = '';
  return out;
}

/** The hop-by-hop ranges parseFields collected (shared and frozen when none). */
function takeDrops(): number[] {
  const n = dropCount;
  dropCount = 0;
  return n === 0 ? NO_DROPS : DROPS.slice(0, n);
}

const NO_DROPS = Object.freeze([]) as unknown as number[];

/** A lean parse's `raw`: it makes none (frozen: nothing may add to it). */
const NO_FIELDS = Object.freeze([]) as unknown as string[];

type NamesByLength = Map<number, Array<{ name: string; bytes: Buffer }>>;

/** Field names (lower-case), as bytes too, by length. */
function namesByLength(names: readonly string[]): NamesByLength {
  const byLength: NamesByLength = new Map();
  for (const name of names) {
    const list = byLength.get(name.length) ?? [];
    if (!list.some((e) => e.name === name)) list.push({ name, bytes: Buffer.from(name, 'latin1') });
    byLength.set(name.length, list);
  }
  return byLength;
}

/** The lean parse's field names. */
const LEAN_NAMES = namesByLength(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', ...HOP_BY_HOP]);
/** The names noteField looks at: matched as bytes, so no lower-cased copy of a name per field. */
const FIELD_NAMES = namesByLength(['content-length', 'transfer-encoding', 'host', 'connection', 'upgrade', 'expect', 'keep-alive']);

/** The name in `names` the field name at `ns` (n bytes) is, in any case; undefined for any other. */
function knownName(names: NamesByLength, buf: Buffer, ns: number, n: number): string | undefined {
  const list = names.get(n);
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) if (lowerEquals(buf, ns, list[i]!.bytes)) return list[i]!.name;
  return undefined;
}

/** Whether the bytes at `at` are `lower` (lower-case ASCII letters and '-') in any case. */
function lowerEquals(buf: Buffer, at: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = buf[at + i]!;
    // ASCII letters only fold; '-' and other bytes must be equal.
    if (c !== lower[i] && !(c >= 0x41 && c <= 0x5a && c + 0x20 === lower[i])) return false;
  }
  return true;
}

/**
 * noteField for a lean parse, from the value's bytes [vs, ve). Anything unusual in a Connection
 * value (other than SP/HTAB around a token) counts as naming another field, which sends the head
 * to the full parse: the bytes can only find fewer of close/upgrade/keep-alive than noteField.
 */
function noteLeanField(lower: string, buf: Buffer, vs: number, ve: number): void {
  switch (lower) {
    case 'content-length':
      clCount++;
      clValue = digitBytes(buf, vs, ve);
      break;
    case 'transfer-encoding':
      teCount++;
      teChunked = ve - vs === 7 && lowerEquals(buf, vs, CHUNKED_BYTES);
      break;
    case 'connection':
      // Tokens between commas, as value.split(',') has them (an empty value is one empty token).
      for (let t = vs; t <= ve; ) {
        let e = t;
        while (e < ve && buf[e] !== 0x2c) e++;
        let a = t;
        let b = e;
        while (a < b && (buf[a] === SP || buf[a] === HTAB)) a++;
        while (b > a && (buf[b - 1] === SP || buf[b - 1] === HTAB)) b--;
        if (b - a === 5 && lowerEquals(buf, a, CLOSE_BYTES)) connClose = true;
        else if (b - a === 7 && lowerEquals(buf, a, UPGRADE_BYTES)) connUpgrade = true;
        else if (b > a && !(b - a === 10 && lowerEquals(buf, a, KEEP_ALIVE_BYTES))) connOther = true;
        t = e + 1;
      }
      break;
    case 'keep-alive': {
      const ms = keepAliveTimeoutBytes(buf, vs, ve);
      if (ms >= 0) keepAliveMs = ms;
      break;
    }
    case 'upgrade':
      hasUpgrade = true;
      break;
  }
}

const TIMEOUT_BYTES = Buffer.from('timeout=');

/**
 * noteField's `timeout=N` of a Keep-Alive value, from its bytes [vs, ve), in ms; -1 without one.
 * The same match as its regex (leftmost `timeout=`, any case, at the start or after `,`, `;` or
 * whitespace, then 1-6 digits), without the value's string and the match array per response.
 */
function keepAliveTimeoutBytes(buf: Buffer, vs: number, ve: number): number {
  for (let i = vs; i + 9 <= ve; i++) {
    if (i > vs && !KA_BEFORE.has(buf[i - 1]!)) continue;
    if (!lowerEquals(buf, i, TIMEOUT_BYTES)) continue;
    let n = 0;
    let d = i + 8;
    for (; d < ve && d < i + 14; d++) {
      const c = buf[d]! - 0x30;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
    }
    if (d > i + 8) return n * 1000;
  }
  return -1;
}

/** What may come before `timeout=`: the regex's `[,;\s]` over latin1 (\s includes NBSP, 0xa0). */
const KA_BEFORE = new Set([0x2c, 0x3b, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);

const CHUNKED_BYTES = Buffer.from('chunked');
const CLOSE_BYTES = Buffer.from('close');
const UPGRADE_BYTES = Buffer.from('upgrade');
const KEEP_ALIVE_BYTES = Buffer.from('keep-alive');

/** digits() of the bytes [s, e). */
function digitBytes(buf: Buffer, s: number, e: number): number {
  if (e - s === 0 || e - s > 15) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** 1*DIGIT as a number (at most 15 digits, so it stays exact), else -1. */
function digits(s: string): number {
  if (s.length === 0 || s.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function methodString(buf: Buffer, s: number, e: number): string {
  // The common methods as constants: no string allocation for them.
  if (e - s === 3 && buf[s] === 0x47 && buf[s + 1] === 0x45 && buf[s + 2] === 0x54) return 'GET';
  if (e - s === 4 && buf[s] === 0x50 && buf[s + 1] === 0x4f && buf[s + 2] === 0x53 && buf[s + 3] === 0x54) return 'POST';
  return buf.toString('latin1', s, e);
}

/** A head without its blank line yet: too large already, or a bare LF that can never become valid. */
function incomplete(buf: Buffer, start: number, end: number, max: number): HeadError | undefined {
  if (end - start > max) return new HeadError(431, 'head too large');
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === LF && (i === start || buf[i - 1] !== CR)) return new HeadError(400, 'bare LF');
    if (c === CR && i + 1 < end && buf[i + 1] !== LF) return new HeadError(400, 'bare CR');
  }
  return undefined;
}
