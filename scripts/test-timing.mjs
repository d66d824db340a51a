// Preloaded into each test file's process by `run-tests.mjs --timings`: on exit, appends one JSON line
// with the file's wall time and CPU time to $SLUICE_TEST_TIMINGS. CPU counts the file's own process
// plus every child process it started and reaped (cutime/cstime), so a file that does its work in a
// spawned `sluice serve` is charged for it; CPU does not depend on how busy the machine is, wall does.
import { appendFileSync, readFileSync } from 'node:fs';

const out = process.env.SLUICE_TEST_TIMINGS;
const file = process.argv[1] ?? '';
// Only the runner's per-file processes: tests' own children inherit the environment but run other scripts.
if (out && process.env.NODE_TEST_CONTEXT && /\.test\.(ts|mjs|js)$/.test(file)) {
  process.on('exit', () => {
    const cpu = cpuSeconds();
    const line = { file: file.startsWith(process.cwd()) ? file.slice(process.cwd().length + 1) : file, wall: process.uptime(), ...cpu };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  });
}

/** Own and reaped children's user+system seconds from /proc (Linux); own only elsewhere. */
function cpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const hz = 100; // USER_HZ is 100 on every Linux Node supports
    return { cpu: (f[11] + f[12]) / hz, childCpu: (f[13] + f[14]) / hz };
  } catch {
    const u = process.cpuUsage();
    return { cpu: (u.user + u.system) / 1e6, childCpu: 0 };
  }
}
