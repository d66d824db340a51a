// Knative status of one ingress. The condition set is Knative's "living" set for Ingress
// (knative.dev/networking ingress_lifecycle.go): NetworkConfigured and LoadBalancerReady, with Ready
// following the worst of them: the first False one, else the first Unknown one, else True, taking
// its reason and message (knative.dev/pkg apis/condition_set.go). Conditions are sorted by type, as
// knative.dev/pkg keeps them. No lastTransitionTime: the translator has no clock; the status writer
// sets it when a condition changes.
import type { Condition, LoadBalancerStatus } from '../api/types.ts';
import type { IngressStatusReport } from '../snapshot/types.ts';
import type { TranslateOptions } from './options.ts';
import type { TranslatedIngress } from './ingress.ts';
import type { Problem } from './problems.ts';

export const NETWORK_CONFIGURED = 'NetworkConfigured';
export const LOAD_BALANCER_READY = 'LoadBalancerReady';
export const READY = 'Ready';
/** LoadBalancerReady's reason while the latest version of an ingress waits for ready endpoints */
export const ENDPOINTS_NOT_READY = 'EndpointsNotReady';

const DEPENDENTS = [NETWORK_CONFIGURED, LOAD_BALANCER_READY];

export interface StatusInput {
  readonly namespace: string;
  readonly name: string;
  readonly hash: string;
  readonly generation?: number;
  readonly problems: readonly Problem[];
  /** LoadBalancerReady as known to the caller; the translator passes True once an ingress is served */
  readonly loadBalancer: Condition;
}

type LoadBalancers = { readonly publicLoadBalancer: LoadBalancerStatus; readonly privateLoadBalancer: LoadBalancerStatus };

// Every status shares the load balancer parts of its options, and every healthy status the same
// conditions (frozen: statuses are shared values): at 10,000 ingresses that is 100,000 fewer objects.
const loadBalancers = new WeakMap<TranslateOptions, LoadBalancers>();
const ALL_TRUE: readonly Condition[] = Object.freeze(
  withReady([{ type: NETWORK_CONFIGURED, status: 'True' }, { type: LOAD_BALANCER_READY, status: 'True' }]).map((c) => Object.freeze(c)),
);

export function loadBalancersFor(options: TranslateOptions): LoadBalancers {
  let lb = loadBalancers.get(options);
  if (lb === undefined) {
    // Frozen although the API type is mutable: statuses are shared values (the translator freezes them all).
    const of = (domainInternal: string): LoadBalancerStatus => Object.freeze({ ingress: Object.freeze([Object.freeze({ domainInternal })]) as LoadBalancerStatus['ingress'] });
    lb = Object.freeze({ publicLoadBalancer: of(options.publicDomain), privateLoadBalancer: of(options.privateDomain) });
    loadBalancers.set(options, lb);
  }
  return lb;
}

export function statusReport(input: StatusInput, options: TranslateOptions): IngressStatusReport {
  const healthy = input.problems.length === 0 && input.loadBalancer.status === 'True' && input.loadBalancer.reason === undefined && input.loadBalancer.message === undefined;
  const conditions = healthy ? (ALL_TRUE as Condition[]) : withReady([networkConfigured(input.problems), input.loadBalancer]);
  const report: { -readonly [K in keyof IngressStatusReport]: IngressStatusReport[K] } = {
    namespace: input.namespace,
    name: input.name,
    hash: input.hash,
    conditions,
    ...loadBalancersFor(options),
  };
  // Set on the object, not added by `{ ...report, generation }`: V8 gives each clone of a spread a map
  // that freezing cannot share, so 10,000 frozen reports held 10,000 maps.
  if (input.generation !== undefined) report.generation = input.generation;
  return report;
}

/** NetworkConfigured: True, or False with the first problem's reason and every problem's message. */
export function networkConfigured(problems: readonly Problem[]): Condition {
  if (problems.length === 0) return { type: NETWORK_CONFIGURED, status: 'True' };
  return {
    type: NETWORK_CONFIGURED,
    status: 'False',
    reason: problems[0].reason,
    message: problems.map((p) => p.message).join('; '),
  };
}

/**
 * Replaces LoadBalancerReady (e.g. with the result of probing the gateway replicas, in Kubernetes
 * mode) and recomputes Ready from it.
 */
export function withLoadBalancerCondition(report: IngressStatusReport, loadBalancer: Condition): IngressStatusReport {
  const others = report.conditions.filter((c) => c.type !== LOAD_BALANCER_READY && c.type !== READY);
  return { ...report, conditions: withReady([...others, { ...loadBalancer, type: LOAD_BALANCER_READY }]) };
}

/** Adds Ready, computed from the dependent conditions, and sorts by type. */
export function withReady(dependents: readonly Condition[]): Condition[] {
  const of = (type: string) => dependents.find((c) => c.type === type);
  const present = DEPENDENTS.map(of).filter((c): c is Condition => c !== undefined);
  const worst = present.find((c) => c.status === 'False') ?? present.find((c) => c.status === 'Unknown');
  const ready: Condition = worst
    ? { type: READY, status: worst.status, ...reasonOf(worst) }
    : { type: READY, status: 'True' };
  return [...dependents.filter((c) => c.type !== READY), ready].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

function reasonOf(c: Condition): Pick<Condition, 'reason' | 'message'> {
  const out: Pick<Condition, 'reason' | 'message'> = {};
  if (c.reason !== undefined) out.reason = c.reason;
  if (c.message !== undefined) out.message = c.message;
  return out;
}

/**
 * LoadBalancerReady while the latest version of an ingress waits for endpoints: Unknown, as
 * Knative's MarkLoadBalancerNotReady says of a load balancer not ready yet, with why and what is
 * served meanwhile (`served`: the previous version, or `latest` itself when there is none to keep).
 */
export function endpointsNotReady(latest: TranslatedIngress, served: TranslatedIngress): Condition {
  const services = latest.waiting.map((s) => `"${s}"`).join(', ');
  const meanwhile = served === latest ? 'requests to it get 503 until then' : `the previous version ${describeVersion(served)} is served until then`;
  return {
    type: LOAD_BALANCER_READY,
    status: 'Unknown',
    reason: ENDPOINTS_NOT_READY,
    message: `version ${describeVersion(latest)} waits for ready endpoints of Service ${services}; ${meanwhile}`,
  };
}

function describeVersion(t: TranslatedIngress): string {
  return t.generation === undefined ? `with hash ${t.hash.slice(0, 12)}` : `${t.generation} (hash ${t.hash.slice(0, 12)})`;
}

/**
 * Whether a LoadBalancerReady from the translator stands over what probing the gateway replicas
 * finds (Kubernetes mode): a failure it found, or a newer version held back for endpoints, which
 * replicas serving the previous version would otherwise pass.
 */
export function translatorConditionStands(c: Condition | undefined): boolean {
  return c !== undefined && (c.status === 'False' || c.reason === ENDPOINTS_NOT_READY);
}
