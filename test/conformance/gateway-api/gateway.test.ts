// Gateway API conformance (kubernetes-sigs/gateway-api v1.6.1 conformance/tests): Gateway and GatewayClass.
// One sluice serves these tests in turn, as the Go suite's one cluster does.
import { runConformanceTests } from './support/conformance.ts';
import { GatewayClassObservedGenerationBump } from './tests/gatewayclass-observed-generation-bump.ts';
import { GatewayObservedGenerationBump } from './tests/gateway-observed-generation-bump.ts';
import { GatewayWithAttachedRoutes, GatewayWithAttachedRoutesWithPort8080 } from './tests/gateway-with-attached-routes.ts';
import { GatewayInvalidRouteKind } from './tests/gateway-invalid-route-kind.ts';
import { GatewaySecretInvalidReferenceGrant } from './tests/gateway-secret-invalid-reference-grant.ts';
import { GatewaySecretMissingReferenceGrant } from './tests/gateway-secret-missing-reference-grant.ts';
import { GatewaySecretReferenceGrantAllInNamespace } from './tests/gateway-secret-reference-grant-all-in-namespace.ts';
import { GatewaySecretReferenceGrantSpecific } from './tests/gateway-secret-reference-grant-specific.ts';
import { GatewayHTTPListenerIsolation } from './tests/gateway-http-listener-isolation.ts';
import { GatewayInvalidParametersRef } from './tests/gateway-invalid-parameters-ref.ts';
import { GatewayModifyListeners } from './tests/gateway-modify-listeners.ts';
import { GatewayInvalidTLSConfiguration } from './tests/gateway-invalid-tls-configuration.ts';
import { GatewayListenerUnsupportedProtocol } from './tests/gateway-invalid-listeners-unsupported-protocol.ts';
import { GatewayFrontendClientCertificateValidation } from './tests/gateway-with-clientcertificate-validation.ts';
import { GatewayInvalidFrontendClientCertificateValidation } from './tests/gateway-with-invalid-clientcertificate-validation.ts';
import { GatewayFrontendInvalidDefaultClientCertificateValidation } from './tests/gateway-invalid-default-frontend-client-certificate-validation.ts';
import { GatewayFrontendClientCertificateValidationInsecureFallback } from './tests/gateway-with-clientcertificate-validation-insecure-fallback.ts';

runConformanceTests('gateway-api conformance: Gateway and GatewayClass', 3, [
  GatewayClassObservedGenerationBump,
  GatewayObservedGenerationBump,
  GatewayWithAttachedRoutes, GatewayWithAttachedRoutesWithPort8080,
  GatewayInvalidRouteKind,
  GatewaySecretInvalidReferenceGrant,
  GatewaySecretMissingReferenceGrant,
  GatewaySecretReferenceGrantAllInNamespace,
  GatewaySecretReferenceGrantSpecific,
  GatewayHTTPListenerIsolation,
  GatewayInvalidParametersRef,
  GatewayModifyListeners,
  GatewayInvalidTLSConfiguration,
  GatewayListenerUnsupportedProtocol,
  GatewayFrontendClientCertificateValidation,
  GatewayInvalidFrontendClientCertificateValidation,
  GatewayFrontendInvalidDefaultClientCertificateValidation,
  GatewayFrontendClientCertificateValidationInsecureFallback,
]);
