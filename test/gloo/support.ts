// Translating Gloo documents in tests: each document goes through the real validator and Store,
// then the whole translator, as `serve` would read them from files.
import type { Rejection, Sourced } from '../../src/api/types.ts';
import { validateDocument } from '../../src/api/validate.ts';
import type { ObjectStatus, TranslateResult } from '../../src/snapshot/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions, type TranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

export const GW = 'gateway.solo.io/v1';
export const GLOO = 'gloo.solo.io/v1';

export function translateDocs(docs: readonly object[], options: Partial<TranslateOptions> = {}): { result: TranslateResult; rejections: Rejection[] } {
  const resources: Sourced[] = [];
  const rejections: Rejection[] = [];
  docs.forEach((doc, i) => {
    const origin = { file: 'test.yaml', doc: i };
    const out = validateDocument(doc, origin);
    if (out.kind === 'resource') resources.push({ resource: out.resource, origin });
    else if (out.kind === 'rejected') rejections.push(out.rejection);
    else throw new Error(`document ${i}: ${out.apiVersion} ${out.kindName} is not read`);
  });
  const set = new Store().update({ resources, rejections });
  return { result: translate(set, { ...defaultTranslateOptions, ...options }), rejections };
}

export function vs(name: string, spec: object, meta: object = {}): object {
  return { apiVersion: GW, kind: 'VirtualService', metadata: { name, namespace: 'default', ...meta }, spec };
}

export function routeTable(name: string, spec: object, meta: object = {}): object {
  return { apiVersion: GW, kind: 'RouteTable', metadata: { name, namespace: 'default', ...meta }, spec };
}

export function upstream(name: string, spec: object, namespace = 'default'): object {
  return { apiVersion: GLOO, kind: 'Upstream', metadata: { name, namespace }, spec };
}

/** The Gloo status of one object (its `statuses.sluice-system` entry). */
export function glooState(result: TranslateResult, kind: string, name: string, namespace = 'default'): { state: string; reason?: string; reportedBy: string; messages?: string[] } {
  const st = (result.objectStatuses ?? []).find((s: ObjectStatus) => s.kind === kind && s.name === name && s.namespace === namespace && s.apiVersion.includes('solo.io'));
  if (st === undefined) throw new Error(`no status for ${kind} ${namespace}/${name}`);
  const statuses = st.status.statuses as Record<string, { state: string; reason?: string; reportedBy: string; messages?: string[] }>;
  return statuses['sluice-system'] as { state: string; reason?: string; reportedBy: string; messages?: string[] };
}

export function glooHost(result: TranslateResult, name: string, namespace = 'default') {
  const v = result.snapshot.listeners.external.find((h) => h.name === `gloo:${namespace}/${name}`);
  if (v === undefined) throw new Error(`no virtual host for VirtualService ${namespace}/${name}`);
  return v;
}
