// Responses encoded once and shared by every stream that sends the same thing. A response's bytes
// are everything but its nonce (each stream numbers its own); the nonce field is appended when a
// stream writes it (service.ts), which protobuf allows, fields being readable in any order. So a
// snapshot change pushed to 100 clients subscribed alike is encoded once, not 100 times.
import type { Type } from 'protobufjs';
import { envoyProtos } from './protos.ts';
import type { ResourceTable } from './resources.ts';
import type { DeltaDiscoveryResponse, DiscoveryResponse, Resource, UnresolvedAlias } from './service.ts';

/** A response encoded but for its nonce. */
export interface EncodedResponse {
  readonly body: Uint8Array;
  readonly nonce: string;
}

export function isEncodedResponse(value: object): value is EncodedResponse {
  return 'body' in value && (value as { body: unknown }).body instanceof Uint8Array;
}

type Unnumbered<T> = Omit<T, 'nonce'>;

function encoder(name: string): (value: object) => Uint8Array {
  let type: Type | undefined;
  return (value) => {
    type ??= envoyProtos().lookupType(name);
    return type.encode(type.fromObject(value)).finish();
  };
}
const sotwEncoder = encoder('envoy.service.discovery.v3.DiscoveryResponse');
const deltaEncoder = encoder('envoy.service.discovery.v3.DeltaDiscoveryResponse');

/**
 * Encoded responses by the table they were made from and a key naming what they hold (for state of
 * the world: the type and content version; for delta: also the subscription). Held weakly by
 * table, so they go when the snapshot they came from does.
 */
export class ResponseCache {
  /** bodies encoded (each then shared by every stream sending it) */
  encoded = 0;
  readonly #bodies = new WeakMap<ResourceTable, Map<string, Uint8Array>>();

  #get(table: ResourceTable, key: string, make: () => Uint8Array): Uint8Array {
    let byKey = this.#bodies.get(table);
    if (!byKey) this.#bodies.set(table, (byKey = new Map()));
    let body = byKey.get(key);
    if (!body) {
      this.encoded++;
      byKey.set(key, (body = make()));
    }
    return body;
  }

  /** A state-of-the-world response: its version is a digest of its content, so it is the key. */
  sotw(table: ResourceTable, typeUrl: string, version: string, make: () => Unnumbered<DiscoveryResponse>): Uint8Array {
    return this.#get(table, `sotw\0${typeUrl}\0${version}`, () => sotwEncoder(make()));
  }

  /** A delta response, for `key` naming everything it depends on besides `table`. */
  delta(table: ResourceTable, key: string, make: () => Unnumbered<DeltaDiscoveryResponse>): Uint8Array {
    return this.#get(table, `delta\0${key}`, () => deltaEncoder(make()));
  }

  /** A delta response no other stream shares (a stream's first answer, or one after a subscription change). */
  deltaOnce(response: Unnumbered<Omit<DeltaDiscoveryResponse, 'resources'>> & { readonly resources: readonly (Resource | UnresolvedAlias)[] }): Uint8Array {
    this.encoded++;
    return deltaEncoder(response);
  }
}
