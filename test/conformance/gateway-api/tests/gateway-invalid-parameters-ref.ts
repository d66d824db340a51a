// conformance/tests/gateway-invalid-parameters-ref.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { gatewayMustHaveCondition, gatewayMustHaveLatestConditions, type ExpectedCondition } from '../support/status.ts';

export const GatewayInvalidParametersRef: ConformanceTest = {
  shortName: 'GatewayInvalidParametersRef',
  description: 'A Gateway referencing an invalid or non-existent parametersRef should set the Accepted condition to False with reason InvalidParameters.',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-parameters-ref.yaml'],
  async test(_t, s) {
    const gwNN = {name: "gateway-invalid-parameters-ref", namespace: InfrastructureNamespace};

    await gatewayMustHaveLatestConditions(s, gwNN);
    await gatewayMustHaveCondition(s, gwNN, <ExpectedCondition>{
      type:   'Accepted',
      status: 'False',
      reason: 'InvalidParameters',
    });
  },
};
