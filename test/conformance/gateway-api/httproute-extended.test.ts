// Gateway API conformance (kubernetes-sigs/gateway-api v1.6.1 conformance/tests): HTTPRoute extended: filters, redirects, rewrites, timeouts, protocols.
// One sluice serves these tests in turn, as the Go suite's one cluster does.
import { runConformanceTests } from './support/conformance.ts';
import { HTTPRouteMethodMatching } from './tests/httproute-method-matching.ts';
import { HTTPRouteQueryParamMatching } from './tests/httproute-query-param-matching.ts';
import { HTTPRouteNamedRule } from './tests/httproute-named-rule.ts';
import { HTTPRouteBackendRequestHeaderModifier } from './tests/httproute-request-header-modifier.ts';
import { HTTPRouteResponseHeaderModifier } from './tests/httproute-response-header-modifier.ts';
import { HTTPRouteRewriteHost } from './tests/httproute-rewrite-host.ts';
import { HTTPRouteRewritePath } from './tests/httproute-rewrite-path.ts';
import { HTTPRouteRedirectHostAndStatus } from './tests/httproute-redirect-host-and-status.ts';
import { HTTPRouteRedirectPath } from './tests/httproute-redirect-path.ts';
import { HTTPRouteRedirectPort } from './tests/httproute-redirect-port.ts';
import { HTTPRouteRedirectScheme } from './tests/httproute-redirect-scheme.ts';
import { HTTPRouteRedirectPortAndScheme } from './tests/httproute-redirect-port-and-scheme.ts';
import { HTTPRoute303Redirect } from './tests/httproute-303-redirect.ts';
import { HTTPRoute307Redirect } from './tests/httproute-307-redirect.ts';
import { HTTPRoute308Redirect } from './tests/httproute-308-redirect.ts';
import { HTTPRouteTimeoutRequest } from './tests/httproute-timeout-request.ts';
import { HTTPRouteTimeoutBackendRequest } from './tests/httproute-timeout-backend-request.ts';
import { HTTPRouteBackendProtocolH2C } from './tests/httproute-backend-protocol-h2c.ts';
import { HTTPRouteBackendProtocolWebSocket } from './tests/httproute-backend-protocol-websocket.ts';
import { HTTPRouteRequestMirror } from './tests/httproute-request-mirror.ts';
import { HTTPRouteRequestMultipleMirrors } from './tests/httproute-request-multiple-mirrors.ts';
import { HTTPRouteHTTPSListener } from './tests/httproute-https-listener.ts';
import { HTTPRouteHTTPSListenerDetectMisdirectedRequests } from './tests/httproute-https-listener-detect-misdirected-requests.ts';

runConformanceTests('gateway-api conformance: HTTPRoute extended: filters, redirects, rewrites, timeouts, protocols', 2, [
  HTTPRouteMethodMatching,
  HTTPRouteQueryParamMatching,
  HTTPRouteNamedRule,
  HTTPRouteBackendRequestHeaderModifier,
  HTTPRouteResponseHeaderModifier,
  HTTPRouteRewriteHost,
  HTTPRouteRewritePath,
  HTTPRouteRedirectHostAndStatus,
  HTTPRouteRedirectPath,
  HTTPRouteRedirectPort,
  HTTPRouteRedirectScheme,
  HTTPRouteRedirectPortAndScheme,
  HTTPRoute303Redirect,
  HTTPRoute307Redirect,
  HTTPRoute308Redirect,
  HTTPRouteTimeoutRequest,
  HTTPRouteTimeoutBackendRequest,
  HTTPRouteBackendProtocolH2C,
  HTTPRouteBackendProtocolWebSocket,
  HTTPRouteRequestMirror,
  HTTPRouteRequestMultipleMirrors,
  HTTPRouteHTTPSListener,
  HTTPRouteHTTPSListenerDetectMisdirectedRequests,
]);
