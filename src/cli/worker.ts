// `sluice serve --workers N`: one data-plane worker. It serves the listeners (shared through
// node:cluster) from a RelayedSource fed by the primary (primary.ts), and runs no source, status
// writer, xDS server, admin or health endpoint of its own. It tells the primary which relayed state
// it serves, and warns when its snapshot hash differs from the primary's for the same state.
import { answerMetricsRequests } from '../admin/cluster-metrics.ts';
import { Gateway, type GatewayAddresses } from '../gateway.ts';
import type { Logger } from '../log.ts';
import type { ReservedAddress } from '../proxy/gateway-ports.ts';
import { processChannel, RelayedSource } from '../sources/relay.ts';
import { GatewayHeapRelease } from './heap-release.ts';
import { buildGatewayOptions, stopOnSignals, type ServeFlags } from './serve.ts';

export async function serveWorker(f: ServeFlags, log: Logger): Promise<GatewayAddresses> {
  // Made before the first load, so that the load counts as the heap's growth.
  const heap = new GatewayHeapRelease();
  const channel = processChannel();
  const source = new RelayedSource(channel, (msg) => log.warn(msg));
  const options = await buildGatewayOptions(f, log, source);
  // The primary logs each rejected document and translation problem once; its workers, only errors.
  const configLog = log.levelVal >= log.levels.values.error! ? log : log.child({}, { level: 'error' });
  // The primary holds --admin and --health: no Gateway API port may take them.
  const reserved = [{ flag: '--admin', address: options.admin }, { flag: '--health', address: options.health }].filter((r): r is ReservedAddress => r.address !== undefined);
  const gateway = await Gateway.start({ ...options, admin: undefined, health: undefined, listenAfterConfig: true, configLog, reserved });
  answerMetricsRequests(gateway.metrics.registry);
  heap.follow(gateway.pipeline.feed);
  source.onApplied((seq, primaryHash) => {
    const hash = gateway.pipeline.feed.current()?.hash ?? '';
    if (primaryHash !== '' && hash !== primaryHash) log.warn({ seq, hash, primaryHash }, 'this worker translated the relayed configuration to another snapshot than the primary');
    channel.send({ type: 'sluice:relay-served', seq, hash });
  });
  // Ctrl-C reaches every process of the group: the primary alone decides when workers stop (SIGTERM).
  process.on('SIGINT', () => {});
  // The primary has already waited the drain delay (with its /ready failing) before it sends SIGTERM.
  stopOnSignals(log, () => {
    heap.stop();
    return gateway.stop().then(async () => void (await Promise.all([options.accessLog?.close(), options.tracing?.close()])));
  }, { drainDelayMs: 0, begin: () => gateway.failReadiness(), signals: ['SIGTERM'] });
  return gateway.addresses;
}
