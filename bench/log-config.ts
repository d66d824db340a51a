// The access log scenarios (issue 16: "a bench scenario reports the cost"): the same small GET
// route served by `sluice serve` without an access log, with the JSON one (to a file and to /dev/null), with Envoy's default
// template (Kourier's), and with JSON sampled at 1%. Each is a process of its own (the log is a
// process flag); every one is divided by the one without a log.
import { ENVOY_DEFAULT_FORMAT } from '../src/observe/access-log-format.ts';

export type LogScenarioName = 'log-off' | 'log-json' | 'log-json-null' | 'log-template' | 'log-sampled';

export interface LogScenario {
  readonly name: LogScenarioName;
  readonly description: string;
  /** `serve` flags; FILE stands for the log file's path */
  readonly flags: readonly string[];
}

export const LOG_FILE = 'FILE';

export const logScenarios: readonly LogScenario[] = [
  { name: 'log-off', description: 'small GET, no access log', flags: [] },
  { name: 'log-json', description: 'the same with the JSON access log to a file', flags: ['--access-log', LOG_FILE] },
  // The line's code and the writer without the file's: what is left is the page cache's and the disk's.
  { name: 'log-json-null', description: 'the JSON access log to /dev/null', flags: ['--access-log', '/dev/null'] },
  { name: 'log-template', description: "the same with Envoy's default template (Kourier's) to a file", flags: ['--access-log', LOG_FILE, '--access-log-format', ENVOY_DEFAULT_FORMAT] },
  { name: 'log-sampled', description: 'the JSON access log at --access-log-sample-rate 0.01', flags: ['--access-log', LOG_FILE, '--access-log-sample-rate', '0.01'] },
];

/** Every log scenario is divided by this one. */
export const LOG_BASELINE: LogScenarioName = 'log-off';

export function isLogScenarioName(name: string): name is LogScenarioName {
  return logScenarios.some((s) => s.name === name);
}

/** `log` names them all; the baseline always runs. */
export function logScenariosByNames(names: readonly string[]): LogScenario[] {
  const want = new Set<string>(names.flatMap((n) => (n === 'log' ? logScenarios.map((s) => s.name) : isLogScenarioName(n) ? [n] : [])));
  if (want.size > 0) want.add(LOG_BASELINE);
  return logScenarios.filter((s) => want.has(s.name));
}

/** The scenario's flags with its log file in place. */
export function logFlags(s: LogScenario, file: string): string[] {
  return s.flags.map((f) => (f === LOG_FILE ? file : f));
}
