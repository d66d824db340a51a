// The scale run: Sluice on 10,000 ingresses (two splits, four paths, two visibilities each), in
// each file shape users write (SCALE_SHAPES): one ingress per file, 100 per file (each file with
// their Services and Endpoints, as `kubectl get -o yaml` dumps them), and one file with everything.
// Per shape: cold start to ready, one file edit to the change being served, RSS, and the throughput
// of the route at the end of the table against the same route in a one-ingress table.
import { readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaleApp, scaleFileText, writeScaleConfig } from './ingress-gen.ts';
import { measure } from './load.ts';
import { rssBytes, runToEnd, sleep } from './proc.ts';
import { statusOf } from './probe.ts';
import { startSluice } from './contenders/sluice.ts';
import { scenarioByName } from './scenarios.ts';
import { median, type ScaleReport } from './report.ts';
import type { LoadOptions, LoadResult, Upstream } from './types.ts';

/** A file layout: how many ingresses (with their Services and Endpoints) each file holds. */
export interface ScaleShape {
  readonly name: 'one-per-file' | '100-per-file' | 'one-file';
  readonly perFile: number;
}

export const SCALE_SHAPES: readonly ScaleShape[] = [
  { name: 'one-per-file', perFile: 1 },
  { name: '100-per-file', perFile: 100 },
  { name: 'one-file', perFile: Number.POSITIVE_INFINITY },
];

/** `one`, `100` or `all` (or the full names) -> shapes, in the order above. */
export function scaleShapesByNames(names: readonly string[]): ScaleShape[] {
  const alias: Record<string, ScaleShape['name']> = { one: 'one-per-file', '1': 'one-per-file', '100': '100-per-file', all: 'one-file', file: 'one-file' };
  const wanted = new Set(
    names.map((n) => {
      const shape = SCALE_SHAPES.find((s) => s.name === (alias[n] ?? n));
      if (shape === undefined) throw new Error(`--scale-shapes: unknown shape "${n}" (one, 100 or all)`);
      return shape;
    }),
  );
  return SCALE_SHAPES.filter((s) => wanted.has(s));
}

export interface ScaleOptions {
  readonly shape: ScaleShape;
  readonly ingresses: number;
  readonly upstream: Upstream;
  readonly workDir: string;
  readonly proxyCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly log: (line: string) => void;
  /** load runs of each table, interleaved (best of them counts, as for the scenarios) */
  readonly rounds: number;
}

/** Edits timed, one after another: the first pays for code not yet optimized, the rest show the usual. */
export const EDITS = 5;

const COLD = fileURLToPath(new URL('./scale-cold.ts', import.meta.url));

/** One run per shape, one after another (never two Sluice tables of 10,000 at once). */
export async function runScaleShapes(shapes: readonly ScaleShape[], o: Omit<ScaleOptions, 'shape'>): Promise<ScaleReport[]> {
  const out: ScaleReport[] = [];
  for (const shape of shapes) out.push(await runScale({ ...o, shape }));
  return out;
}

