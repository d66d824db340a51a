// Gateway API conformance (kubernetes-sigs/gateway-api v1.6.1 conformance/tests): HTTPRoute traffic: weights, service types, percentage mirrors, retries, CORS.
// One sluice serves these tests in turn, as the Go suite's one cluster does.
import { runConformanceTests } from './support/conformance.ts';
import { HTTPRouteWeight } from './tests/httproute-weight.ts';
import { HTTPRouteRequestHeaderModifierBackendWeights } from './tests/httproute-request-header-modifier-backend-weights.ts';
import { HTTPRouteServiceTypes } from './tests/httproute-service-types.ts';
import { HTTPRouteRequestPercentageMirror } from './tests/httproute-request-percentage-mirror.ts';
import { HTTPRouteRetry } from './tests/httproute-retry.ts';
import { HTTPRouteCORS } from './tests/httproute-cors.ts';

runConformanceTests('gateway-api conformance: HTTPRoute traffic: weights, service types, percentage mirrors, retries, CORS', 5, [
  HTTPRouteWeight,
  HTTPRouteRequestHeaderModifierBackendWeights,
  HTTPRouteServiceTypes,
  HTTPRouteRequestPercentageMirror,
  HTTPRouteRetry,
  HTTPRouteCORS,
]);
