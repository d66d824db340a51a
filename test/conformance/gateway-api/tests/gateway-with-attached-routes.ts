// conformance/tests/gateway-with-attached-routes.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { httpRouteMustHaveCondition, gatewayStatusMustHaveListeners, GatewayGroup, type ExpectedCondition } from '../support/status.ts';

export const GatewayWithAttachedRoutes: ConformanceTest = {
  shortName: 'GatewayWithAttachedRoutes',
  description: 'A Gateway in the gateway-conformance-infra namespace should be attached to routes.',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/gateway-with-attached-routes.yaml'],
  async test(t, s) {
    await t.test("Gateway listener should have one valid http routes attached", async (_t) => {
      const gwNN = {name: "gateway-with-one-attached-route", namespace: InfrastructureNamespace};
      const listeners = [{
        name: "http",
        supportedKinds: [{
          group: GatewayGroup,
          kind:  "HTTPRoute",
        }],
        conditions: [
          {
            type:   'Accepted',
            status: 'True',
            reason: "", // any reason;
          },
          {
            type:   'ResolvedRefs',
            status: 'True',
            reason: "", // any reason;
          },
        ],
        attachedRoutes: 1,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });

    await t.test("Gateway listener should have two valid http routes attached", async (_t) => {
      const gwNN = {name: "gateway-with-two-attached-routes", namespace: InfrastructureNamespace};
      const listeners = [{
        name: "http",
        supportedKinds: [{
          group: GatewayGroup,
          kind:  "HTTPRoute",
        }],
        conditions: [
          {
            type:   'Accepted',
            status: 'True',
            reason: "", // any reason;
          },
          {
            type:   'ResolvedRefs',
            status: 'True',
            reason: "", // any reason;
          },
        ],
        attachedRoutes: 2,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);

      const hrouteNA = {name: "http-route-not-accepted", namespace: InfrastructureNamespace};
      const notaccepted = <ExpectedCondition>{
        type:   'Accepted',
        status: 'False',
        reason: 'NoMatchingListenerHostname',
      }

      await httpRouteMustHaveCondition(s, hrouteNA, gwNN, notaccepted);
    });

    await t.test("Gateway listener should have AttachedRoutes set even when Gateway has unresolved refs", async (_t) => {
      const gwNN = {name: "unresolved-gateway-with-one-attached-unresolved-route", namespace: InfrastructureNamespace};
      const listeners = [{
        name: "tls",
        supportedKinds: [{
          group: GatewayGroup,
          kind:  "HTTPRoute",
        }],
        conditions: [
          {
            type:   'Programmed',
            status: 'False',
            reason: "", // any reason;
          },
          {
            type:   'ResolvedRefs',
            status: 'False',
            reason: "", // any reason;
          },
        ],
        attachedRoutes: 1,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);

      const hrouteNN = {name: "http-route-4", namespace: InfrastructureNamespace};
      const unresolved = <ExpectedCondition>{
        type:   'ResolvedRefs',
        status: 'False',
        reason: "", // any reason;
      }

      await httpRouteMustHaveCondition(s, hrouteNN, gwNN, unresolved);
    });
  },
};
export const GatewayWithAttachedRoutesWithPort8080: ConformanceTest = {
  shortName: 'GatewayWithAttachedRoutesWithPort8080',
  description: 'A Gateway in the gateway-conformance-infra namespace should be attached to routes.',
  features: ['Gateway', 'GatewayPort8080', 'HTTPRoute'],
  manifests: ['tests/gateway-with-attached-routes-with-port-8080.yaml'],
  async test(t, s) {
    await t.test("Gateway listener should have attached route by specifying the sectionName", async (_t) => {
      const gwNN = {name: "gateway-with-two-listeners-and-one-attached-route", namespace: InfrastructureNamespace};
      const listeners = [
        {
          name: "http-unattached",
          supportedKinds: [{
            group: GatewayGroup,
            kind:  "HTTPRoute",
          }],
          conditions: [
            {
              type:   'Accepted',
              status: 'True',
              reason: "", // any reason;
            },
            {
              type:   'ResolvedRefs',
              status: 'True',
              reason: "", // any reason;
            },
          ],
          attachedRoutes: 0,
        },
        {
          name: "http",
          supportedKinds: [{
            group: GatewayGroup,
            kind:  "HTTPRoute",
          }],
          conditions: [
            {
              type:   'Accepted',
              status: 'True',
              reason: "", // any reason;
            },
            {
              type:   'ResolvedRefs',
              status: 'True',
              reason: "", // any reason;
            },
          ],
          attachedRoutes: 1,
        },
      ]

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });
  },
};
