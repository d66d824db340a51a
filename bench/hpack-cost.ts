// `tsx bench/hpack-cost.ts [--n 200000] [--rounds 7]`: what HPACK costs per header block, in-process:
// h2load's request (:method GET, :path /, :scheme https, :authority, user-agent, accept) decoded the
// first time on a connection (literals, Huffman, table insertions) and the 100th time (all
// indexed), and a typical response (:status 200, content-type, content-length, date, server)
// encoded the first time and on a warm connection. Median CPU ns (process.cpuUsage) per block of
// the rounds, which holds steadier than wall time on a busy machine; still, compare figures within
// one run only. The decode figures include appending to a fresh output array, as a server would.
import { parseArgs } from 'node:util';
import { HpackDecoder } from '../src/net/h2/hpack-decoder.ts';
import { HpackEncoder } from '../src/net/h2/hpack-encoder.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '7' } } });
const n = Number(values.n);
const rounds = Number(values.rounds);

const request = [':method', 'GET', ':path', '/', ':scheme', 'https', ':authority', 'bench.example.com', 'user-agent', 'h2load nghttp2/1.64.0', 'accept', '*/*'];
const date = new Date(0).toUTCString();
const response = (len: number): string[] => [':status', '200', 'content-type', 'text/plain; charset=utf-8', 'content-length', String(len), 'date', date, 'server', 'sluice'];

// The peer's blocks: the first carries literals with indexing (Huffman), later ones only indexes.
const peer = new HpackEncoder();
const firstBlock = peer.encode(request);
const laterBlock = peer.encode(request);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function nsPer(setup: () => void, body: (i: number) => void, count: number): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    setup();
    const c0 = process.cpuUsage();
    for (let i = 0; i < count; i++) body(i);
    const c = process.cpuUsage(c0);
    times.push(((c.user + c.system) * 1000) / count);
  }
  return median(times);
}

let out: string[] = [];
let decoders: HpackDecoder[] = [];
const fresh = Math.min(n, 20_000); // a decoder per block: made beforehand, not timed
const decodeFirst = nsPer(
  () => {
    decoders = Array.from({ length: fresh }, () => new HpackDecoder());
  },
  (i) => {
    out = [];
    decoders[i]!.decode(firstBlock, 0, firstBlock.length, out);
  },
  fresh,
);

const warm = new HpackDecoder();
warm.decode(firstBlock, 0, firstBlock.length, []);
const decodeLater = nsPer(
  () => {},
  () => {
    out = [];
    warm.decode(laterBlock, 0, laterBlock.length, out);
  },
  n,
);

const reused: string[] = [];
const decodeReused = nsPer(
  () => {},
  () => {
    reused.length = 0;
    warm.decode(laterBlock, 0, laterBlock.length, reused);
  },
  n,
);

const buf = Buffer.alloc(1024);
const responses = Array.from({ length: 64 }, (_, i) => response(100 + i * 37));
let encoders: HpackEncoder[] = [];
const encodeFirst = nsPer(
  () => {
    encoders = Array.from({ length: fresh }, () => new HpackEncoder());
  },
  (i) => encoders[i]!.encodeInto(responses[i & 63]!, buf, 0),
  fresh,
);
const enc = new HpackEncoder();
enc.encodeInto(responses[0]!, buf, 0);
const encodeLater = nsPer(
  () => {},
  (i) => enc.encodeInto(responses[i & 63]!, buf, 0),
  n,
);
const same = response(1234);
const encodeSame = nsPer(
  () => {},
  () => enc.encodeInto(same, buf, 0),
  n,
);
const statusOnly = [':status', '200'];
const encodeStatus = nsPer(
  () => {},
  () => enc.encodeInto(statusOnly, buf, 0),
  n,
);

const row = (what: string, ns: number, bytes: number): string => `${what.padEnd(58)} ${ns.toFixed(0).padStart(6)} ns  ${String(bytes).padStart(3)} B\n`;
process.stdout.write(row('decode h2load request, 1st on a connection', decodeFirst, firstBlock.length));
process.stdout.write(row('decode h2load request, 100th (all indexed)', decodeLater, laterBlock.length));
process.stdout.write(row('decode h2load request, 100th, into a reused output array', decodeReused, laterBlock.length));
process.stdout.write(row('encode response, 1st on a connection', encodeFirst, new HpackEncoder().encode(responses[0]!).length));
process.stdout.write(row('encode response, warm (content-length varies)', encodeLater, enc.encodeInto(responses[5]!, buf, 0)));
process.stdout.write(row('encode response, warm, the same fields again', encodeSame, enc.encodeInto(same, buf, 0)));
process.stdout.write(row("encode ':status 200' alone", encodeStatus, 1));
