// What this build of Sluice is and what it works with: `sluice version`, the library API and the
// User-Agent read it from here.
import { createRequire } from 'node:module';

/** src/version.ts and dist/version.js both sit one level below the package root. */
const pkg = createRequire(import.meta.url)('../package.json') as { version: string; engines?: { node?: string } };

/** Sluice's version: semver, 0.x while the configuration API may still change. */
export const SLUICE_VERSION: string = pkg.version;

/** The Node versions package.json accepts; CI runs Node 20 and the current LTS (24). */
export const NODE_RANGE: string = pkg.engines?.node ?? '*';

/**
 * Knative Serving releases whose ingress contract Sluice implements: knative.dev/networking's
 * KIngress CRD and ingress conformance suite (ported in test/conformance/knative) are the same from
 * release-1.17 to release-1.23.
 */
export const KNATIVE_SERVING = { min: '1.17', max: '1.23' } as const;

/** The Gateway API release whose CRDs and conformance Sluice targets. */
export const GATEWAY_API = 'v1.6.1';

export interface VersionInfo {
  readonly sluice: string;
  readonly node: string;
  readonly nodeSupported: string;
  readonly knativeServing: string;
  readonly gatewayApi: string;
}

export function versionInfo(nodeVersion: string = process.version): VersionInfo {
  return {
    sluice: SLUICE_VERSION,
    node: nodeVersion,
    nodeSupported: NODE_RANGE,
    knativeServing: `v${KNATIVE_SERVING.min} - v${KNATIVE_SERVING.max}`,
    gatewayApi: GATEWAY_API,
  };
}

/** `sluice version`'s text: one `name: value` line each. */
export function formatVersion(info: VersionInfo): string {
  return [
    `sluice: ${info.sluice}`,
    `node: ${info.node} (supported: ${info.nodeSupported})`,
    `knative serving: ${info.knativeServing}`,
    `gateway api: ${info.gatewayApi}`,
  ].join('\n') + '\n';
}
