// What the Gloo translator found about each object, gathered while translating, turned into Gloo's
// status shape at the end (status.ts). Errors make an object Rejected, warnings make it Warning;
// each message starts with the field it is about (`spec.virtualHost.routes[1].matchers[0].regex:
// ...`), which is how `sluice validate` finds its line.
import type { GlooResource } from './types.ts';

export interface ObjectReport {
  readonly object: GlooResource;
  readonly errors: string[];
  readonly warnings: string[];
}

export class Reports {
  readonly #byKey = new Map<string, ObjectReport>();

  /** The report of `object` (one per object, made on first use). */
  of(object: GlooResource): ObjectReport {
    const key = objectKey(object);
    let r = this.#byKey.get(key);
    if (r === undefined) this.#byKey.set(key, (r = { object, errors: [], warnings: [] }));
    return r;
  }

  error(object: GlooResource, path: string, message: string): void {
    add(this.of(object).errors, path, message);
  }

  warn(object: GlooResource, path: string, message: string): void {
    add(this.of(object).warnings, path, message);
  }

  all(): readonly ObjectReport[] {
    return [...this.#byKey.values()];
  }
}

function add(list: string[], path: string, message: string): void {
  const text = path === '' ? message : `${path}: ${message}`;
  if (!list.includes(text)) list.push(text);
}

/** `Kind namespace/name`, Gloo's Gateway told apart from the Gateway API's. */
export function objectKey(o: GlooResource): string {
  return `${o.kind} ${namespaceOf(o)}/${o.metadata.name}`;
}

export function namespaceOf(o: { metadata: { namespace?: string } }): string {
  return o.metadata.namespace ?? 'default';
}
