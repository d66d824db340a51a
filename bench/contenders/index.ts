// Every contender, in table order.
import type { Contender } from '../types.ts';
import { direct } from './direct.ts';
import { haproxy } from './haproxy.ts';
import { nginx } from './nginx.ts';
import { fastifyPeer, httpProxyPeer } from './node-peers.ts';
import { sluice } from './sluice.ts';

export const contenders: readonly Contender[] = [direct, sluice, nginx, haproxy, httpProxyPeer, fastifyPeer];

export function contenderByName(name: string): Contender {
  const c = contenders.find((x) => x.name === name);
  if (!c) throw new Error(`--contenders: unknown contender "${name}" (known: ${contenders.map((x) => x.name).join(', ')})`);
  return c;
}
