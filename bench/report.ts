// Ratios, the terminal table, the markdown table and the JSON report (bench/results/<date>.json and latest.*).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionsLines, type FunctionsReport } from './fn-run.ts';
import { polLines, type PoliciesReport } from './pol-run.ts';
import { accessLogLines, type AccessLogReport } from './log-run.ts';
import type { ContenderName, LoadResult, ScenarioName } from './types.ts';

export interface Row {
  readonly scenario: ScenarioName;
  readonly contender: ContenderName;
  readonly nodePeer: boolean;
  readonly status: 'ok' | 'skipped' | 'failed';
  /** why skipped or failed */
  readonly reason?: string;
  readonly load?: LoadResult;
}

export interface Ratios {
  readonly rps: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface RatedRow extends Row {
  /** this row ÷ nginx as a reverse proxy in the same scenario (req/s: higher is better; latency: lower is better) */
  readonly vsNginx: Ratios;
  /** this row ÷ the Node peer with the most req/s in the same scenario */
  readonly vsBestNode: Ratios & { readonly peer: ContenderName | null };
}

export interface ScaleReport {
  /** the file layout (bench/scale.ts SCALE_SHAPES): one-per-file, 100-per-file, one-file */
  readonly shape: string;
  readonly ingresses: number;
  readonly files: number;
  readonly configBytes: number;
  /** spawn to admin /ready (read, translate and serve 10,000 ingresses from cold) */
  readonly coldReadyMs: number;
  /** in a fresh process: reading and parsing the config directory (best round) */
  readonly coldParseMs: number;
  /** in a fresh process, after the parse: the Store and one translation from scratch (best round) */
  readonly coldTranslateMs: number;
  /** one file rewritten to the new host answering 200: the median of `editsMs` */
  readonly editToServedMs: number | null;
  /** each edit timed, in order (null: not served within 60 s) */
  readonly editsMs: ReadonlyArray<number | null>;
  readonly rssBytes: number | null;
  /** the last path of the last ingress (the end of the route table) */
  readonly endRoute: LoadResult;
  /** the same route shape with only one ingress */
  readonly oneIngress: LoadResult;
  readonly endVsOne: number;
}

export interface WorkersRun {
  readonly workers: number;
  readonly load: LoadResult;
}

export interface WorkersReport {
  /** Sluice's `--workers N` runs */
  readonly runs: readonly WorkersRun[];
  /** nginx with N worker processes, same load, same CPUs (empty when nginx is absent) */
  readonly nginx: readonly WorkersRun[];
  /** Sluice's req/s with 2 workers ÷ with 1 */
  readonly scaling: number | null;
  /** nginx's */
  readonly nginxScaling: number | null;
  readonly note: string;
}

export interface Report {
  readonly schema: 1;
  readonly date: string;
  readonly meta: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly generator: string;
    readonly upstream: string;
    /** taskset CPU lists of the proxy and of the generator + upstream, or null when unpinned */
    readonly pinning: { readonly proxy: string; readonly generator: string } | null;
    readonly durationSec: number;
    readonly warmupSec: number;
    /** each row is the best of this many interleaved runs */
    readonly rounds: number;
    readonly connections: number;
  };
  readonly results: readonly RatedRow[];
  /** one report per file shape run */
  readonly scale: readonly ScaleReport[] | { readonly skipped: string } | null;
  readonly workers: WorkersReport | { readonly skipped: string } | null;
  /** function routes against plain routes (`--scenarios fn`); null when none was asked for */
  readonly functions?: FunctionsReport | { readonly skipped: string } | null;
  /** policy routes against the same route without one (`--scenarios pol`); null when none was asked for */
  readonly policies?: PoliciesReport | { readonly skipped: string } | null;
  /** the same route without and with an access log (`--scenarios log`); null when none was asked for */
  readonly accessLog?: AccessLogReport | { readonly skipped: string } | null;
}

