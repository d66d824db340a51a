// Small, typed readers for untrusted documents. Each reader checks one value, records a
// FieldError at its path when the value is wrong, and returns the value only when it is usable,
// so a validator can keep going and report every problem of a document, not just the first.
import { headerValueProblem, isHeaderName, isSettableHeader } from './grammar.ts';
import type { FieldError } from './types.ts';

export type Json = Record<string, unknown>;

/** `spec` + `rules` -> `spec.rules`; map keys that are not plain words are quoted: `labels["a.b/c"]`. */
export function field(base: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

export function index(base: string, i: number): string {
  return `${base}[${i}]`;
}

/** How a value looks to a user: `string`, `number`, `array`, `null`, `object`, ... */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const HOST_PORT = /^[A-Za-z0-9.\-[\]:]+:(\d{1,5})$/;

/** `host:port` of a service the gateway calls (a rate limit or authorization server), port 1 to 65535. */
export function isHostPort(s: string): boolean {
  const m = HOST_PORT.exec(s);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 65535;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// RFC 1123 names as Kubernetes checks them (IsDNS1123Subdomain / IsDNS1123Label).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDNSSubdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}
export function isDNSLabel(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
export { isHeaderName };

/** Collects the errors of one document. */
export class Check {
  readonly errors: FieldError[] = [];

  fail(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** Reports a missing value (when required) and returns false; true when the value is present. */
  present(value: unknown, path: string, required: boolean): boolean {
    if (value !== undefined && value !== null) return true;
    if (required) this.fail(path, 'required');
    return false;
  }

  object(value: unknown, path: string, required = false): Json | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (isObject(value)) return value;
    this.fail(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }

  array(value: unknown, path: string, required = false): unknown[] | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (Array.isArray(value)) return value;
    this.fail(path, `must be a list, got ${describe(value)}`);
    return undefined;
  }

  /** A list that must hold at least one item (Knative's ErrMissingField on an empty list). */
  nonEmptyArray(value: unknown, path: string): unknown[] | undefined {
    const list = this.array(value, path, true);
    if (list !== undefined && list.length === 0) {
      this.fail(path, 'must not be empty');
      return undefined;
    }
    return list;
  }

  string(value: unknown, path: string, required = false): string | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (typeof value !== 'string') {
      this.fail(path, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (required && value === '') {
      this.fail(path, 'must not be empty');
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (!this.present(value, path, false)) return undefined;
    if (typeof value === 'boolean') return value;
    this.fail(path, `must be true or false, got ${describe(value)}`);
    return undefined;
  }

  integer(value: unknown, path: string, required = false): number | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(path, `must be an integer, got ${typeof value === 'number' ? String(value) : describe(value)}`);
      return undefined;
    }
    return value;
  }

  port(value: unknown, path: string, required = false): number | undefined {
    const n = this.integer(value, path, required);
    if (n !== undefined && (n < 1 || n > 65535)) {
      this.fail(path, 'must be 1..65535');
      return undefined;
    }
    return n;
  }

  /** Kubernetes IntOrString used for ports: a number 1..65535 or a non-empty port name. */
  portOrName(value: unknown, path: string, required = false): number | string | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (typeof value === 'string') {
      if (value === '') this.fail(path, 'must not be empty');
      return value === '' ? undefined : value;
    }
    if (typeof value === 'number') return this.port(value, path);
    this.fail(path, `must be a port number or name, got ${describe(value)}`);
    return undefined;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    this.fail(path, `must be ${allowed.join(' or ')}, got ${JSON.stringify(s)}`);
    return undefined;
  }

  /** A map of string to string (labels, annotations, appendHeaders). */
  stringMap(value: unknown, path: string): Record<string, string> | undefined {
    const obj = this.object(value, path);
    if (obj === undefined) return undefined;
    let ok = true;
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== 'string') {
        this.fail(field(path, k), `must be a string, got ${describe(v)}`);
        ok = false;
      }
    }
    return ok ? (obj as Record<string, string>) : undefined;
  }

  /** Header names the proxy will set: an HTTP token each, and values it can send (see grammar.ts). */
  headerMap(value: unknown, path: string): void {
    const map = this.object(value, path);
    if (map === undefined) return;
    for (const [k, v] of Object.entries(map)) {
      const at = field(path, k);
      if (!isHeaderName(k)) this.fail(at, 'must be a valid HTTP header name');
      else if (!isSettableHeader(k)) this.fail(at, 'must not be a header that frames the message or governs the connection (Content-Length, Transfer-Encoding, Connection, ...)');
      this.headerValue(v, at, false);
    }
  }

  /** A string that will be sent as (or matched against) a header value. */
  headerValue(value: unknown, path: string, required: boolean): string | undefined {
    const s = this.string(value, path, required);
    if (s === undefined) return undefined;
    const problem = headerValueProblem(s);
    if (problem === undefined) return s;
    this.fail(path, problem);
    return undefined;
  }

  /** A string that must satisfy `ok` (a grammar from grammar.ts); `what` completes "must be ...". */
  grammar(value: unknown, path: string, required: boolean, ok: (s: string) => boolean, what: string): string | undefined {
    const s = this.string(value, path, required);
    if (s === undefined || s === '') return s;
    if (ok(s)) return s;
    this.fail(path, `must be ${what}, got ${JSON.stringify(s)}`);
    return undefined;
  }
}
