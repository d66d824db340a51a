// The Gateway API ports of the data plane: on every snapshot swap, the sockets are reconciled with
// `snapshot.ports`. New ports are bound, removed ones closed gracefully, unchanged ones kept (their
// certificates updated in place). A port that cannot be bound (in use, permission, clashing with
// a fixed listener, out of range) is logged and tried again on the next swap; it never stops the
// process, another port, or readiness.
import type { Logger } from '../log.ts';
import type { HostPort } from '../net/address.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { PortListener, Snapshot } from '../snapshot/types.ts';
import { type PortServing, PortSocket } from './port-listener.ts';
import type { TlsParams } from './listener-settings.ts';

/** An address a fixed listener (--http, --https, --local, --admin, --health) holds. */
export interface ReservedAddress {
  readonly flag: string;
  readonly address: HostPort;
}

export interface GatewayPortsOptions extends Omit<PortServing, 'onCertificateError' | 'onClientError'> {
  readonly log: Logger;
  /** the fixed listeners' addresses, which no port may take */
  readonly reserved: readonly ReservedAddress[];
  /** ms that in-flight requests on a removed port get to finish */
  readonly drainTimeout: number;
}

/** What reconciling does with each port of a snapshot (pure; see planPorts). */
export interface PortPlan {
  /** bound sockets the snapshot no longer has, or has with another address, port, protocol or client validation */
  readonly close: readonly string[];
  /** bound and still wanted as they are: certificates are updated in place */
  readonly keep: readonly PortListener[];
  readonly bind: readonly PortListener[];
  /** never bound: why, in one line */
  readonly refuse: readonly { readonly port: PortListener; readonly reason: string }[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** Why `port` may not be bound, or undefined when it may. */
export function refusal(port: PortListener, reserved: readonly ReservedAddress[]): string | undefined {
  if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) return `port ${port.port} is not 1..65535 (the listener's port plus --port-offset)`;
  for (const r of reserved) {
    const sameHost = r.address.host === port.address || WILDCARDS.has(r.address.host) || WILDCARDS.has(port.address);
    if (r.address.port === port.port && sameHost) return `${port.address}:${port.port} is ${r.flag}'s address (${r.address.host}:${r.address.port})`;
  }
  return undefined;
}

function sameValidation(a: PortListener, b: PortListener): boolean {
  const x = a.clientValidation;
  const y = b.clientValidation;
  return x === y || (x !== undefined && y !== undefined && x.mode === y.mode && x.caCertificates === y.caCertificates);
}

export function planPorts(wanted: readonly PortListener[], bound: ReadonlyMap<string, PortListener>, reserved: readonly ReservedAddress[]): PortPlan {
  const byName = new Map(wanted.map((p) => [p.name, p]));
  const close: string[] = [];
  for (const [name, was] of bound) {
    const now = byName.get(name);
    // Client validation is the server's handshake policy, not a context: a change rebinds the port.
    if (!now || now.address !== was.address || now.port !== was.port || now.protocol !== was.protocol || !sameValidation(now, was)) close.push(name);
  }
  const keep: PortListener[] = [];
  const bind: PortListener[] = [];
  const refuse: { port: PortListener; reason: string }[] = [];
  for (const p of wanted) {
    if (bound.has(p.name) && !close.includes(p.name)) keep.push(p);
    else {
      const reason = refusal(p, reserved);
      if (reason) refuse.push({ port: p, reason });
      else bind.push(p);
    }
  }
  return { close, keep, bind, refuse };
}

export class GatewayPorts {
  readonly #options: GatewayPortsOptions;
  readonly #serving: PortServing;
  readonly #bound = new Map<string, PortSocket>();
  /** sockets of removed ports, still draining */
  readonly #draining = new Set<Promise<void>>();
  /** the latest snapshot not yet reconciled: swaps during a reconcile coalesce, the latest wins */
  #pending: Snapshot | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: GatewayPortsOptions) {
    this.#options = options;
    const { log } = options;
    this.#serving = {
      ...options,
      onCertificateError: (listener, secret, message) => log.warn({ listener, secret, err: message }, 'TLS certificate not usable on this Gateway port; skipped'),
      onClientError: (listener, err) => log.debug({ listener, err: err.message }, 'TLS handshake failed'),
    };
  }

  /** Reconciles with the feed's current snapshot (if any) and every one after it. */
  follow(feed: SnapshotFeed): void {
    this.#unsubscribe = feed.subscribe((change) => this.reconcile(change.snapshot));
    const current = feed.current();
    if (current) this.reconcile(current);
  }

  /** Brings the sockets to `snapshot.ports`; settled() resolves when done. */
  reconcile(snapshot: Snapshot): void {
    if (this.#stopped) return;
    this.#pending = snapshot;
    this.#running ??= this.#drainQueue();
  }

  /** Resolves once every requested reconcile has finished (binds done or failed). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** name -> bound address (`host:port`) of every port served now */
  addresses(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, s] of this.#bound) out[name] = s.address;
    return out;
  }

  async #drainQueue(): Promise<void> {
    try {
      while (this.#pending && !this.#stopped) {
        const snapshot = this.#pending;
        this.#pending = undefined;
        // Nothing in one snapshot's ports may take down the process (this runs from a feed callback).
        await this.#reconcileNow(snapshot).catch((err: Error) => this.#options.log.error({ err: err.message }, 'Gateway ports not reconciled'));
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #reconcileNow(snapshot: Snapshot): Promise<void> {
    const { log } = this.#options;
    // A snapshot from before ports existed in the IR has none.
    const wanted = snapshot.ports ?? [];
    const bound = new Map([...this.#bound].map(([name, s]) => [name, s.port]));
    const plan = planPorts(wanted, bound, this.#options.reserved);
    for (const name of plan.close) {
      const s = this.#bound.get(name)!;
      this.#bound.delete(name);
      log.info({ listener: name }, 'Gateway port removed: no longer accepting, draining its connections');
      this.#closeLater(s);
    }
    for (const p of plan.keep) this.#bound.get(p.name)!.updateCertificates(p, snapshot.tls);
    for (const { port, reason } of plan.refuse) log.error({ listener: port.name, address: `${port.address}:${port.port}` }, `Gateway port not served: ${reason}`);
    await Promise.all(plan.bind.map((p) => this.#bind(p, snapshot)));
  }

  async #bind(port: PortListener, snapshot: Snapshot): Promise<void> {
    const { log } = this.#options;
    let socket: PortSocket | undefined;
    try {
      socket = new PortSocket(port, snapshot.tls, this.#serving);
      await socket.listen();
    } catch (err) {
      await socket?.close(0);
      log.error({ listener: port.name, err: (err as Error).message }, 'Gateway port not served: cannot listen; trying again on the next configuration change');
      return;
    }
    if (this.#stopped) {
      await socket.close(0);
      return;
    }
    this.#bound.set(port.name, socket);
    log.info({ listener: port.name, address: socket.address }, 'listening');
  }

  #closeLater(s: PortSocket): void {
    const done: Promise<void> = s.close(this.#options.drainTimeout).finally(() => this.#draining.delete(done));
    this.#draining.add(done);
  }

  /** New TLS versions or cipher suites for every HTTPS port bound now (later ones read them when bound). */
  updateTlsParams(params: TlsParams): void {
    for (const s of this.#bound.values()) s.updateTlsParams(params);
  }

  /** Shutdown: no more reconciles; every port stops accepting and drains until `deadlineMs`. */
  async stop(deadlineMs: number = this.#options.drainTimeout): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.settled();
    const sockets = [...this.#bound.values()];
    this.#bound.clear();
    await Promise.all([...sockets.map((s) => s.close(deadlineMs)), ...this.#draining]);
  }
}
