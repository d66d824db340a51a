// A raw ADS client for protocol tests: sends DiscoveryRequests by hand and queues responses.
import * as grpc from '@grpc/grpc-js';
import { adsServiceDefinition } from '../../src/xds/service.ts';
import type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
} from '../../src/xds/service.ts';
import type { XdsLog } from '../../src/xds/log.ts';

type Method = 'StreamAggregatedResources' | 'DeltaAggregatedResources';
const AdsClient = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');

export class RawStream<Req, Res> {
  readonly #client: grpc.Client;
  readonly #call: grpc.ClientDuplexStream<Req, Res>;
  readonly #queue: Res[] = [];
  #waiter: ((r: Res) => void) | undefined;
  #ended = false;
  readonly #status: Promise<grpc.StatusObject>;

  constructor(address: string, method: Method, credentials = grpc.credentials.createInsecure()) {
    this.#client = new AdsClient(address, credentials);
    const open = (this.#client as unknown as Record<Method, () => grpc.ClientDuplexStream<Req, Res>>)[method];
    this.#call = open.call(this.#client);
    this.#call.on('data', (r: Res) => {
      const w = this.#waiter;
      this.#waiter = undefined;
      if (w) w(r);
      else this.#queue.push(r);
    });
    this.#call.on('error', () => {
      this.#ended = true;
    });
    this.#call.on('end', () => {
      this.#ended = true;
    });
    this.#status = new Promise((resolve) => this.#call.on('status', resolve));
  }

  /** The status the call ended with (code and details), or a rejection after `ms`. */
  status(ms = 5000): Promise<grpc.StatusObject> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the xDS call did not end within ${ms} ms`)), ms);
    });
    return Promise.race([this.#status, timeout]).finally(() => clearTimeout(timer));
  }

  get ended(): boolean {
    return this.#ended;
  }

  send(req: Partial<Req>): void {
    this.#call.write(req as Req);
  }

  /** The next response, or a rejection after `ms`. */
  next(ms = 5000): Promise<Res> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`no xDS response within ${ms} ms`));
      }, ms);
      this.#waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  /** The next response or, if the call ends first, its status; a rejection after `ms`. */
  async nextOrStatus(ms = 5000): Promise<{ response: Res } | { status: grpc.StatusObject }> {
    const queued = this.#queue.shift();
    if (queued) return { response: queued };
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise((resolve, reject) => {
        timer = setTimeout(() => {
          this.#waiter = undefined;
          reject(new Error(`no xDS response or status within ${ms} ms`));
        }, ms);
        this.#waiter = (response) => resolve({ response });
        void this.#status.then((status) => resolve({ status }));
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves to the response if one arrives within `ms`, else undefined (for "nothing is pushed"). */
  async maybeNext(ms: number): Promise<Res | undefined> {
    try {
      return await this.next(ms);
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.#call.cancel();
    this.#client.close();
  }
}

export const sotw = (address: string, credentials?: grpc.ChannelCredentials) =>
  new RawStream<DiscoveryRequest, DiscoveryResponse>(address, 'StreamAggregatedResources', credentials);
export const delta = (address: string, credentials?: grpc.ChannelCredentials) =>
  new RawStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(address, 'DeltaAggregatedResources', credentials);

export const node = (id: string) => ({ id, cluster: 'test', user_agent_name: 'raw-test-client' });

/** A logger that keeps what it was told, for asserting on NACK and error logs. */
export function recordingLog(): XdsLog & { lines: Array<{ level: string; fields: object; message: string }> } {
  const lines: Array<{ level: string; fields: object; message: string }> = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
