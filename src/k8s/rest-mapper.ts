// apiVersion + kind -> REST path, by API discovery (`/api/v1`, `/apis/GROUP/VERSION`), as kubectl maps
// them: any kind the server serves, CRDs applied a moment ago included. A group version is asked once
// and asked again when a kind is missing from it (its CRD may have been applied since).
import { KubeApiError, type KubeClient } from './client.ts';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

interface Mapping {
  readonly plural: string;
  readonly namespaced: boolean;
}

interface APIResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

export class RestMapper {
  readonly #client: KubeClient;
  readonly #cache = new Map<string, Map<string, Mapping>>();

  constructor(client: KubeClient) {
    this.#client = client;
  }

  /** The object's own path (`/apis/G/V/namespaces/NS/PLURAL/NAME`); namespaced objects without one go to `default`. */
  async path(o: ObjectRef): Promise<string> {
    const m = await this.mapping(o.apiVersion, o.kind);
    const prefix = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
    const ns = m.namespaced ? `/namespaces/${encodeURIComponent(o.metadata.namespace ?? 'default')}` : '';
    return `${prefix}${ns}/${m.plural}/${encodeURIComponent(o.metadata.name)}`;
  }

  async mapping(apiVersion: string, kind: string): Promise<Mapping> {
    let kinds = this.#cache.get(apiVersion);
    if (!kinds?.has(kind)) kinds = await this.#discover(apiVersion);
    const m = kinds.get(kind);
    // A 404, as the object's own path would answer: deleting an object whose CRD is gone finds it gone.
    if (!m) throw new KubeApiError(404, `the API server does not serve ${kind} in ${apiVersion}`);
    return m;
  }

  async #discover(apiVersion: string): Promise<Map<string, Mapping>> {
    const kinds = new Map<string, Mapping>();
    try {
      const list = await this.#client.get<APIResourceList>(apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
      // Subresources (`deployments/status`) share their parent's kind: only top-level names map.
      for (const r of list.resources ?? []) if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
    this.#cache.set(apiVersion, kinds);
    return kinds;
  }
}
