// Builds the bookstore's FileDescriptorSet (what `protoc --include_imports --descriptor_set_out`
// would write) from test/fixtures/protos with protobufjs. protobufjs drops custom method options
// when it writes descriptors, so the google.api.http rules are encoded here and put back into
// each method's MethodOptions (extension 72295728).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { HttpRuleType } from '../../src/functions/grpc-json/http-rule.ts';

const require = createRequire(import.meta.url);
export const PROTO_DIR = fileURLToPath(new URL('../fixtures/protos/', import.meta.url));

/** The fixture protos parsed, with their options, as protobufjs sees them. */
export function loadProtos(file = 'bookstore/bookstore.proto'): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target === 'google/protobuf/descriptor.proto' ? require.resolve('protobufjs/google/protobuf/descriptor.proto') : PROTO_DIR + target;
  root.loadSync(file, { keepCase: true });
  root.resolveAll();
  return root;
}

type Plain = Record<string, unknown>;

// One set of descriptor types whose MethodOptions knows the http extension, so encoding keeps it.
const extended = protobuf.Root.fromJSON(require('protobufjs/google/protobuf/descriptor.json') as protobuf.INamespace);
extended.add(new protobuf.Namespace('google').add(new protobuf.Namespace('api').add(HttpRuleType.Custom).add(HttpRuleType.Rule)));
extended.lookupType('google.protobuf.MethodOptions').add(new protobuf.Field('http', 72295728, '.google.api.HttpRule'));
extended.resolveAll();
const FileProto = extended.lookupType('google.protobuf.FileDescriptorProto');

function ruleOf(method: protobuf.Method): Plain | undefined {
  for (const opt of method.parsedOptions ?? []) {
    const rule = (opt as Plain)['(google.api.http)'] as Plain | undefined;
    if (rule) {
      const more = rule.additional_bindings;
      const { additional_bindings: _, ...rest } = rule;
      return { ...rest, ...(more ? { additional_bindings: Array.isArray(more) ? more : [more] } : {}) };
    }
  }
  return undefined;
}

/** Each file of the set, encoded, in dependency order (what reflection serves file by file). */
export function encodedFiles(root = loadProtos(), rules: Record<string, Plain> = {}): Map<string, Buffer> {
  const set = (root as unknown as { toDescriptor(e: string): protobuf.Message }).toDescriptor('proto3');
  const plain = descriptor.FileDescriptorSet.toObject(set, { longs: String, enums: Number, bytes: Array, defaults: false }) as { file: Plain[] };
  const order = ['google_protobuf.proto', 'google_api.proto'];
  const files = [...plain.file].sort((a, b) => rank(order, a.name as string) - rank(order, b.name as string));
  const out = new Map<string, Buffer>();
  for (const file of files) {
    const pkg = file.package as string;
    file.dependency = [...out.keys()].filter((n) => n !== file.name);
    for (const svc of (file.service as Plain[] | undefined) ?? []) {
      const service = root.lookupService(`${pkg}.${svc.name as string}`);
      for (const m of (svc.method as Plain[] | undefined) ?? []) {
        const rule = rules[m.name as string] ?? ruleOf(service.methods[m.name as string]!);
        if (rule) m.options = { http: rule };
      }
    }
    out.set(file.name as string, Buffer.from(FileProto.encode(FileProto.fromObject(file)).finish()));
  }
  return out;
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

/** The bookstore's FileDescriptorSet, base64, as a GrpcJsonCall carries it; `rules` replace methods' http rules. */
export function bookstoreDescriptorSet(rules: Record<string, Plain> = {}): string {
  const w = protobuf.Writer.create();
  for (const bytes of encodedFiles(loadProtos(), rules).values()) w.uint32((1 << 3) | 2).bytes(bytes);
  return Buffer.from(w.finish()).toString('base64');
}
