// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file.
// Usage: tsx bench/cpuprofile.ts FILE.cpuprofile [TOP] [SKIP_FIRST_MS]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly children?: readonly number[];
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  }>;
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly pct: number;
}

export interface Summary {
  /** sampled time in the window, idle included */
  readonly totalMs: number;
  /** of which the process was busy (not "(idle)"); the percentages are of this */
  readonly busyMs: number;
  readonly functions: SelfTime[];
  readonly files: SelfTime[];
  /** for native functions (no script, e.g. the socket writes), which functions above Node's stream/net plumbing called them */
  readonly nativeCallers: ReadonlyArray<{ readonly native: string; readonly callers: SelfTime[] }>;
}

/**
 * Pure: self time per function (name + file:line:column) and per file, most first, as a share of busy time.
 * Times come from the sample deltas; samples in the first sinceMs of the profile (start-up, warm-up) are left out.
 */
export function summarize(p: CpuProfile, sinceMs = 0): Summary {
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i; attribute it to sample i's node
  let t = p.startTime;
  const from = p.startTime + sinceMs * 1000;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < from) continue;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const callers = new Map<string, Map<string, { name: string; where: string; us: number }>>();
  const file = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id);
    if (!cf) continue;
    total += us;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : '';
    const key = `${cf.functionName}\u0000${where}`;
    const e = fn.get(key) ?? { name: cf.functionName || '(anonymous)', where, us: 0 };
    e.us += us;
    fn.set(key, e);
    const f = cf.url ? shortUrl(cf.url) : cf.functionName;
    file.set(f, (file.get(f) ?? 0) + us);
    // the first caller outside Node's stream/net plumbing says who wrote (the proxy, undici, node:http)
    let pid = parentOf.get(id);
    while (pid !== undefined && isPlumbing(byId.get(pid)?.url ?? '')) pid = parentOf.get(pid);
    const parent = byId.get(pid ?? -1);
    if (!cf.url && parent && !cf.functionName.startsWith('(')) {
      const m = callers.get(cf.functionName) ?? new Map<string, { name: string; where: string; us: number }>();
      const pw = parent.url ? `${shortUrl(parent.url)}:${parent.lineNumber + 1}:${parent.columnNumber + 1}` : '';
      const c = m.get(`${parent.functionName}\u0000${pw}`) ?? { name: parent.functionName || '(anonymous)', where: pw, us: 0 };
      c.us += us;
      m.set(`${parent.functionName}\u0000${pw}`, c);
      callers.set(cf.functionName, m);
    }
  }
  const busy = total - idle;
  const pct = (us: number): number => (busy > 0 ? (100 * us) / busy : 0);
  const functions = [...fn.values()].sort((a, b) => b.us - a.us).map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, pct: pct(e.us) }));
  const files = [...file.entries()].sort((a, b) => b[1] - a[1]).map(([f, us]) => ({ name: f, where: '', selfMs: us / 1000, pct: pct(us) }));
  const toSelf = (e: { name: string; where: string; us: number }): SelfTime => ({ name: e.name, where: e.where, selfMs: e.us / 1000, pct: pct(e.us) });
  const nativeCallers = functions
    .filter((f) => !f.where && callers.has(f.name))
    .slice(0, 5)
    .map((f) => ({ native: f.name, callers: [...callers.get(f.name)!.values()].sort((a, b) => b.us - a.us).slice(0, 4).map(toSelf) }));
  return { totalMs: total / 1000, busyMs: busy / 1000, functions, files, nativeCallers };
}

/** Node's stream and socket layers, skipped when looking for who called a native write */
function isPlumbing(url: string): boolean {
  return url.startsWith('node:') && !url.startsWith('node:_http');
}

const ROOT = new URL('../', import.meta.url).href;

/** file:///<repo>/src/proxy/h1.ts -> src/proxy/h1.ts; node_modules/x/y.js kept from node_modules on. */
function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  return url.startsWith(ROOT) ? url.slice(ROOT.length) : url.replace(/^file:\/\//, '');
}

/** Pure: the summary as text. */
export function formatSummary(s: Summary, top: number): string {
  const line = (e: SelfTime): string => `${e.pct.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.name}${e.where ? `  ${e.where}` : ''}`;
  return [
    `sampled: ${(s.totalMs / 1000).toFixed(2)} s, busy ${(s.busyMs / 1000).toFixed(2)} s (${s.totalMs > 0 ? ((100 * s.busyMs) / s.totalMs).toFixed(0) : 0}%); shares below are of busy time`,
    '',
    `top ${top} functions by self time:`,
    ...s.functions.slice(0, top).map(line),
    '',
    'self time by file:',
    ...s.files.slice(0, 15).map(line),
    '',
    'native functions by caller:',
    ...s.nativeCallers.flatMap((n) => [`  ${n.native}`, ...n.callers.map((c) => `  ${line(c)}`)]),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '25', since = '0'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/cpuprofile.ts FILE.cpuprofile [TOP] [SKIP_FIRST_MS]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(since)), Number(top))}\n`);
}
