// The suite's flags at their defaults (test/e2e_flags.go, test/e2e_constants.go) and
// helpers.ObjectNameForTest from knative.dev/pkg/test.
import { randomInt } from 'node:crypto';

export const ServingNamespace = 'serving-tests';
export const ServiceDomain = 'example.com';
export const ClusterSuffix = 'cluster.local';
/** What Sluice serves (`--ingress-class`'s default); the suite's --ingressClass. */
export const IngressClass = 'sluice.ingress.networking.knative.dev';
export const IngressClassAnnotationKey = 'networking.knative.dev/ingress.class';

/** The test's name without "Test", in kebab case, plus a random suffix: `basics-http2-kqzxtbwe`. */
export function objectNameForTest(testName: string): string {
  const prefix = testName
    .replace(/^Test/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += String.fromCharCode(97 + randomInt(26));
  return `${prefix.slice(0, 63 - 9).replace(/-+$/, '')}-${suffix}`;
}
