// The ceiling: the load generator talks to the upstream itself, no proxy in between.
import type { Contender } from '../types.ts';

export const direct: Contender = {
  name: 'direct',
  nodePeer: false,
  unavailable: () => undefined,
  unsupported: () => undefined,
  async start(upstream, scenario) {
    const port = scenario.h2 ? upstream.h2Port : upstream.portA;
    if (port === undefined) throw new Error('the upstream has no h2c port');
    // nothing to stop: the upstream belongs to the harness
    return { url: `http://127.0.0.1:${port}${scenario.path}`, headers: {}, pid: upstream.pid, stop: async () => {} };
  },
};