export async function runScale(o: ScaleOptions): Promise<ScaleReport> {
  const { perFile } = o.shape;
  const dir = join(o.workDir, `scale-${o.shape.name}`);
  rmSync(dir, { recursive: true, force: true });
  o.log(`scale: writing ${o.ingresses} ingresses, ${o.shape.name}`);
  const fileOf = writeScaleConfig(dir, o.ingresses, o.upstream.portA, o.upstream.portB, perFile);
  // One file with everything is past the default per-file limits (32 MiB, 10,000 documents).
  const limits = Number.isFinite(perFile) ? [] : ['--max-config-file-size', String(1 << 30), '--max-config-documents', String(10 * o.ingresses)];
  const { files, bytes } = dirSize(dir);
  const last = scaleApp(o.ingresses - 1, o.upstream.portA, o.upstream.portB);
  const oneDir = join(o.workDir, 'scale-one');
  writeScaleConfig(oneDir, 1, o.upstream.portA, o.upstream.portB);
  const first = scaleApp(0, o.upstream.portA, o.upstream.portB);
  const small = scenarioByName('small');
  const split = await coldSplit(dir, o.rounds, o.proxyCpus);
  o.log(`scale (${o.shape.name}): cold parse (read + YAML + validation) ${split.parseMs.toFixed(0)} ms, cold translate (store + translate) ${split.translateMs.toFixed(0)} ms, best of ${o.rounds} fresh processes`);

  o.log('scale: starting sluice from cold');
  const big = await startSluice({ configDir: dir, cpus: o.proxyCpus, readyTimeoutMs: 600_000, extraArgs: limits });
  let one: Awaited<ReturnType<typeof startSluice>> | undefined;
  const ends: LoadResult[] = [];
  const ones: LoadResult[] = [];
  let rss: number | null = null;
  const editsMs: Array<number | null> = [];
  try {
    if ((await statusOf(big.httpPort, last.host, '/small')) !== 200) throw new Error(`the last ingress (${last.host}) does not answer 200 after ready`);
    // Both tables stay up and their runs alternate, so a slow spell of a shared machine hits both alike.
    one = await startSluice({ configDir: oneDir, cpus: o.proxyCpus, readyTimeoutMs: 60_000 });
    for (let round = 0; round < o.rounds; round++) {
      o.log(`scale: end-of-table route, round ${round + 1}`);
      ends.push(await measure({ ...o.load, url: `http://127.0.0.1:${big.httpPort}/small`, headers: { host: last.host }, scenario: small, workDir: o.workDir }));
      o.log(`scale: one-ingress table, round ${round + 1}`);
      ones.push(await measure({ ...o.load, url: `http://127.0.0.1:${one.httpPort}/small`, headers: { host: first.host }, scenario: small, workDir: o.workDir }));
    }
    rss = rssBytes(big.pid, true) ?? null;
    const mid = Math.floor(o.ingresses / 2);
    const { portA, portB } = o.upstream;
    for (let k = 0; k < EDITS; k++) {
      const i = mid + k;
      editsMs.push(await timeEdit(big.httpPort, fileOf(i), (host) => scaleFileText(i, o.ingresses, perFile, portA, portB, { i, app: { ...scaleApp(i, portA, portB), host } })));
    }
  } finally {
    await Promise.all([big.stop(), one?.stop()]);
  }
  const endRoute = fastest(ends);
  const oneIngress = fastest(ones);
  return {
    shape: o.shape.name,
    ingresses: o.ingresses,
    files,
    configBytes: bytes,
    coldReadyMs: big.readyMs,
    coldParseMs: split.parseMs,
    coldTranslateMs: split.translateMs,
    editToServedMs: median(editsMs),
    editsMs,
    rssBytes: rss,
    endRoute,
    oneIngress,
    endVsOne: oneIngress.rps > 0 ? endRoute.rps / oneIngress.rps : 0,
  };
}

function fastest(runs: readonly LoadResult[]): LoadResult {
  return [...runs].sort((a, b) => b.rps - a.rps)[0]!;
}

/**
 * Cold start split in two, each round in a fresh process pinned like Sluice (scale-cold.ts):
 * reading and parsing the config directory, then the Store and one translation from scratch.
 * `coldReadyMs` (spawn to /ready) is the sum plus the rest. The fastest round of each counts.
 */
export async function coldSplit(dir: string, rounds: number, cpus: string | undefined): Promise<{ parseMs: number; translateMs: number }> {
  let parseMs = Infinity;
  let translateMs = Infinity;
  for (let i = 0; i < rounds; i++) {
    const out = await runToEnd(process.execPath, ['--import', 'tsx', COLD, dir], { cpus, timeoutMs: 600_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { parseMs: number; translateMs: number };
    parseMs = Math.min(parseMs, r.parseMs);
    translateMs = Math.min(translateMs, r.translateMs);
  }
  return { parseMs, translateMs };
}

/**
 * Rewrites the file of one app with that app on a new host (`text(host)`: the whole file, the
 * other apps unchanged), through a temp file and a rename as editors do, or in place (truncated and
 * written, as `kubectl get -o yaml > file` does) with SLUICE_BENCH_EDIT_WRITE=in-place, the write
 * then counted in the time; times until the host answers.
 */
export async function timeEdit(port: number, file: string, text: (host: string) => string): Promise<number | null> {
  const host = `edited-${Date.now()}.bench.example.com`;
  if ((await statusOf(port, host, '/small')) === 200) throw new Error(`${host} answers before the edit`);
  let t0: number;
  if (process.env.SLUICE_BENCH_EDIT_WRITE === 'in-place') {
    const body = text(host);
    t0 = performance.now();
    writeFileSync(file, body);
  } else {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, text(host));
    t0 = performance.now();
    renameSync(tmp, file);
  }
  const deadline = t0 + 60_000;
  while (performance.now() < deadline) {
    if ((await statusOf(port, host, '/small')) === 200) return performance.now() - t0;
    await sleep(5);
  }
  return null;
}

function dirSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(join(dir, e));
    if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

