// conformance/tests/gateway-invalid-listeners-unsupported-protocol.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { GatewayGroup, gatewayMustHaveCondition, gatewayMustHaveLatestConditions, gatewayStatusMustHaveListeners } from '../support/status.ts';

export const GatewayListenerUnsupportedProtocol: ConformanceTest = {
  shortName: 'GatewayListenerUnsupportedProtocol',
  description:
    'A Gateway should set the Accepted condition to False with reason UnsupportedProtocol on listeners whose protocol is not supported. The Gateway itself should only be Accepted if at least one of its listeners is accepted.',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-listeners-unsupported-protocol.yaml'],
  async test(t, s) {
    await t.test('Gateway with no accepted listeners should not be accepted and the listener should have the Accepted condition set to False with reason UnsupportedProtocol', async () => {
      const gwNN = { name: 'gateway-only-unsupported-protocols', namespace: InfrastructureNamespace };

      await gatewayMustHaveLatestConditions(s, gwNN);
      await gatewayMustHaveCondition(s, gwNN, { type: 'Accepted', status: 'False', reason: 'ListenersNotValid' });

      await gatewayStatusMustHaveListeners(s, gwNN, [
        {
          name: 'invalid',
          supportedKinds: [],
          conditions: [{ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' }],
          attachedRoutes: 0,
        },
      ]);
    });
    await t.test('Gateway with at least one accepted listeners should be accepted and the listeners should have the Accepted condition set accordingly', async () => {
      const gwNN = { name: 'gateway-supported-and-unsupported-protocols', namespace: InfrastructureNamespace };

      await gatewayMustHaveLatestConditions(s, gwNN);
      await gatewayMustHaveCondition(s, gwNN, { type: 'Accepted', status: 'True', reason: 'ListenersNotValid' });

      await gatewayStatusMustHaveListeners(s, gwNN, [
        {
          name: 'http',
          supportedKinds: [{ group: GatewayGroup, kind: 'HTTPRoute' }],
          conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
          attachedRoutes: 0,
        },
        {
          name: 'invalid',
          supportedKinds: [],
          conditions: [{ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' }],
          attachedRoutes: 0,
        },
      ]);
    });
  },
};
