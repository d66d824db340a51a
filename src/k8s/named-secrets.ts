// Secrets watched one by one, by name: the non-TLS Secrets configuration names (a Gloo AWS
// Upstream's `spec.aws.secretRef`). Each is a list+watch of its namespace filtered by
// `metadata.name`, so the API server sends only that Secret and no other Secret reaches memory.
import { paths, type KubeClient, type KubeObject } from './client.ts';
import { Reflector } from './reflector.ts';

export interface NamedSecretsOptions {
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onChange: () => void;
  readonly onError?: (err: unknown) => void;
}

/** `namespace/name` of a Secret */
export type SecretKey = string;

export class NamedSecrets {
  readonly #client: KubeClient;
  readonly #opts: NamedSecretsOptions;
  readonly #watched = new Map<SecretKey, Reflector<KubeObject>>();

  constructor(client: KubeClient, opts: NamedSecretsOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  /** watch exactly these Secrets: start the new ones, stop (and forget) the ones no longer named */
  want(keys: ReadonlySet<SecretKey>): void {
    for (const [key, r] of this.#watched) {
      if (keys.has(key)) continue;
      r.stop();
      this.#watched.delete(key);
    }
    for (const key of keys) {
      if (this.#watched.has(key)) continue;
      const slash = key.indexOf('/');
      const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
      // A name that cannot be a Secret's would only earn 400s: it is never watched.
      if (!DNS_SUBDOMAIN.test(name) || !DNS_LABEL.test(namespace)) continue;
      const r = new Reflector<KubeObject>(this.#client, { ...this.#opts, path: paths.secrets(namespace), fieldSelector: `metadata.name=${name}` });
      this.#watched.set(key, r);
      r.start();
    }
  }

  /** resolves once every watched Secret has been listed, or after `boundMs` (an unreadable one must not hold up serving) */
  async synced(boundMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
    await Promise.race([Promise.all([...this.#watched.values()].map((r) => r.synced)), bound]);
    clearTimeout(timer);
  }

  /** the watched Secrets that exist */
  items(): KubeObject[] {
    return [...this.#watched.values()].flatMap((r) => r.items());
  }

  stop(): void {
    for (const r of this.#watched.values()) r.stop();
    this.#watched.clear();
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
