// `node --import bench/preload/tail.mjs …`: where a gateway's small-request latency tail comes from,
// seen from inside. For every accepted (client) socket it takes the time of each read ('data' event,
// or the fast path's 'sluice:fast:client-read' channel) and of
// the next write to that socket (for a small GET: request read → response written), and groups the
// I/O callbacks of one event-loop turn (the first one of a turn schedules a setImmediate, which runs
// when the turn's poll phase is over): how many reads a turn handled and how long its callbacks ran.
// From SLUICE_TAIL_AFTER_MS (default 2000) on; one `TAIL {json}` line on stdout at exit.
// Diagnostics only: it wraps Socket.prototype.emit and .write, which costs CPU of its own.
import dc from 'node:diagnostics_channel';
import net from 'node:net';
import { constants, createHistogram, PerformanceObserver } from 'node:perf_hooks';

const after = Number(process.env.SLUICE_TAIL_AFTER_MS ?? 2000);
let on = false;
const inGateway = createHistogram();
const turnMs = createHistogram();
const turnReads = createHistogram();
const gcInTurn = { turns: 0, gcMs: 0 };
/** per-connection: requests, sum of in-gateway µs */
const perConn = new Map();
let turnStart = 0;
let reads = 0;
let gcMs = 0;
const endTurn = () => {
  const dt = performance.now() - turnStart;
  turnMs.record(Math.max(1, Math.round(dt * 1000)));
  turnReads.record(Math.max(1, reads));
  if (gcMs > 0) {
    gcInTurn.turns++;
    gcInTurn.gcMs += gcMs;
  }
  turnStart = 0;
  reads = 0;
  gcMs = 0;
};
const mark = () => {
  if (turnStart !== 0) return;
  turnStart = performance.now();
  setImmediate(endTurn);
};

const READ = Symbol('tailRead');
/** A read of an accepted socket: the first since its last response write starts a request's clock. */
const clientRead = (socket) => {
  mark();
  reads++;
  if (socket[READ] === undefined || socket[READ] === 0) socket[READ] = performance.now();
};
// node:http and TLS connections read as 'data' events; the fast path reads plain sockets into its
// own buffer (src/proxy/fast/client-reads.ts), which emits none and publishes each read instead.
const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (ev, ...args) {
  if (on && ev === 'data' && this.server !== undefined && this.server !== null) clientRead(this);
  return emit.call(this, ev, ...args);
};
dc.subscribe('sluice:fast:client-read', (socket) => {
  if (on) clientRead(socket);
});
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  const t = this[READ];
  if (on && t !== undefined && t !== 0) {
    const us = Math.max(1, Math.round((performance.now() - t) * 1000));
    inGateway.record(us);
    this[READ] = 0;
    let c = perConn.get(this);
    if (c === undefined) perConn.set(this, (c = { n: 0, sum: 0, max: 0 }));
    c.n++;
    c.sum += us;
    if (us > c.max) c.max = us;
  }
  return write.apply(this, args);
};
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR || e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcMs += e.duration;
});

setTimeout(() => {
  on = true;
  obs.observe({ entryTypes: ['gc'] });
}, after).unref();

const pct = (h, scale) => {
  const r = (p) => Math.round((h.percentile(p) / scale) * 100) / 100;
  return { p50: r(50), p90: r(90), p99: r(99), p999: r(99.9), max: Math.round((h.max / scale) * 100) / 100, count: h.count };
};
// The window ends at SIGTERM (bench/profile.ts stops the gateway right after the load).
process.once('SIGTERM', () => {
  on = false;
});
process.on('exit', () => {
  on = false;
  obs.disconnect();
  const means = [...perConn.values()].filter((c) => c.n > 0).map((c) => c.sum / c.n / 1000).sort((a, b) => a - b);
  const out = {
    inGatewayMs: pct(inGateway, 1000),
    turnMs: pct(turnMs, 1000),
    readsPerTurn: pct(turnReads, 1),
    turnsWithGc: gcInTurn,
    perConnectionMeanMs: means.length === 0 ? {} : { connections: means.length, min: means[0].toFixed(3), median: means[means.length >> 1].toFixed(3), max: means[means.length - 1].toFixed(3) },
  };
  process.stdout.write(`TAIL ${JSON.stringify(out)}\n`);
});
