// The discovery a target asks for, against one of its endpoints: gRPC server reflection for an
// HTTP/2 Upstream, an OpenAPI document (named, inline, or at the usual paths) otherwise.
import type { Endpoint } from '../../snapshot/types.ts';
import type { Discover } from './source.ts';
import type { DiscoveryTarget } from './overlay.ts';

export const discover: Discover = async (target: DiscoveryTarget, at: Endpoint) => {
  if (target.how === 'grpc') {
    const { discoverGrpc } = await import('../grpc-reflection/discover.ts');
    const r = await discoverGrpc(at.address, at.port);
    if (!r.ok) return { ok: false, error: r.error };
    return { ok: true, found: { how: 'grpc', descriptorSet: r.descriptorSet, services: r.services.map((s) => s.name), functions: r.functions } };
  }
  const { fetchOpenApi } = await import('../openapi/fetch.ts');
  const r = await fetchOpenApi(at.address, at.port, { ...(target.swagger?.url !== undefined && { url: target.swagger.url }), ...(target.swagger?.inline !== undefined && { inline: target.swagger.inline }) });
  if (!r.ok) return { ok: false, error: r.error };
  return { ok: true, found: { how: 'openapi', functions: r.functions } };
};
