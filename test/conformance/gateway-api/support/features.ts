// The suite's feature names (sigs.k8s.io/gateway-api pkg/features, v1.6.1) and the set Sluice
// declares, as an implementation passes `--supported-features` to the Go suite. A test that
// needs a feature outside the set is skipped with the suite's own reason.

export type FeatureName =
  | 'Gateway'
  | 'GatewayPort8080'
  | 'GatewayStaticAddresses'
  | 'GatewayHTTPListenerIsolation'
  | 'GatewayInfrastructurePropagation'
  | 'GatewayAddressEmpty'
  | 'GatewayFrontendClientCertificateValidation'
  | 'GatewayHTTPSListenerDetectMisdirectedRequests'
  | 'GatewayFrontendClientCertificateValidationInsecureFallback'
  | 'ListenerSet'
  | 'ReferenceGrant'
  | 'HTTPRoute'
  | 'HTTPRouteDestinationPortMatching'
  | 'HTTPRouteBackendRequestHeaderModification'
  | 'HTTPRouteQueryParamMatching'
  | 'HTTPRouteMethodMatching'
  | 'HTTPRouteResponseHeaderModification'
  | 'HTTPRoutePortRedirect'
  | 'HTTPRouteSchemeRedirect'
  | 'HTTPRoutePathRedirect'
  | 'HTTPRouteHostRewrite'
  | 'HTTPRoutePathRewrite'
  | 'HTTPRouteRequestMirror'
  | 'HTTPRouteRequestMultipleMirrors'
  | 'HTTPRouteRequestPercentageMirror'
  | 'HTTPRouteRequestTimeout'
  | 'HTTPRouteBackendTimeout'
  | 'HTTPRouteParentRefPort'
  | 'HTTPRouteBackendProtocolH2C'
  | 'HTTPRouteBackendProtocolWebSocket'
  | 'HTTPRouteNamedRouteRule'
  | 'HTTPRouteCORS'
  | 'HTTPRoute303RedirectStatusCode'
  | 'HTTPRoute307RedirectStatusCode'
  | 'HTTPRoute308RedirectStatusCode'
  | 'HTTPRouteRetry'
  | 'HTTPRouteRetryBackendTimeout'
  | 'HTTPRouteRetryConnectionError'
  | 'GRPCRoute'
  | 'GRPCRouteNamedRouteRule'
  | 'BackendTLSPolicy'
  | 'TLSRoute';

/** What Sluice declares (issue 13's scope). */
export const SupportedFeatures: ReadonlySet<FeatureName> = new Set<FeatureName>([
  'Gateway',
  'GatewayPort8080',
  'GatewayHTTPListenerIsolation',
  'GatewayFrontendClientCertificateValidation',
  'GatewayFrontendClientCertificateValidationInsecureFallback',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  'ReferenceGrant',
  'HTTPRoute',
  'HTTPRouteDestinationPortMatching',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteMethodMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRoutePortRedirect',
  'HTTPRouteSchemeRedirect',
  'HTTPRoutePathRedirect',
  'HTTPRouteHostRewrite',
  'HTTPRoutePathRewrite',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteBackendTimeout',
  'HTTPRouteParentRefPort',
  'HTTPRouteBackendProtocolH2C',
  'HTTPRouteBackendProtocolWebSocket',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteCORS',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteRetry',
  'GRPCRoute',
  'GRPCRouteNamedRouteRule',
]);

/** The first feature of `needed` Sluice does not declare, if any. */
export function unsupportedFeature(needed: readonly FeatureName[]): FeatureName | undefined {
  return needed.find((f) => !SupportedFeatures.has(f));
}
