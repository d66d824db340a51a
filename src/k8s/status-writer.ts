// Writes Knative ingress status to the `status` subresource: the translator's conditions, with
// LoadBalancerReady decided by the prober, `observedGeneration`, and the load balancer addresses.
// It writes only when something other than timestamps changed, keeps `lastTransitionTime` of conditions
// whose status did not change, and retries a `409 Conflict` on a freshly read object.
import type { Condition, IngressStatus, KIngress } from '../api/types.ts';
import type { IngressStatusReport } from '../snapshot/types.ts';
import { translatorConditionStands, withLoadBalancerCondition } from '../translate/status.ts';
import { paths, type KubeClient } from './client.ts';
import { StatusReplacer, type WriteResult } from './status-replace.ts';
import type { LoadBalancerCheck } from './prober.ts';

const LB_READY = 'LoadBalancerReady';

/**
 * The status to write: the translator's conditions with LoadBalancerReady decided by the prober (Ready
 * recomputed from it by the translator's own rule), transition times kept for conditions whose status
 * did not change. observedGeneration is the generation the status describes: the one translated and
 * served when NetworkConfigured is True; the live one otherwise, because a rejection is always about the
 * latest document (the store keeps serving the last good version, whose generation is in the report).
 * A hash not probed yet ('unchecked', as on a new leader) or whose probes got no answer ('unanswered')
 * never downgrades a LoadBalancerReady True written for the same generation: only a replica that
 * answered without the hash does.
 */
export function desiredStatus(report: IngressStatusReport, lbCheck: LoadBalancerCheck, current: IngressStatus | undefined, now: Date, liveGeneration: number | undefined): IngressStatus {
  const configured = report.conditions.some((c) => c.type === 'NetworkConfigured' && c.status === 'True');
  const observedGeneration = configured ? (report.generation ?? liveGeneration) : (liveGeneration ?? report.generation);
  const wasReady = current?.observedGeneration === observedGeneration && current?.conditions?.some((c) => c.type === LB_READY && c.status === 'True') === true;
  // Nothing learnt (not probed yet, or no answer) keeps what was written for this generation.
  const lbReady = lbCheck === 'unchecked' || lbCheck === 'unanswered' ? wasReady : lbCheck;
  const fromTranslator = report.conditions.find((c) => c.type === LB_READY);
  // The translator cannot know whether the replicas serve the config; the prober does. A False from the
  // translator (something it found wrong), or a newer version held back for endpoints, stands.
  const lb: Condition =
    fromTranslator !== undefined && translatorConditionStands(fromTranslator)
      ? fromTranslator
      : lbReady
        ? { type: LB_READY, status: 'True' }
        : { type: LB_READY, status: 'Unknown', reason: 'Uninitialized', message: 'Waiting for load balancer to be ready' };
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const previous = new Map((current?.conditions ?? []).map((c) => [c.type, c] as const));
  const conditions = withLoadBalancerCondition(report, lb).conditions.map((c): Condition => {
    const before = previous.get(c.type);
    const out: Condition = { type: c.type, status: c.status, lastTransitionTime: before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : stamp };
    if (c.severity) out.severity = c.severity;
    if (c.status !== 'True' && c.reason) out.reason = c.reason;
    if (c.status !== 'True' && c.message) out.message = c.message;
    return out;
  });
  const status: IngressStatus = { observedGeneration, conditions };
  // As Knative does, load balancer addresses are published once the load balancer is ready.
  if (lb.status === 'True') {
    status.publicLoadBalancer = report.publicLoadBalancer;
    status.privateLoadBalancer = report.privateLoadBalancer;
  }
  return status;
}

/** Equal apart from lastTransitionTime and condition order. */
export function sameStatus(a: IngressStatus | undefined, b: IngressStatus | undefined): boolean {
  const norm = (s: IngressStatus | undefined): string => {
    const conditions = [...(s?.conditions ?? [])]
      .map(({ lastTransitionTime: _t, ...c }) => ({ type: c.type, status: c.status, severity: c.severity || undefined, reason: c.reason || undefined, message: c.message || undefined }))
      .sort((x, y) => x.type.localeCompare(y.type));
    return JSON.stringify({ g: s?.observedGeneration, conditions, p: s?.publicLoadBalancer ?? null, q: s?.privateLoadBalancer ?? null });
  };
  return norm(a) === norm(b);
}

export type { WriteResult } from './status-replace.ts';

export interface StatusWriterOptions {
  /** the live object as last seen by the watch (saves a read); a 409 triggers a fresh GET */
  readonly lookup?: (namespace: string, name: string) => KIngress | undefined;
  readonly now?: () => Date;
  /** attempts on 409 Conflict (default 5) */
  readonly maxAttempts?: number;
}

export class StatusWriter {
  readonly #opts: StatusWriterOptions;
  readonly #replacer: StatusReplacer<KIngress, IngressStatus>;

  constructor(client: KubeClient, opts: StatusWriterOptions = {}) {
    this.#opts = opts;
    this.#replacer = new StatusReplacer(client, opts.maxAttempts);
  }

  /** writes so far, for tests and metrics */
  get writes(): number {
    return this.#replacer.writes;
  }

  /** writes remembered until the watch brings them back (for tests) */
  get remembered(): number {
    return this.#replacer.remembered;
  }

  /** The watch holds `namespace/name` at `cachedVersion` now: what our last write left is no longer needed. */
  caughtUp(namespace: string, name: string, cachedVersion: string | undefined): void {
    this.#replacer.caughtUp(`${namespace}/${name}`, cachedVersion);
  }

  async write(report: IngressStatusReport, lbCheck: LoadBalancerCheck): Promise<WriteResult> {
    const now = this.#opts.now ?? (() => new Date());
    return this.#replacer.write(
      `${report.namespace}/${report.name}`,
      paths.ingresses(report.namespace, report.name),
      this.#opts.lookup?.(report.namespace, report.name),
      (current) => desiredStatus(report, lbCheck, current.status, now(), current.metadata.generation),
      (status, current) => sameStatus(status, current.status),
    );
  }
}
