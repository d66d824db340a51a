// A DiscoveryResponse / DeltaDiscoveryResponse read as the bench's clients need it: the type, the
// version, the nonce, the names of the resources it carried (and, delta, removed) and how many bytes
// of resources, without decoding the resources
// (protobufjs would spend seconds per client on a 47 MiB route configuration, measuring the
// clients instead of the server). Reads the protobuf wire format one level down.
export interface Skimmed {
  readonly type_url: string;
  readonly version_info: string;
  readonly nonce: string;
  /** bytes of the resources' encoded messages (each Any's value) */
  readonly bytes: number;
  readonly resources: number;
  /** each resource's name: delta, Resource.name; state of the world, the resource's own field 1 (every served type names itself there) */
  readonly names: readonly string[];
  /** delta: removed_resources */
  readonly removed: readonly string[];
}

function varint(b: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < b.length; i++) {
    value += (b[i]! & 0x7f) * scale;
    scale *= 128;
    if (b[i]! < 0x80) return [value, i + 1];
  }
  throw new RangeError('truncated varint');
}

/** Each field of a message: number, and for length-delimited ones the bytes. */
function* fields(b: Uint8Array): Generator<[number, Uint8Array | undefined]> {
  let at = 0;
  while (at < b.length) {
    const [tag, next] = varint(b, at);
    at = next;
    const wire = tag & 7;
    if (wire === 2) {
      const [len, start] = varint(b, at);
      yield [tag >>> 3, b.subarray(start, start + len)];
      at = start + len;
    } else if (wire === 0) {
      at = varint(b, at)[1];
      yield [tag >>> 3, undefined];
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new RangeError(`wire type ${wire}`);
  }
}

const field = (b: Uint8Array, id: number): Uint8Array | undefined => {
  for (const [n, v] of fields(b)) if (n === id) return v;
  return undefined;
};

/** `delta`: a DeltaDiscoveryResponse (resources are Resource messages holding the Any in field 2). */
export function skim(buf: Uint8Array, delta: boolean): Skimmed {
  const text = (v: Uint8Array | undefined) => (v ? Buffer.from(v.buffer, v.byteOffset, v.length).toString() : '');
  let type_url = '';
  let version_info = '';
  let nonce = '';
  let bytes = 0;
  let resources = 0;
  const names: string[] = [];
  const removed: string[] = [];
  for (const [n, v] of fields(buf)) {
    if (n === 1) version_info = text(v);
    else if (n === 4) type_url = text(v);
    else if (n === 5) nonce = text(v);
    else if (n === 6 && delta) removed.push(text(v));
    else if (n === 2 && v) {
      resources++;
      const any = delta ? field(v, 2) : v;
      const value = any ? field(any, 2) : undefined;
      bytes += value?.length ?? 0;
      // Field 1 comes first in what the server encodes, so this reads no further than the name.
      names.push(text(delta ? field(v, 3) : value && field(value, 1)));
    }
  }
  return { type_url, version_info, nonce, bytes, resources, names, removed };
}