/** Pure: adds the nginx and best-Node-peer ratios to every row. */
export function rate(rows: readonly Row[]): RatedRow[] {
  return rows.map((r) => {
    const same = rows.filter((x) => x.scenario === r.scenario && x.status === 'ok' && x.load);
    const nginx = same.find((x) => x.contender === 'nginx')?.load;
    const best = same.filter((x) => x.nodePeer).sort((a, b) => b.load!.rps - a.load!.rps)[0];
    return { ...r, vsNginx: ratios(r.load, nginx), vsBestNode: { ...ratios(r.load, best?.load), peer: best?.contender ?? null } };
  });
}

function ratios(a: LoadResult | undefined, b: LoadResult | undefined): Ratios {
  const div = (x: number | undefined, y: number | undefined): number | null => (x !== undefined && y !== undefined && y > 0 ? x / y : null);
  return { rps: div(a?.rps, b?.rps), p50: div(a?.p50Ms, b?.p50Ms), p99: div(a?.p99Ms, b?.p99Ms) };
}

const HEAD = ['scenario', 'contender', 'req/s', 'p50 ms', 'p99 ms', 'req/s ÷nginx', 'p50 ÷nginx', 'p99 ÷nginx', 'req/s ÷node', 'p50 ÷node', 'p99 ÷node'];

function cells(r: RatedRow): string[] {
  const x = (v: number | null): string => (v === null ? '—' : v.toFixed(2));
  if (r.status !== 'ok' || !r.load) return [r.scenario, r.contender, r.status, r.reason ?? '', '', '', '', '', '', '', ''];
  const l = r.load;
  const errs = l.errors + l.non2xx > 0 ? ` (${l.errors} err, ${l.non2xx} non-2xx)` : '';
  return [
    r.scenario,
    r.contender,
    Math.round(l.rps).toString() + errs,
    l.p50Ms.toFixed(2),
    l.p99Ms.toFixed(2),
    x(r.vsNginx.rps),
    x(r.vsNginx.p50),
    x(r.vsNginx.p99),
    x(r.vsBestNode.rps),
    x(r.vsBestNode.p50),
    x(r.vsBestNode.p99),
  ];
}

/** Pure: the results as an aligned plain-text table plus the scale and workers sections. */
export function textTable(rep: Report): string {
  const rows = [HEAD, ...rep.results.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.filter((r) => r[2] !== 'skipped' && r[2] !== 'failed').map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r[2] === 'skipped' || r[2] === 'failed' ? `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}: ${r[3]}` : r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(HEAD), ...rows.slice(1).map(line)];
  out.push('', '÷nginx: ratio to nginx as a reverse proxy; ÷node: ratio to the best Node peer of the scenario. req/s: higher is better; latency: lower.');
  out.push(...extraLines(rep));
  return out.join('\n');
}

/** Pure: the median of the edits observed; null when none was. */
export function median(xs: ReadonlyArray<number | null>): number | null {
  const seen = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (seen.length === 0) return null;
  const m = seen.length >> 1;
  return seen.length % 2 === 1 ? seen[m]! : (seen[m - 1]! + seen[m]!) / 2;
}

/** Pure: "62 ms (median of 5 edits: 116, 60, 62, 65, 59 ms)". */
export function editLine(s: ScaleReport): string {
  if (s.editToServedMs === null) return 'not observed';
  const each = (s.editsMs ?? []).map((x) => (x === null ? 'not served' : x.toFixed(0))).join(', ');
  return `${s.editToServedMs.toFixed(0)} ms${each === '' ? '' : ` (median of ${s.editsMs.length} edits: ${each} ms)`}`;
}

