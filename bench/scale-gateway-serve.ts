// `sluice serve` (the build in dist/) on bench/scale-gateway.ts's Gateway and N HTTPRoutes: ready
// from process start (spawn to admin /ready answering 200, module loading included; wall time and
// the process's CPU time), and where its RSS is (bench/preload/mem-report.mjs) 1 s after ready and
// after an idle spell, in which the gateway's heap release (src/cli/heap-release.ts) collects what
// the load left and shrinks the young generation. scale-gateway.ts's pipeline runs in the bench's
// own process, after its modules are loaded and without that release.
//   npm run build && node --import tsx bench/scale-gateway-serve.ts [N=10000] [idleSec=20] [rounds=1] [--base DIR]
// --base DIR: another checkout with its own build (`git archive REV | tar -x -C DIR`, a node_modules
// link, `npm run build`), started in turn with this one every round, the order flipping each round.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSluice, type SluiceProcess } from './contenders/sluice.ts';
import { GATEWAY_LISTENER_PORT, scaleRouteName, writeRouteScaleConfig, type ScaleLayout } from './httproute-gen.ts';
import { processCpuMs } from './proc-cpu.ts';
import { freePort, sleep, stopChildrenOnExit } from './proc.ts';

const baseAt = process.argv.indexOf('--base');
const base = baseAt >= 0 ? resolve(process.argv[baseAt + 1] ?? '') : undefined;
const positional = process.argv.slice(2).filter((_, i, a) => a[i] !== '--base' && a[i - 1] !== '--base');
const n = Number(positional[0] ?? 10_000);
const idleSec = Number(positional[1] ?? 20);
const rounds = Number(positional[2] ?? 1);
const HERE_BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const bins = base === undefined ? [HERE_BIN] : [join(base, 'bin/sluice.js'), HERE_BIN];
const layout: ScaleLayout = { shape: 'HTTPRoute', namespaces: 100 };
const dir = `/tmp/sluice-scale-gw-ns100-${n}`;
const PRELOAD = fileURLToPath(new URL('./preload/mem-report.mjs', import.meta.url));

stopChildrenOnExit();
if (!existsSync(join(dir, 'routes', `${scaleRouteName(n - 1)}.yaml`))) writeRouteScaleConfig(dir, n, 9001, 9002, layout);

interface Report {
  readonly rss: number;
  readonly anon: number;
  readonly file: number;
  readonly heapResident: number;
  readonly heapUsed: number;
  readonly otherAnon: number;
  readonly arrayBuffers: number;
  readonly spaces: Record<string, { resident: number; used: number }>;
}

/** One report from the gateway: signal, then wait (bounded) for its line. */
async function snap(gw: SluiceProcess): Promise<Report> {
  const before = gw.child.stdout().split('MEMREPORT ').length;
  process.kill(gw.pid, 'SIGUSR2');
  const deadline = performance.now() + 10_000;
  for (;;) {
    const parts = gw.child.stdout().split('MEMREPORT ');
    const last = parts[parts.length - 1] as string;
    if (parts.length > before && last.includes('\n')) return JSON.parse(last.split('\n')[0] as string) as Report;
    if (performance.now() > deadline) throw new Error('no memory report from the gateway');
    await sleep(20);
  }
}

const line = (at: string, r: Report): string => {
  const sp = Object.entries(r.spaces).filter(([, s]) => s.resident >= 1).map(([name, s]) => `${name.replace('_space', '')} ${s.resident}/${s.used}`).join(', ');
  return `  ${at.padEnd(6)} rss ${r.rss} MiB (anon ${r.anon}, file ${r.file}); heap resident ${r.heapResident}, used ${r.heapUsed}; array buffers ${r.arrayBuffers}; other anon ${r.otherAnon}\n         spaces resident/used: ${sp}`;
};

for (let round = 0; round < rounds; round++) {
  for (const bin of round % 2 === 0 ? bins : [...bins].reverse()) await serveOnce(bin);
}

async function serveOnce(bin: string): Promise<void> {
  const gwPort = await freePort();
  const gw = await startSluice({
    configDir: dir,
    cpus: undefined,
    readyTimeoutMs: 600_000,
    bin,
    nodeArgs: ['--import', PRELOAD],
    // a fixed --bin gets no health port or drain delay from startSluice: the same flags as without it
    extraArgs: ['--gateway-address', '127.0.0.1', '--port-offset', String(gwPort - GATEWAY_LISTENER_PORT), '--health', '127.0.0.1:0', '--drain-delay', '0'],
  });
  try {
    // CPU time to ready (all threads, the parse worker's included): wall time on a shared machine is mostly the queue.
    const cpuMs = processCpuMs(gw.pid);
    const la = loadavg().map((x) => x.toFixed(2)).join(' ');
    await sleep(1000);
    const ready = await snap(gw);
    await sleep(idleSec * 1000);
    const idle = await snap(gw);
    const who = base === undefined ? '' : bin === HERE_BIN ? ' [this checkout]' : ' [base]';
    console.log(`scale-gateway-serve ${n} HTTPRoutes${who}: ready ${(gw.readyMs / 1000).toFixed(2)} s from spawn, ${(cpuMs / 1000).toFixed(2)} s of its CPU (load ${la})`);
    console.log(line('ready', ready));
    console.log(line(`idle ${idleSec}s`, idle));
  } finally {
    await gw.stop();
  }
}
