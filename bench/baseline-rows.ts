// Sections whose scenarios are each divided by a baseline scenario of the same run (function routes
// against plain routes, policy routes against the route without a policy): their rows and lines.
import type { Ratios } from './report.ts';
import type { LoadResult } from './types.ts';

export interface BaselineRow<N extends string> {
  readonly scenario: N;
  readonly description: string;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly reason?: string;
  readonly load?: LoadResult;
  /** the scenario divided by (null for a baseline itself) */
  readonly baseline: N | null;
  /** this row ÷ its baseline (req/s: higher is better; latency: lower is better) */
  readonly vsBaseline: Ratios;
}

const div = (x: number | undefined, y: number | undefined): number | null => (x !== undefined && y !== undefined && y > 0 ? x / y : null);

/** Pure: one scenario's row, from the best load of each scenario and the failed and skipped ones' reasons. */
export function baselineRow<N extends string>(
  s: { readonly name: N; readonly description: string },
  baseline: N | null,
  best: ReadonlyMap<N, LoadResult>,
  failed: ReadonlyMap<N, string>,
  skipped: ReadonlyMap<N, string>,
): BaselineRow<N> {
  const load = best.get(s.name);
  const base = baseline === null ? undefined : best.get(baseline);
  const vsBaseline = { rps: div(load?.rps, base?.rps), p50: div(load?.p50Ms, base?.p50Ms), p99: div(load?.p99Ms, base?.p99Ms) };
  const common = { scenario: s.name, description: s.description, baseline, vsBaseline };
  if (skipped.has(s.name)) return { ...common, status: 'skipped', reason: skipped.get(s.name)! };
  if (failed.has(s.name) || load === undefined) return { ...common, status: 'failed', reason: failed.get(s.name) ?? 'not measured' };
  return { ...common, status: 'ok', load };
}

/** Pure: the section's lines for the terminal and markdown reports, under `title`; names padded to `width`. */
export function baselineLines(title: string, rows: readonly BaselineRow<string>[], width: number): string[] {
  const x = (v: number | null): string => (v === null ? '—' : `${v.toFixed(2)}x`);
  const out = [title];
  for (const r of rows) {
    if (r.status !== 'ok' || !r.load) {
      out.push(`  ${r.scenario.padEnd(width)} ${r.status}: ${r.reason ?? ''}`);
      continue;
    }
    const l = r.load;
    const errs = l.errors + l.non2xx > 0 ? ` (${l.errors} err, ${l.non2xx} non-2xx)` : '';
    const vs = r.baseline === null ? '' : `  ÷${r.baseline}: req/s ${x(r.vsBaseline.rps)}, p50 ${x(r.vsBaseline.p50)}, p99 ${x(r.vsBaseline.p99)}`;
    out.push(`  ${r.scenario.padEnd(width)} ${Math.round(l.rps).toString().padStart(6)} req/s${errs}, p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms${vs}`);
  }
  return out;
}
