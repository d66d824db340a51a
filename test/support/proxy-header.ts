// PROXY protocol headers written byte by byte, as a load balancer sends them (HAProxy's spec).
import { isIPv4 } from 'node:net';

export function v1Header(src: string, srcPort: number, dst = '127.0.0.1', dstPort = 80): Buffer {
  const proto = isIPv4(src) ? 'TCP4' : 'TCP6';
  return Buffer.from(`PROXY ${proto} ${src} ${dst} ${srcPort} ${dstPort}\r\n`, 'latin1');
}

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A v2 PROXY (or, `local`, LOCAL) header for a TCP source; `tlvs` appended to the address block. */
export function v2Header(src: string, srcPort: number, opts: { local?: boolean; tlvs?: Buffer; dst?: string; dstPort?: number } = {}): Buffer {
  const v4 = isIPv4(src);
  const addr = v4 ? ipv4Bytes(src) : ipv6Bytes(src);
  const dst = v4 ? ipv4Bytes(opts.dst ?? '127.0.0.1') : ipv6Bytes(opts.dst ?? '::1');
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(srcPort, 0);
  ports.writeUInt16BE(opts.dstPort ?? 80, 2);
  const body = Buffer.concat([addr, dst, ports, opts.tlvs ?? Buffer.alloc(0)]);
  const fixed = Buffer.from([...SIGNATURE, opts.local ? 0x20 : 0x21, v4 ? 0x11 : 0x21, 0, 0]);
  fixed.writeUInt16BE(body.length, 14);
  return Buffer.concat([fixed, body]);
}

function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
