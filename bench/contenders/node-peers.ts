// The Node peers (`http-proxy`, `@fastify/http-proxy`), each run as one Node process (one core).
import { fileURLToPath } from 'node:url';
import { freePort, start, waitForPort } from '../proc.ts';
import type { Contender, ContenderName } from '../types.ts';
import type { PeerArgs } from './peer-args.ts';

function nodePeer(name: ContenderName, script: string, h2: boolean): Contender {
  return {
    name,
    nodePeer: true,
    unavailable: () => undefined,
    unsupported: (s) => (s.h2 && !h2 ? `${name} has no HTTP/2 server` : undefined),
    async start(upstream, scenario, opts) {
      const port = await freePort();
      const args: PeerArgs = { port, portA: upstream.portA, portB: upstream.portB, h2: scenario.h2, split: scenario.split };
      const file = fileURLToPath(new URL(script, import.meta.url));
      const child = start(process.execPath, ['--import', 'tsx', file, JSON.stringify(args)], { cpus: opts.cpus, env: { ...process.env, NODE_ENV: 'production' } });
      await waitForPort(port, 30_000, child);
      return { url: `http://127.0.0.1:${port}${scenario.path}`, headers: {}, pid: child.pid, stop: () => child.stop('SIGTERM') };
    },
  };
}

export const httpProxyPeer = nodePeer('http-proxy', './http-proxy-server.ts', false);
export const fastifyPeer = nodePeer('fastify-http-proxy', './fastify-server.ts', true);
