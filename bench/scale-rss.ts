// Where a scale gateway's RSS is: `sluice serve` on N generated ingresses in one file shape, with
// bench/preload/mem-report.mjs loaded, reports RSS (anonymous / file-backed), threads, the V8 heap's
// spaces (resident vs used), array buffers and what else is anonymous (malloc, stacks) at four
// moments: ready, after a load run on the end-of-table route, after edits, after an idle spell, and
// after a second load run (how far the young generation grows back once shrunk).
//   node --import tsx bench/scale-rss.ts [N=10000] [one|100|all=one] [idleSec=20] [-- node flags]
// Environment passes through to the gateway; MALLOC_ARENA_MAX is 2 unless set, as the image runs it
// (MALLOC_ARENA_MAX=0 for glibc's default arenas);
// SLUICE_RSS_BIN=OTHER/bin/sluice.js runs another checkout's build (a baseline).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus as osCpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSluice } from './contenders/sluice.ts';
import { scaleApp, scaleFileText, writeScaleConfig } from './ingress-gen.ts';
import { defaultGenerator, measure } from './load.ts';
import { pinningAvailable, sleep, stopChildrenOnExit } from './proc.ts';
import { scaleShapesByNames, timeEdit } from './scale.ts';
import { scenarioByName } from './scenarios.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

process.env.MALLOC_ARENA_MAX ??= '2';
const dash = process.argv.indexOf('--');
const args = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const nodeFlags = dash < 0 ? [] : process.argv.slice(dash + 1);
const n = Number(args[0] ?? 10_000);
const shape = scaleShapesByNames([args[1] ?? 'one'])[0]!;
const idleSec = Number(args[2] ?? 20);
const PRELOAD = fileURLToPath(new URL('./preload/mem-report.mjs', import.meta.url));

stopChildrenOnExit();
const pinned = pinningAvailable(osCpus().length);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-scale-rss-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const upstream = await startUpstream(defaultUpstreamKind(), pinned ? '1' : undefined, workDir);
const dir = join(workDir, 'config');
const { perFile } = shape;
const fileOf = writeScaleConfig(dir, n, upstream.portA, upstream.portB, perFile);
const limits = Number.isFinite(perFile) ? [] : ['--max-config-file-size', String(1 << 30), '--max-config-documents', String(10 * n)];
const gw = await startSluice({ configDir: dir, cpus: pinned ? '0' : undefined, readyTimeoutMs: 600_000, extraArgs: limits, nodeArgs: [...nodeFlags, '--import', PRELOAD], ...(process.env.SLUICE_RSS_BIN ? { bin: process.env.SLUICE_RSS_BIN } : {}) });
const reports: Array<{ at: string } & Record<string, unknown>> = [];

/** One report from the gateway: signal, then wait (bounded) for its line. */
async function snap(at: string): Promise<void> {
  const before = gw.child.stdout().split('MEMREPORT ').length;
  process.kill(gw.pid, 'SIGUSR2');
  const deadline = performance.now() + 10_000;
  for (;;) {
    const parts = gw.child.stdout().split('MEMREPORT ');
    if (parts.length > before && parts[parts.length - 1]!.includes('\n')) {
      reports.push({ at, ...(JSON.parse(parts[parts.length - 1]!.split('\n')[0]!) as Record<string, unknown>) });
      return;
    }
    if (performance.now() > deadline) throw new Error(`no memory report from the gateway (${at})`);
    await sleep(20);
  }
}

try {
  await sleep(1000);
  await snap('ready');
  const last = scaleApp(n - 1, upstream.portA, upstream.portB);
  const load = () => measure({ connections: 50, durationSec: 5, warmupSec: 1, cpus: pinned ? '1' : undefined, generator: defaultGenerator(), url: `http://127.0.0.1:${gw.httpPort}/small`, headers: { host: last.host }, scenario: scenarioByName('small'), workDir });
  const rps = [(await load()).rps];
  await snap('load');
  const editsMs: Array<number | null> = [];
  for (let k = 0; k < 5; k++) {
    const i = Math.floor(n / 2) + k;
    editsMs.push(await timeEdit(gw.httpPort, fileOf(i), (host) => scaleFileText(i, n, perFile, upstream.portA, upstream.portB, { i, app: { ...scaleApp(i, upstream.portA, upstream.portB), host } })));
  }
  await snap('edits');
  await sleep(idleSec * 1000);
  await snap('idle');
  // Traffic again after the young generation was shrunk: how far it grows back.
  rps.push((await load()).rps);
  await snap('load2');
  const la = loadavg().map((x) => x.toFixed(2)).join(' ');
  const firstWorkerAt = reports.find((r) => r.firstWorkerAt !== undefined)?.firstWorkerAt;
  if (firstWorkerAt !== undefined) process.stdout.write(`first worker thread started at: ${String(firstWorkerAt)}\n`);
  process.stdout.write(`scale-rss ${process.env.SLUICE_RSS_BIN ?? 'this checkout'} ${n} ${shape.name} ready ${(gw.readyMs / 1000).toFixed(2)} s, edits ${editsMs.map((e) => (e === null ? '-' : e.toFixed(0))).join(',')} ms, req/s ${rps.map((r) => r.toFixed(0)).join(', ')}, node flags [${nodeFlags.join(' ')}], MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}, load ${la}\n`);
  for (const r of reports) {
    const { at, rss, anon, file, threads, workers, heapResident, heapUsed, arrayBuffers, external, otherAnon, mainArena, spaces } = r as unknown as Record<string, unknown> & { spaces: Record<string, { resident: number; used: number }> };
    const sp = Object.entries(spaces).filter(([, s]) => s.resident > 0).map(([name, s]) => `${name.replace('_space', '')} ${s.resident}/${s.used}`).join(', ');
    process.stdout.write(`  ${String(at).padEnd(6)} rss ${rss} (anon ${anon}, file ${file}), threads ${threads}, workers ${workers}; heap resident ${heapResident}, used ${heapUsed}; array buffers ${arrayBuffers}, external ${external}; other anon ${otherAnon} (main malloc arena ${mainArena})\n         spaces resident/used: ${sp}\n`);
  }
} finally {
  await gw.stop();
  await upstream.stop();
}
