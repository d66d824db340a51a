// Every contender, in table order.
import type { Contender } from '../types.ts';
import { direct } from './direct.ts';
import { haproxy } from './haproxy.ts';
import { nginx } from './nginx.ts';
import { fastifyPeer, httpProxyPeer } from './node-peers.ts';
import { sluice, sluiceBaseline } from './sluice.ts';

export const contenders: readonly Contender[] = [direct, sluice, nginx, haproxy, httpProxyPeer, fastifyPeer];

/** Named on request only (`--contenders sluice,sluice-baseline`): see sluiceBaseline. */
const optional: readonly Contender[] = [sluiceBaseline];

export function contenderByName(name: string): Contender {
  const c = contenders.find((x) => x.name === name) ?? optional.find((x) => x.name === name);
  if (!c) throw new Error(`--contenders: unknown contender "${name}" (known: ${contenders.map((x) => x.name).join(', ')})`);
  return c;
}
