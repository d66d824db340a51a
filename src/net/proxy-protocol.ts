// The PROXY protocol header (HAProxy's spec, versions 1 and 2), parsed from the first bytes of a
// connection: pure, no I/O. A load balancer in front of Sluice sends it before anything else, so
// the client's address survives the hop. Everything here is hostile input: each verdict is a value,
// never a throw, and the header's size is bounded before it is buffered.
import { isIPv4, isIPv6 } from 'node:net';

/** The v2 signature: \r\n\r\n\0\r\nQUIT\n */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1's longest line, CRLF included (spec 2.1) */
export const V1_MAX_BYTES = 107;
/** v2's fixed part: signature, version/command, family/protocol, length */
const V2_FIXED = 16;
/** the largest v2 header accepted by default: addresses and the TLVs load balancers add (AWS, GCP) fit well inside */
export const DEFAULT_MAX_HEADER_BYTES = 4096;

export interface ProxySource {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

export interface ProxyHeader {
  readonly version: 1 | 2;
  /**
   * the client's address; undefined when the header carries none the connection should take:
   * v2 LOCAL (a load balancer's own health check), v1 UNKNOWN, v2 UNSPEC or UNIX. The connection's
   * own peer stands then, as the spec asks.
   */
  readonly source: ProxySource | undefined;
  /** bytes the header took; what follows is the client's protocol */
  readonly length: number;
}

export interface ProxyHeaderError {
  readonly error: string;
}

/** Not enough bytes yet to decide. */
export const MORE = 'more';

export type ProxyParse = ProxyHeader | ProxyHeaderError | typeof MORE;

export function isHeaderError(p: ProxyParse): p is ProxyHeaderError {
  return typeof p === 'object' && 'error' in p;
}

/** A header at the start of `buf`, the bytes read so far. */
export function parseProxyHeader(buf: Buffer, maxBytes = DEFAULT_MAX_HEADER_BYTES): ProxyParse {
  if (buf.length === 0) return MORE;
  if (buf[0] === V1_PREFIX[0]) return parseV1(buf);
  if (buf[0] === V2_SIGNATURE[0]) return parseV2(buf, maxBytes);
  return { error: 'no PROXY protocol header' };
}

function prefixMismatch(buf: Buffer, prefix: Buffer): boolean {
  const n = Math.min(buf.length, prefix.length);
  return buf.compare(prefix, 0, n, 0, n) !== 0;
}

function parseV1(buf: Buffer): ProxyParse {
  if (prefixMismatch(buf, V1_PREFIX)) return { error: 'no PROXY protocol header' };
  const end = buf.indexOf('\r\n', 0, 'latin1');
  if (end < 0 || end + 2 > V1_MAX_BYTES) return buf.length >= V1_MAX_BYTES || end >= 0 ? { error: 'PROXY v1 header longer than 107 bytes' } : MORE;
  const line = buf.toString('latin1', V1_PREFIX.length, end);
  const length = end + 2;
  const fields = line.split(' ');
  // "UNKNOWN" may be followed by anything (the sender could not tell); the peer stands.
  if (fields[0] === 'UNKNOWN') return { version: 1, source: undefined, length };
  if (fields.length !== 5 || (fields[0] !== 'TCP4' && fields[0] !== 'TCP6')) return { error: 'PROXY v1 header is not "PROXY TCP4|TCP6 SRC DST SPORT DPORT"' };
  const [proto, src, dst, sport, dport] = fields as [string, string, string, string, string];
  const v4 = proto === 'TCP4';
  const valid = v4 ? isIPv4 : isIPv6;
  if (!valid(src) || !valid(dst)) return { error: `PROXY v1 header: addresses are not ${v4 ? 'IPv4' : 'IPv6'}` };
  const port = v1Port(sport);
  if (port < 0 || v1Port(dport) < 0) return { error: 'PROXY v1 header: ports must be 0..65535 without leading zeros' };
  return { version: 1, source: { address: src, port, family: v4 ? 'IPv4' : 'IPv6' }, length };
}

function v1Port(s: string): number {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(s)) return -1;
  const n = Number(s);
  return n <= 65535 ? n : -1;
}

function parseV2(buf: Buffer, maxBytes: number): ProxyParse {
  if (prefixMismatch(buf, V2_SIGNATURE)) return { error: 'no PROXY protocol header' };
  if (buf.length < V2_FIXED) return MORE;
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { error: `PROXY v2 header: version ${verCmd >> 4}` };
  const command = verCmd & 0x0f;
  if (command > 1) return { error: `PROXY v2 header: unknown command ${command}` };
  const length = V2_FIXED + buf.readUInt16BE(14);
  if (length > maxBytes) return { error: `PROXY v2 header of ${length} bytes is over the ${maxBytes}-byte limit` };
  if (buf.length < length) return MORE;
  // LOCAL: the balancer's own connection (health checks); its address block is ignored.
  if (command === 0) return { version: 2, source: undefined, length };
  const family = buf[13]! >> 4;
  const body = length - V2_FIXED;
  if (family === 1) {
    if (body < 12) return { error: 'PROXY v2 header: IPv4 address block too short' };
    const address = `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`;
    return { version: 2, source: { address, port: buf.readUInt16BE(24), family: 'IPv4' }, length };
  }
  if (family === 2) {
    if (body < 36) return { error: 'PROXY v2 header: IPv6 address block too short' };
    return { version: 2, source: { address: ipv6(buf, 16), port: buf.readUInt16BE(48), family: 'IPv6' }, length };
  }
  // UNSPEC, UNIX, or a family the spec does not define: nothing Sluice can use as an IP address.
  return { version: 2, source: undefined, length };
}

/** 16 bytes as an IPv6 address in its usual compressed text form. */
function ipv6(buf: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + i * 2));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
