// Gateway API conformance (kubernetes-sigs/gateway-api v1.6.1 conformance/tests): HTTPRoute status: invalid references and parents.
// One sluice serves these tests in turn, as the Go suite's one cluster does.
import { runConformanceTests } from './support/conformance.ts';
import { HTTPRouteDisallowedKind } from './tests/httproute-disallowed-kind.ts';
import { HTTPRouteInvalidBackendRefUnknownKind } from './tests/httproute-invalid-backendref-unknown-kind.ts';
import { HTTPRouteInvalidCrossNamespaceBackendRef } from './tests/httproute-invalid-cross-namespace-backend-ref.ts';
import { HTTPRouteInvalidCrossNamespaceParentRef } from './tests/httproute-invalid-cross-namespace-parent-ref.ts';
import { HTTPRouteInvalidNonExistentBackendRef } from './tests/httproute-invalid-nonexistent-backendref.ts';
import { HTTPRouteInvalidParentRefNotMatchingListenerPort } from './tests/httproute-invalid-parentref-not-matching-listener-port.ts';
import { HTTPRouteInvalidParentRefNotMatchingSectionName } from './tests/httproute-invalid-parentref-not-matching-section-name.ts';
import { HTTPRouteInvalidParentRefSectionNameNotMatchingPort } from './tests/httproute-invalid-parentref-section-name-not-matching-port.ts';
import { HTTPRouteInvalidReferenceGrant } from './tests/httproute-invalid-reference-grant.ts';
import { HTTPRouteReferenceGrant } from './tests/httproute-reference-grant.ts';
import { HTTPRoutePartiallyInvalidViaInvalidReferenceGrant } from './tests/httproute-partially-invalid-via-invalid-reference-grant.ts';
import { HTTPRouteObservedGenerationBump } from './tests/httproute-observed-generation-bump.ts';

runConformanceTests('gateway-api conformance: HTTPRoute status: invalid references and parents', 1, [
  HTTPRouteDisallowedKind,
  HTTPRouteInvalidBackendRefUnknownKind,
  HTTPRouteInvalidCrossNamespaceBackendRef,
  HTTPRouteInvalidCrossNamespaceParentRef,
  HTTPRouteInvalidNonExistentBackendRef,
  HTTPRouteInvalidParentRefNotMatchingListenerPort,
  HTTPRouteInvalidParentRefNotMatchingSectionName,
  HTTPRouteInvalidParentRefSectionNameNotMatchingPort,
  HTTPRouteInvalidReferenceGrant,
  HTTPRouteReferenceGrant,
  HTTPRoutePartiallyInvalidViaInvalidReferenceGrant,
  HTTPRouteObservedGenerationBump,
]);
