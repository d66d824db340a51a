// `tsx bench/metrics-cost.ts [--observations 1000000] [--rounds 5]`: the CPU time (process.cpuUsage,
// median of the rounds) of one request's metrics, per 1e6 requests, in one process: prom-client's
// counters and histograms with their children cached per label tuple (what src/metrics.ts did
// before src/metrics/), and the metrics core (Metrics as the proxy calls it). A request observes
// what the data plane observes for a forwarded one: the request counter and latency histogram by
// listener and ingress, the upstream counter by cluster and code, the upstream head histogram.
import { parseArgs } from 'node:util';
import { Counter, Histogram, Registry } from 'prom-client';
import { Metrics } from '../src/metrics.ts';

const { values } = parseArgs({ options: { observations: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' } } });
const n = Number(values.observations);
const rounds = Number(values.rounds);

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROUTES = 16;
const ingresses = Array.from({ length: ROUTES }, (_, i) => `bench/app-${i}`);
const clusters = Array.from({ length: ROUTES }, (_, i) => `bench/app-${i}-00001:80`);
// Latencies of a small GET (0.2 to 3 ms), fixed so both sides see the same values.
const latencies = Float64Array.from({ length: 4096 }, (_, i) => 0.0002 + ((i * 7919) % 2800) / 1e6);
const codes = [200, 200, 200, 200, 200, 200, 200, 404];

type Child = { inc(): void };
type HChild = { observe(v: number): void };

/** The previous Metrics hot path: prom-client children cached in nested maps. */
class PromClientPath {
  readonly #registry = new Registry();
  readonly #requests = new Counter({ name: 'r_total', help: 'h', labelNames: ['listener', 'ingress', 'code'], registers: [this.#registry] });
  readonly #duration = new Histogram({ name: 'd_seconds', help: 'h', labelNames: ['listener', 'ingress'], buckets: BUCKETS, registers: [this.#registry] });
  readonly #upstream = new Counter({ name: 'u_total', help: 'h', labelNames: ['cluster', 'code'], registers: [this.#registry] });
  readonly #head = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['cluster'], buckets: BUCKETS, registers: [this.#registry] });
  readonly #routes = new Map<string, Map<string, { h: HChild; codes: Map<number, Child> }>>();
  readonly #clusters = new Map<string, { h: HChild; codes: Map<number, Child> }>();

  request(listener: string, ingress: string, code: number, s: number): void {
    let by = this.#routes.get(listener);
    if (by === undefined) this.#routes.set(listener, (by = new Map()));
    let c = by.get(ingress);
    if (c === undefined) by.set(ingress, (c = { h: this.#duration.labels(listener, ingress), codes: new Map() }));
    let k = c.codes.get(code);
    if (k === undefined) c.codes.set(code, (k = this.#requests.labels(listener, ingress, String(code))));
    k.inc();
    c.h.observe(s);
  }

  upstream(cluster: string, code: number, s: number): void {
    let c = this.#clusters.get(cluster);
    if (c === undefined) this.#clusters.set(cluster, (c = { h: this.#head.labels(cluster), codes: new Map() }));
    let k = c.codes.get(code);
    if (k === undefined) c.codes.set(code, (k = this.#upstream.labels(cluster, String(code))));
    k.inc();
    c.h.observe(s);
  }
}

type Path = { request(i: number): void };

const promClient = (): Path => {
  const p = new PromClientPath();
  return {
    request: (i) => {
      const r = i % ROUTES;
      const s = latencies[i & 4095]!;
      const code = codes[i & 7]!;
      p.upstream(clusters[r]!, code, s * 0.8);
      p.request('http', ingresses[r]!, code, s);
    },
  };
};

const core = (): Path => {
  const m = new Metrics();
  return {
    request: (i) => {
      const r = i % ROUTES;
      const s = latencies[i & 4095]!;
      const code = codes[i & 7]!;
      m.upstreamResponded(clusters[r]!, s * 0.8);
      m.upstreamRequest(clusters[r]!, code);
      m.request('http', ingresses[r]!, code, s);
    },
  };
};

/** CPU ms per 1e6 requests. */
function cpuMs(make: () => Path): number {
  const path = make();
  for (let i = 0; i < 20_000; i++) path.request(i); // warm up: every series made, code optimised
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) path.request(i);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000) * (1e6 / n);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results: Record<string, number[]> = { 'prom-client': [], core: [] };
for (let r = 0; r < rounds; r++) {
  results['prom-client']!.push(cpuMs(promClient));
  results.core!.push(cpuMs(core));
}
const pc = median(results['prom-client']!);
const c = median(results.core!);
console.log(`CPU ms per 1e6 requests (4 observations each), median of ${rounds}:`);
console.log(`  prom-client children: ${pc.toFixed(0)} ms (${((pc * 1000) / 1e6).toFixed(3)} µs/request)`);
console.log(`  metrics core:         ${c.toFixed(0)} ms (${((c * 1000) / 1e6).toFixed(3)} µs/request)`);
console.log(`  ratio: ${(pc / c).toFixed(1)}x less CPU`);
