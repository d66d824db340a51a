// Gateway API conformance (v1.6.1): core HTTPRoute tests, one sluice serving them in turn.
import { runConformanceTests } from './support/conformance.ts';
import { HTTPRouteSimpleSameNamespace } from './tests/httproute-simple-same-namespace.ts';

runConformanceTests('gateway-api conformance: HTTPRoute core', 0, [HTTPRouteSimpleSameNamespace]);
