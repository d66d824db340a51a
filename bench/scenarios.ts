// The scenarios every contender runs, in table order.
import type { Scenario, ScenarioName } from './types.ts';

export const SMALL_BODY = 'hello from upstream\n';
export const LARGE_BODY_BYTES = 64 * 1024;
export const UPLOAD_BYTES = 1024 * 1024;
/** the request header each split of the split scenario sets (as Knative sets the revision name) */
export const SPLIT_HEADER = 'knative-serving-revision';

export const scenarios: readonly Scenario[] = [
  { name: 'small', description: 'small GET, keep-alive', path: '/small', method: 'GET', bodyBytes: 0, h2: false, split: false },
  { name: '64k', description: '64 KB response', path: '/64k', method: 'GET', bodyBytes: 0, h2: false, split: false },
  { name: 'upload', description: '1 MB upload (POST)', path: '/upload', method: 'POST', bodyBytes: UPLOAD_BYTES, h2: false, split: false },
  { name: 'h2', description: 'HTTP/2 cleartext small GET', path: '/small', method: 'GET', bodyBytes: 0, h2: true, split: false },
  { name: 'split', description: '90/10 split with appendHeaders', path: '/small', method: 'GET', bodyBytes: 0, h2: false, split: true },
];

export function scenarioByName(name: string): Scenario {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`--scenarios: unknown scenario "${name}" (known: ${scenarios.map((x) => x.name).join(', ')})`);
  return s;
}

export function isScenarioName(name: string): name is ScenarioName {
  return scenarios.some((x) => x.name === name);
}
