// The OpenMetrics 1.0 text format (what Prometheus asks for first), rendered from the registry's
// JSON with trace exemplars on histogram buckets. A pure translator: prom-client's own OpenMetrics
// output needs a registry made for it, and renames counters in place (its Prometheus text would
// lose `_total` after one OpenMetrics scrape), so the Prometheus text stays prom-client's and this
// one is built here. Counters' families drop `_total` (their samples keep it), integral bucket
// bounds are written `1.0`, and a gauge named `*_info` of value 1 is an info family, as the spec says.
import type { Exemplar } from './exemplars.ts';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

type LabelValue = string | number;

/** One metric as `Registry.getMetricsAsJSON()` gives it (the fields read here). */
export interface MetricFamilyJson {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: ReadonlyArray<{ readonly value: number; readonly labels: Readonly<Record<string, LabelValue | undefined>>; readonly metricName?: string }>;
}

/** The exemplar of histogram `metric`'s bucket `le` in the series with these labels (le left out). */
export type ExemplarLookup = (metric: string, labels: Readonly<Record<string, LabelValue | undefined>>, le: number) => Exemplar | undefined;

const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeLabel = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function number(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A bucket bound as the spec's canonical form writes it: `1.0`, `0.25`, `+Inf`. */
function bound(le: LabelValue): string {
  const n = typeof le === 'number' ? le : le === '+Inf' ? Infinity : Number(le);
  return Number.isInteger(n) ? n.toFixed(1) : number(n);
}

function labelText(labels: Readonly<Record<string, LabelValue | undefined>>): string {
  const parts: string[] = [];
  let le: LabelValue | undefined;
  for (const [k, v] of Object.entries(labels)) {
    if (v === undefined) continue;
    if (k === 'le') le = v;
    else parts.push(`${k}="${escapeLabel(String(v))}"`);
  }
  // le last, where readers of the other formats expect it.
  if (le !== undefined) parts.push(`le="${bound(le)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function exemplarText(e: Exemplar): string {
  return ` # {trace_id="${e.traceId}"} ${number(e.value)} ${e.timestamp.toFixed(3)}`;
}

function familyOf(m: MetricFamilyJson): { name: string; type: string } {
  if (m.type === 'counter') return { name: m.name.replace(/_total$/, ''), type: 'counter' };
  if (m.type === 'gauge' && m.name.endsWith('_info') && m.values.every((v) => v.value === 1)) return { name: m.name.slice(0, -'_info'.length), type: 'info' };
  if (m.type === 'histogram' || m.type === 'gauge' || m.type === 'summary') return { name: m.name, type: m.type };
  return { name: m.name, type: 'unknown' };
}

export function openMetricsText(metrics: readonly MetricFamilyJson[], exemplars: ExemplarLookup): string {
  const out: string[] = [];
  for (const m of metrics) {
    const family = familyOf(m);
    out.push(`# TYPE ${family.name} ${family.type}`, `# HELP ${family.name} ${escapeHelp(m.help)}`);
    for (const v of m.values) {
      const sample = family.type === 'counter' ? `${family.name}_total` : (v.metricName ?? m.name);
      let line = `${sample}${labelText(v.labels)} ${number(v.value)}`;
      if (m.type === 'histogram' && sample.endsWith('_bucket')) {
        const { le, ...series } = v.labels;
        const e = le === undefined ? undefined : exemplars(m.name, series, le === '+Inf' ? Infinity : Number(le));
        if (e !== undefined) line += exemplarText(e);
      }
      out.push(line);
    }
  }
  out.push('# EOF', '');
  return out.join('\n');
}
