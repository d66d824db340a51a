// What bench/preload/alloc-sample.mjs reports (allocation sites by bytes in a window, garbage
// included), read from a process's stdout and shown per request: pure, for bench/profile.ts --alloc.

export interface AllocSites {
  readonly windowMs: number;
  readonly totalKiB: number;
  /** scavenges in the window (absent from older reports) */
  readonly scavenges?: number;
  readonly top: ReadonlyArray<{ readonly site: string; readonly kib: number }>;
}

const PREFIX = 'ALLOCSITES ';

/** The report in a process's stdout, or undefined when it printed none. */
export function parseAllocSites(stdout: string): AllocSites | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(PREFIX));
  return line === undefined ? undefined : (JSON.parse(line.slice(PREFIX.length)) as AllocSites);
}

/** The sites with bytes per request, for the `requests` made in the sampled window. */
export function formatAllocSites(a: AllocSites, requests: number): string {
  const n = Math.max(1, requests);
  const lines = a.top.map((t) => `${((t.kib * 1024) / n).toFixed(0).padStart(7)} B/req  ${t.site}`);
  const gc = a.scavenges === undefined ? '' : `${a.scavenges} scavenges in ${n} requests, ${((a.scavenges * 100_000) / n).toFixed(1)} per 100k requests\n`;
  return `allocated in the window: ${a.totalKiB} KiB, ~${((a.totalKiB * 1024) / n).toFixed(0)} bytes per request (sampled, garbage included)\n${gc}${lines.join('\n')}\n\n`;
}
