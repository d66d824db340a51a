// A process's CPU time from /proc (Linux): what a gateway spends per request, which a machine busy
// with other work leaves comparable where req/s is not.
import { readFileSync } from 'node:fs';

/** utime + stime of a process, in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] and [12] are utime and stime (the 14th and 15th of the whole line), in clock ticks
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