/** Pure: the scale section, a block of lines per file shape (each block after a blank line). */
export function scaleLines(shapes: Report['scale']): string[] {
  const out: string[] = [];
  if (shapes && 'skipped' in shapes) out.push('', `scale: skipped: ${shapes.skipped}`);
  else for (const s of shapes ?? []) {
    out.push(
      '',
      `scale, ${s.shape}: ${s.ingresses} ingresses in ${s.files} file${s.files === 1 ? '' : 's'} (${(s.configBytes / 1e6).toFixed(1)} MB)`,
      `  cold start to ready: ${(s.coldReadyMs / 1000).toFixed(2)} s (in a fresh process: parse ${(s.coldParseMs / 1000).toFixed(2)} s, translate ${(s.coldTranslateMs / 1000).toFixed(2)} s)`,
      `  file edit to change served: ${editLine(s)}`,
      `  RSS: ${s.rssBytes === null ? 'unknown' : `${(s.rssBytes / 1048576).toFixed(0)} MiB`}`,
      `  end-of-table route: ${Math.round(s.endRoute.rps)} req/s (p99 ${s.endRoute.p99Ms.toFixed(2)} ms) vs one ingress ${Math.round(s.oneIngress.rps)} req/s (p99 ${s.oneIngress.p99Ms.toFixed(2)} ms): ${s.endVsOne.toFixed(2)}x`,
    );
  }
  return out;
}

function extraLines(rep: Report): string[] {
  const out: string[] = [];
  out.push(...scaleLines(rep.scale));
  const w = rep.workers;
  if (w && 'skipped' in w) out.push('', `workers: skipped: ${w.skipped}`);
  else if (w) {
    out.push('', 'workers (small GET):');
    for (const r of w.runs) out.push(`  ${workersLine(r, w.nginx.find((n) => n.workers === r.workers))}`);
    const x = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(2)}x`);
    out.push(`  scaling 1 -> 2 workers: sluice ${x(w.scaling)}, nginx ${x(w.nginxScaling)} (${w.note})`);
  }
  const f = rep.functions;
  if (f && 'skipped' in f) out.push('', `functions: skipped: ${f.skipped}`);
  else if (f) out.push('', ...functionsLines(f));
  const p = rep.policies;
  if (p && 'skipped' in p) out.push('', `policies: skipped: ${p.skipped}`);
  else if (p) out.push('', ...polLines(p));
  const a = rep.accessLog;
  if (a && 'skipped' in a) out.push('', `access log: skipped: ${a.skipped}`);
  else if (a) out.push('', ...accessLogLines(a));
  return out;
}

/** One worker count: Sluice's run, nginx's beside it and the ratios (req/s and p99, Sluice ÷ nginx). */
function workersLine(r: WorkersRun, nginx: WorkersRun | undefined): string {
  const sluice = `${r.workers} worker(s): sluice ${Math.round(r.load.rps)} req/s (p99 ${r.load.p99Ms.toFixed(2)} ms)`;
  if (nginx === undefined) return sluice;
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '—');
  return `${sluice}, nginx ${Math.round(nginx.load.rps)} req/s (p99 ${nginx.load.p99Ms.toFixed(2)} ms): req/s ${ratio(r.load.rps, nginx.load.rps)} nginx, p99 ${ratio(r.load.p99Ms, nginx.load.p99Ms)}`;
}

/** Pure: the results as a markdown table (for the README), with the scale and workers sections as a list. */
export function markdownTable(rep: Report): string {
  const m = rep.meta;
  const out = [
    `Measured ${rep.date} on ${m.cpus} × ${m.cpuModel}, Node ${m.node}; ${m.generator}, ${m.connections} connections, ${m.durationSec} s per run after ${m.warmupSec} s warm-up${m.rounds > 1 ? `, best of ${m.rounds} interleaved runs` : ''};` +
      ` upstream ${m.upstream}; ${m.pinning ? `proxy pinned to CPU ${m.pinning.proxy}, generator and upstream to CPU ${m.pinning.generator}` : 'not pinned'}.`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rep.results.map((r) => `| ${cells(r).join(' | ')} |`),
  ];
  const extra = extraLines(rep);
  if (extra.length) out.push('', '```', ...extra.filter((l, i) => i > 0 || l !== ''), '```');
  return out.join('\n') + '\n';
}

/** Writes <dir>/<date>.json, latest.json and latest.md; returns the dated JSON path. */
export function writeReport(dir: string, rep: Report): string {
  mkdirSync(dir, { recursive: true });
  const stamp = rep.date.replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}.json`);
  const json = JSON.stringify(rep, null, 2) + '\n';
  writeFileSync(file, json);
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, 'latest.md'), markdownTable(rep));
  return file;
}
