// Reads a serialized google.protobuf.FileDescriptorSet: the message types (a protobufjs Root) and,
// for the services asked for, each method with its google.api.http bindings.
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { type HttpBinding, decodeHttpRule, httpRuleBytes } from './http-rule.ts';

export interface MethodInfo {
  /** `bookstore.Bookstore` */
  readonly service: string;
  readonly name: string;
  /** `/bookstore.Bookstore/GetShelf`, the gRPC request path */
  readonly grpcPath: string;
  readonly input: protobuf.Type;
  readonly output: protobuf.Type;
  readonly clientStreaming: boolean;
  readonly serverStreaming: boolean;
  readonly bindings: readonly HttpBinding[];
}

export interface LoadedDescriptors {
  readonly root: protobuf.Root;
  readonly methods: readonly MethodInfo[];
}

/** A descriptor set or rule that cannot be used; `field` says where (`descriptorSet`, `services[1]`...). */
export class DescriptorError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'DescriptorError';
  }
}

/** Every message field of `bytes` with number `field`, as bytes; other fields are skipped. */
export function submessages(bytes: Uint8Array, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === field && (tag & 7) === 2) out.push(r.bytes());
    else r.skipType(tag & 7);
  }
  return out;
}

/** The first string field numbered `field` (descriptors' names), '' when absent. */
export function stringField(bytes: Uint8Array, field: number): string {
  const found = submessages(bytes, field)[0];
  return found ? Buffer.from(found).toString('utf8') : '';
}

/** `pkg.Service/Method` -> bindings, read from the raw bytes (where the http option survives). */
function bindingsByMethod(set: Uint8Array): Map<string, HttpBinding[]> {
  const out = new Map<string, HttpBinding[]>();
  for (const file of submessages(set, 1)) {
    const pkg = stringField(file, 2);
    for (const service of submessages(file, 6)) {
      const serviceName = (pkg ? `${pkg}.` : '') + stringField(service, 1);
      for (const method of submessages(service, 2)) {
        const options = submessages(method, 4)[0];
        const rule = options && httpRuleBytes(options);
        out.set(`${serviceName}/${stringField(method, 1)}`, rule ? decodeHttpRule(rule) : []);
      }
    }
  }
  return out;
}

// protobufjs reads a map field from a descriptor as `repeated XEntry` (its wire form); make it a
// MapField again so JSON sees an object and fromObject/toObject build maps.
function restoreMapFields(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      for (const field of [...nested.fieldsArray]) {
        const entry = field.repeated ? field.resolve().resolvedType : null;
        const key = entry instanceof protobuf.Type ? entry.fields.key : undefined;
        const value = entry instanceof protobuf.Type ? entry.fields.value : undefined;
        if (!(entry instanceof protobuf.Type) || entry.parent !== nested || !entry.options?.map_entry || key?.id !== 1 || value?.id !== 2) continue;
        value.resolve();
        const valueType = value.resolvedType ? value.resolvedType.fullName : value.type;
        nested.remove(field);
        nested.add(new protobuf.MapField(field.name, field.id, key.type, valueType));
      }
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) restoreMapFields(nested);
  }
}

/** Decodes and resolves a base64 FileDescriptorSet; throws DescriptorError naming what is wrong. */
export function loadDescriptorSet(base64: string, services: readonly string[]): LoadedDescriptors {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new DescriptorError('descriptorSet', 'is empty (a base64 google.protobuf.FileDescriptorSet is expected)');
  let root: protobuf.Root;
  let bindings: Map<string, HttpBinding[]>;
  try {
    bindings = bindingsByMethod(bytes);
    root = (protobuf.Root as unknown as { fromDescriptor(d: Uint8Array | protobuf.Message): protobuf.Root }).fromDescriptor(
      descriptor.FileDescriptorSet.decode(bytes),
    );
    restoreMapFields(root);
    root.resolveAll();
  } catch (err) {
    throw new DescriptorError('descriptorSet', `is not a usable FileDescriptorSet: ${(err as Error).message}`);
  }
  if (services.length === 0) throw new DescriptorError('services', 'names no service to transcode');
  const methods: MethodInfo[] = [];
  services.forEach((name, i) => {
    const service = root.lookup(name.replace(/^\./, ''));
    if (!(service instanceof protobuf.Service)) throw new DescriptorError(`services[${i}]`, `no service "${name}" in the descriptor set`);
    const serviceName = service.fullName.slice(1);
    for (const m of service.methodsArray) {
      let input: protobuf.Type;
      let output: protobuf.Type;
      try {
        input = root.lookupType(m.requestType.replace(/^\./, ''));
        output = root.lookupType(m.responseType.replace(/^\./, ''));
      } catch (err) {
        throw new DescriptorError(`services[${i}]`, `${serviceName}.${m.name}: ${(err as Error).message}`);
      }
      methods.push({
        service: serviceName,
        name: m.name,
        grpcPath: `/${serviceName}/${m.name}`,
        input,
        output,
        clientStreaming: !!m.requestStream,
        serverStreaming: !!m.responseStream,
        bindings: bindings.get(`${serviceName}/${m.name}`) ?? [],
      });
    }
  });
  return { root, methods };
}
