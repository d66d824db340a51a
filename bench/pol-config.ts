// The policy scenarios (a route with a traffic policy against the same route without it, issue 15's
// "policies cost a measured, reported amount") and the file-mode config that serves them all from one
// `sluice serve`: one Knative Ingress per scenario, each naming its TrafficPolicy, all to one backend.
// A policy this build does not accept (JWT and retries land from other branches) is left out and its
// scenario skipped with the validation error as the reason.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { validateDocument } from '../src/api/validate.ts';
import { backend, ingress, toYaml } from '../test/support/config.ts';

export type PolScenarioName = 'pol-plain' | 'pol-retries' | 'pol-ratelimit' | 'pol-ext-authz' | 'pol-jwt';

export interface PolScenario {
  readonly name: PolScenarioName;
  readonly description: string;
  /** the Host its ingress serves */
  readonly host: string;
}

export const polScenarios: readonly PolScenario[] = [
  { name: 'pol-plain', description: 'GET / on a route without policies', host: 'plain.pol.example.com' },
  { name: 'pol-retries', description: 'the same route with retries configured (2 attempts, no failures)', host: 'retries.pol.example.com' },
  { name: 'pol-ratelimit', description: 'the same route with a local rate limit (1e9/s per client, never hit)', host: 'ratelimit.pol.example.com' },
  { name: 'pol-ext-authz', description: 'the same route with gRPC ext_authz (an allow-all server in the bench)', host: 'ext-authz.pol.example.com' },
  { name: 'pol-jwt', description: 'the same route with JWT authentication (ES256, inline JWKS, a valid token)', host: 'jwt.pol.example.com' },
];

/** Every policy scenario is divided by this one. */
export const POL_BASELINE: PolScenarioName = 'pol-plain';

export function isPolScenarioName(name: string): name is PolScenarioName {
  return polScenarios.some((s) => s.name === name);
}

/** `pol` names them all; the baseline always runs. */
export function polScenariosByNames(names: readonly string[]): PolScenario[] {
  const want = new Set<string>(names.flatMap((n) => (n === 'pol' ? polScenarios.map((s) => s.name) : isPolScenarioName(n) ? [n] : [])));
  if (want.size > 0) want.add(POL_BASELINE);
  return polScenarios.filter((s) => want.has(s.name));
}

export const POL_UPSTREAMS_PREFIX = 'POLUPSTREAMS ';

/** Where bench/pol-upstreams.ts listens. */
export interface PolUpstreamAddresses {
  readonly backendPort: number;
  /** the allow-all ext_authz gRPC server, host:port */
  readonly authz: string;
}

/** A token the JWT scenario sends, and the key set that verifies it. */
export interface JwtMaterial {
  readonly token: string;
  readonly jwks: { keys: object[] };
}

const ISSUER = 'https://issuer.bench.sluice.dev';
const AUDIENCE = 'bench';

/** A fresh ES256 key, its public JWKS and a token valid for a day. */
export async function jwtMaterial(): Promise<JwtMaterial> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const token = await new SignJWT({ sub: 'bench-user' }).setProtectedHeader({ alg: 'ES256', kid: 'bench' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('1d').sign(privateKey);
  return { token, jwks: { keys: [jwk] } };
}

/** Each scenario's TrafficPolicy spec (none for the baseline). */
export function policySpecs(a: PolUpstreamAddresses, jwt: JwtMaterial): Partial<Record<PolScenarioName, Record<string, unknown>>> {
  return {
    // TrafficPolicy spec.retry as the retries work defines it; attempts without failures cost only the bookkeeping.
    'pol-retries': { retry: { attempts: 2, retryOn: ['connect-failure', 'reset'] } },
    'pol-ratelimit': { rateLimit: { requests: 1_000_000_000, unit: 'second', key: 'client' } },
    'pol-ext-authz': { extAuthz: { grpc: { address: a.authz }, timeout: '1s' } },
    // TrafficPolicy spec.jwt as the JWT work defines it (Authorization: Bearer by default).
    'pol-jwt': { jwt: { required: true, providers: [{ name: 'bench', issuer: ISSUER, audiences: [AUDIENCE], localJwks: jwt.jwks, claimsToHeaders: [{ claim: 'sub', header: 'x-user' }] }] } },
  };
}

/** The request headers of a scenario besides its Host. */
export function scenarioHeaders(s: PolScenario, jwt: JwtMaterial): Record<string, string> {
  return s.name === 'pol-jwt' ? { authorization: `Bearer ${jwt.token}` } : {};
}

const policyName = (s: PolScenarioName): string => s;

function policyDoc(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name, namespace: 'default' }, spec };
}

export interface PolConfig {
  readonly yaml: string;
  /** scenarios whose policy this build rejects, with why */
  readonly unsupported: ReadonlyMap<PolScenarioName, string>;
}

/** The backend, the ingresses and the policies this build accepts, in one YAML file. */
export function polConfig(scenarios: readonly PolScenario[], a: PolUpstreamAddresses, jwt: JwtMaterial): PolConfig {
  const specs = policySpecs(a, jwt);
  const unsupported = new Map<PolScenarioName, string>();
  const docs: object[] = [...backend('pol-backend', [{ ip: '127.0.0.1', port: a.backendPort }])];
  for (const s of scenarios) {
    const spec = specs[s.name];
    let annotations: Record<string, string> | undefined;
    if (spec !== undefined) {
      const doc = policyDoc(policyName(s.name), spec);
      const checked = validateDocument(doc, { file: 'policies.yaml', line: 1 });
      if (checked.kind === 'rejected') {
        unsupported.set(s.name, `this build rejects its TrafficPolicy: ${checked.rejection.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
        continue;
      }
      docs.push(doc);
      annotations = { 'sluice.dev/traffic-policy': policyName(s.name) };
    }
    docs.push(ingress(s.name, [{ hosts: [s.host], paths: [{ splits: [{ service: 'pol-backend' }] }] }], annotations === undefined ? {} : { annotations }));
  }
  return { yaml: toYaml(docs), unsupported };
}
