// Responses encoded once and shared by every stream that sends the same thing, nonce included: a
// nonce only has to differ from the others on one stream, so the server numbers responses, not
// streams, and a response's nonce is part of its shared bytes. The serializer (service.ts) hands
// those bytes to grpc-js as they are, so a snapshot change pushed to 100 clients subscribed alike is
// encoded once and written 100 times, never copied per client. The nonce field goes last, appended
// to the encoded rest (protobuf reads fields in any order); a stream that would send the same
// response twice in a row gets a copy under a fresh nonce (fresh()), the one per-stream copy. Each
// body is made inside its gRPC frame (grpc-frame.ts), which the server's calls send as they are.
import type { Type } from 'protobufjs';
import { envoyProtos } from './protos.ts';
import type { ResourceTable } from './resources.ts';
import type { DeltaDiscoveryResponse, DiscoveryResponse, Resource, UnresolvedAlias } from './service.ts';
import { FRAME_HEADER_BYTES, writeFrameHeader } from './grpc-frame.ts';
import { spliceDelta, spliceSotw, type Spliced } from './response-splice.ts';
import { lengthDelimited } from './wire.ts';

/** DiscoveryResponse.nonce and DeltaDiscoveryResponse.nonce. */
const NONCE_FIELD = 5;

/** A whole response message, nonce included, as written to every stream that sends it. */
export interface EncodedResponse {
  readonly body: Uint8Array;
  readonly nonce: string;
  /** the bytes before the nonce field */
  readonly unnumbered: number;
  /** `body` as a gRPC message frame (its header, then the same bytes): what goes on the wire */
  readonly frame: Buffer;
}

export function isEncodedResponse(value: object): value is EncodedResponse {
  return 'unnumbered' in value && (value as { body?: unknown }).body instanceof Uint8Array;
}

type Unnumbered<T> = Omit<T, 'nonce'>;

function encoder(name: string): (value: object) => Uint8Array {
  let type: Type | undefined;
  return (value) => {
    type ??= envoyProtos().lookupType(name);
    return type.encode(type.fromObject(value)).finish();
  };
}
const deltaEncoder = encoder('envoy.service.discovery.v3.DeltaDiscoveryResponse');

/**
 * Encoded responses by the table they were made from and a key naming what they hold (for state of
 * the world: the type and content version; for delta: also the subscription). Those of a table the
 * server no longer serves are let go at each rebuild (retain()): a table made from another by a
 * change keeps the first one as its base (LayeredMap), so a weak hold would keep every first answer
 * of the first build (tens of MiB at 10,000 apps) for as long as the server runs.
 */
export class ResponseCache {
  /** bodies encoded (each then shared by every stream sending it) */
  encoded = 0;
  /** responses copied for one stream under a fresh nonce (see fresh()) */
  copied = 0;
  /** held resource versions the streams compared one by one (a delta stream out of step with the tables) */
  compared = 0;
  #nonce = 0;
  readonly #bodies = new Map<ResourceTable, Map<string, EncodedResponse>>();
  /** bytes of the bodies held, for every table served */
  bytesHeld = 0;

  #numbered(unnumbered: Uint8Array): EncodedResponse {
    return this.#spliced((nonce) => {
      const frame = Buffer.concat([Buffer.alloc(FRAME_HEADER_BYTES), unnumbered, lengthDelimited(NONCE_FIELD, Buffer.from(nonce))]);
      writeFrameHeader(frame);
      return { body: frame.subarray(FRAME_HEADER_BYTES), unnumbered: unnumbered.length, frame };
    });
  }

  /** `write`: the body with the nonce given as its last field. */
  #spliced(write: (nonce: string) => Spliced): EncodedResponse {
    const nonce = String(++this.#nonce);
    return { ...write(nonce), nonce };
  }

  #get(table: ResourceTable, key: string, make: () => EncodedResponse): EncodedResponse {
    let byKey = this.#bodies.get(table);
    if (!byKey) this.#bodies.set(table, (byKey = new Map()));
    let response = byKey.get(key);
    if (!response) {
      this.encoded++;
      byKey.set(key, (response = make()));
      this.bytesHeld += response.frame.length;
    }
    return response;
  }

  /** Lets go of the responses of every table but `served` (the tables of the snapshot now served). */
  retain(served: ReadonlySet<ResourceTable>): void {
    for (const [table, byKey] of this.#bodies) {
      if (served.has(table)) continue;
      for (const r of byKey.values()) this.bytesHeld -= r.frame.length;
      this.#bodies.delete(table);
    }
  }

  /**
   * A state-of-the-world response: its version is a digest of the content subscribed to, so it is
   * the key of a whole one; `part` names what a response of only some of it holds.
   */
  sotw(table: ResourceTable, typeUrl: string, version: string, make: () => Unnumbered<DiscoveryResponse>, part = ''): EncodedResponse {
    return this.#get(table, `sotw\0${typeUrl}\0${version}\0${part}`, () => this.#spliced((nonce) => spliceSotw(make(), nonce)));
  }

  /** A state-of-the-world response no other stream shares. */
  sotwOnce(response: Unnumbered<DiscoveryResponse>): EncodedResponse {
    this.encoded++;
    return this.#spliced((nonce) => spliceSotw(response, nonce));
  }

  /** A delta response, for `key` naming everything it depends on besides `table`. */
  delta(table: ResourceTable, key: string, make: () => Unnumbered<DeltaDiscoveryResponse>): EncodedResponse {
    return this.#get(table, `delta\0${key}`, () => this.#spliced((nonce) => spliceDelta(make(), nonce)));
  }

  /** A delta response no other stream shares (a stream's first answer, or one after a subscription change). */
  deltaOnce(response: Unnumbered<Omit<DeltaDiscoveryResponse, 'resources'>> & { readonly resources: readonly (Resource | UnresolvedAlias)[] }): EncodedResponse {
    this.encoded++;
    // VHDS aliases (rare: on-demand names) go through protobufjs; everything else is spliced.
    const plain = response.resources.every((r): r is Resource => r.resource !== null && r.aliases === undefined);
    if (plain) return this.#spliced((nonce) => spliceDelta({ ...response, resources: response.resources as readonly Resource[] }, nonce));
    return this.#numbered(deltaEncoder(response));
  }

  /** `response` under a nonce of its own, for a stream that already has `response.nonce` outstanding. */
  fresh(response: EncodedResponse): EncodedResponse {
    this.copied++;
    return this.#numbered(response.body.subarray(0, response.unnumbered));
  }
}
