// A strict reader of the OpenMetrics 1.0 text format, for the tests: it throws on what the spec
// forbids (samples before their TYPE, a family split in two, sample names outside their type's
// suffixes, a counter family named *_total, exemplars outside _total and _bucket samples, label
// sets over 128 characters, buckets not cumulative or without +Inf, anything after `# EOF`).
export interface Exemplar {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestamp: number | undefined;
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly exemplar: Exemplar | undefined;
}

export interface Family {
  readonly name: string;
  type: string;
  help: string | undefined;
  readonly samples: Sample[];
}

const SUFFIXES: Record<string, readonly string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [''],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  unknown: [''],
};
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

function number(text: string, where: string): number {
  if (!NUMBER.test(text)) throw new Error(`${where}: bad number "${text}"`);
  return text.endsWith('Inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
}

/** `{a="x",b="y"}` at `s[i]`: the labels and the index after `}`. */
function labelSet(s: string, i: number, where: string): [Record<string, string>, number, number] {
  const out: Record<string, string> = {};
  const start = i;
  i++;
  while (s[i] !== '}') {
    const eq = s.indexOf('=', i);
    const name = s.slice(i, eq);
    if (!NAME.test(name) || name in out) throw new Error(`${where}: bad label name "${name}"`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let v = '';
    let j = eq + 2;
    for (; s[j] !== '"'; j++) {
      if (j >= s.length) throw new Error(`${where}: unterminated label value`);
      if (s[j] === '\\') {
        const e = s[++j];
        if (e === 'n') v += '\n';
        else if (e === '\\' || e === '"') v += e;
        else throw new Error(`${where}: bad escape \\${e}`);
      } else v += s[j];
    }
    out[name] = v;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`${where}: expected , or }`);
  }
  return [out, i + 1, i + 1 - start];
}

export function parseOpenMetrics(text: string): Map<string, Family> {
  if (!text.endsWith('# EOF\n')) throw new Error('does not end with "# EOF\\n"');
  const lines = text.slice(0, -'# EOF\n'.length).split('\n');
  if (lines.pop() !== '') throw new Error('the line before # EOF does not end with a newline');
  const families = new Map<string, Family>();
  let current: Family | undefined;
  const family = (name: string, where: string): Family => {
    if (current?.name === name) return current;
    if (families.has(name)) throw new Error(`${where}: family ${name} is not contiguous`);
    current = { name, type: 'unknown', help: undefined, samples: [] };
    families.set(name, current);
    return current;
  };
  lines.forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line.startsWith('#')) {
      const m = /^# (TYPE|HELP|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) throw new Error(`${where}: bad metadata "${line}"`);
      const f = family(m[2]!, where);
      if (f.samples.length > 0) throw new Error(`${where}: metadata after samples of ${f.name}`);
      if (m[1] === 'TYPE') {
        if (!(m[3]! in SUFFIXES)) throw new Error(`${where}: unknown type ${m[3]}`);
        if (m[3] === 'counter' && f.name.endsWith('_total')) throw new Error(`${where}: counter family ${f.name} ends in _total`);
        f.type = m[3]!;
      } else if (m[1] === 'HELP') f.help = m[3];
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    let i = nameEnd;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = labelSet(line, i, where);
    if (line[i] !== ' ') throw new Error(`${where}: expected a space after the labels`);
    const rest = line.slice(i + 1);
    const [valuePart, exemplarPart] = rest.split(' # ') as [string, string | undefined];
    const [valueText, ts, extra] = valuePart.split(' ');
    if (extra !== undefined) throw new Error(`${where}: trailing text`);
    const value = number(valueText!, where);
    if (ts !== undefined) number(ts, where);
    const f = current;
    const suffix = f === undefined ? undefined : (SUFFIXES[f.type] ?? []).find((s) => name === f.name + s);
    if (f === undefined || suffix === undefined) throw new Error(`${where}: sample ${name} outside its family (${f?.name} ${f?.type})`);
    let exemplar: Exemplar | undefined;
    if (exemplarPart !== undefined) {
      if (!(suffix === '_bucket' || (f.type === 'counter' && suffix === '_total'))) throw new Error(`${where}: exemplar on ${name}`);
      if (exemplarPart[0] !== '{') throw new Error(`${where}: exemplar without a label set`);
      const [el, j] = labelSet(exemplarPart, 0, where);
      const chars = Object.entries(el).reduce((n, [k, v]) => n + [...k].length + [...v].length, 0);
      if (chars > 128) throw new Error(`${where}: exemplar label set of ${chars} characters`);
      const [ev, ets, more] = exemplarPart.slice(j + 1).split(' ');
      if (more !== undefined || exemplarPart[j] !== ' ') throw new Error(`${where}: bad exemplar "${exemplarPart}"`);
      exemplar = { labels: el, value: number(ev!, where), timestamp: ets === undefined ? undefined : number(ets, where) };
    }
    f.samples.push({ name, labels, value, exemplar });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** Buckets cumulative, ending at +Inf equal to _count, exemplars inside their bucket. */
function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples.filter((s) => s.name.endsWith('_bucket'))) {
    const { le, ...rest } = s.labels;
    if (le === undefined) throw new Error(`${f.name}: bucket without le`);
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    let prevLe = -Infinity;
    let prev = 0;
    for (const b of buckets) {
      const le = number(b.labels.le!, f.name);
      if (le <= prevLe || b.value < prev) throw new Error(`${f.name}${key}: buckets not in order or not cumulative`);
      if (b.exemplar && !(b.exemplar.value <= le && b.exemplar.value > prevLe)) throw new Error(`${f.name}${key}: exemplar ${b.exemplar.value} outside bucket le=${le}`);
      prevLe = le;
      prev = b.value;
    }
    if (prevLe !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    const count = f.samples.find((s) => s.name === `${f.name}_count` && JSON.stringify(s.labels) === key);
    if (count?.value !== prev) throw new Error(`${f.name}${key}: _count ${count?.value} is not the +Inf bucket's ${prev}`);
  }
}
