// conformance/utils/http/mirror.go: a mirrored request is found in the mirror backend's log. The
// echo backends here keep what they served (`seen`), which stands for "Echoing back request made
// to <path>" in a pod's log.
import { randomUUID } from 'node:crypto';
import type { ExpectedResponse } from './http.ts';
import { pollUntil } from './status.ts';
import type { ConformanceSuite } from './suite.ts';

export interface MirroredBackend {
  name: string;
  namespace: string;
  percent?: number;
}

const requestIDQueryParam = 'gateway-api-conformance-request-id';

function addQueryParam(raw: string, name: string, value: string): string {
  const u = new URL(raw, 'http://x');
  u.searchParams.set(name, value);
  u.searchParams.sort();
  return u.pathname + u.search;
}

/** AddRequestIDQueryParam: a fresh request id in the request's (and expected request's) query. */
export function addRequestIDQueryParam(er: ExpectedResponse): void {
  const id = randomUUID();
  const path = addQueryParam(er.request.path ?? '', requestIDQueryParam, id);
  if (er.expectedRequest) {
    er.expectedRequest.request.path = er.expectedRequest.request.path ? addQueryParam(er.expectedRequest.request.path, requestIDQueryParam, id) : path;
  }
  er.request.path = path;
}

/** ExpectMirroredRequest: returns the wait for `path` to reach every mirror backend (within RequestTimeout). */
export function expectMirroredRequest(s: ConformanceSuite, mirrorPods: readonly MirroredBackend[], path: string): () => Promise<void> {
  for (const [i, m] of mirrorPods.entries()) {
    if (!m.name) throw new Error(`Mirrored BackendRef[${i}].Name wasn't provided in the testcase, this test should only check http request mirror.`);
  }
  return async () => {
    await Promise.all(
      mirrorPods.map((m) =>
        pollUntil(`Couldn't find mirrored request in "${m.namespace}/${m.name}" logs`, s.timeouts.request, async () => {
          const pods = s.pods(`${m.namespace}/${m.name}`);
          const seen = pods.flatMap((p) => (p.kind === 'echo' ? p.backend.seen.map((r) => r.path) : []));
          return seen.includes(path) || `${path} not among the ${seen.length} requests it served (last: ${seen.slice(-3).join(', ')})`;
        }),
      ),
    );
  };
}
