// Test helper: a golden scenario file (multi-document YAML) -> the states a source would push.
// This is a deliberately minimal stand-in for the real validator (written elsewhere): a switch on
// `kind`, plus two checks on Ingress splits and paths so that a scenario can contain a rejected
// document. Test-only kinds: `Step` ends one pushed state and starts the next.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FieldError, KIngress, Rejection, Resource, Sourced } from '../../src/api/types.ts';
import type { SourceState } from '../../src/sources/types.ts';
import type { TranslateOptions } from '../../src/translate/options.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';

const KINDS = new Set(['Ingress', 'Service', 'EndpointSlice', 'Endpoints', 'Secret']);

export interface Scenario {
  readonly steps: SourceState[];
  readonly options: TranslateOptions;
}

export function loadScenario(path: string): Scenario {
  const file = basename(path);
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Record<string, unknown> | null);
  const steps: SourceState[] = [];
  let resources: Sourced[] = [];
  let rejections: Rejection[] = [];
  let options: TranslateOptions = defaultTranslateOptions;
  docs.forEach((doc, index) => {
    if (!doc) return;
    const kind = String(doc.kind);
    if (kind === 'Step') {
      steps.push({ resources, rejections });
      resources = [];
      rejections = [];
    } else if (kind === 'TranslateOptions') {
      options = { ...defaultTranslateOptions, ...(doc.options as Partial<TranslateOptions>) };
    } else if (KINDS.has(kind)) {
      const resource = doc as unknown as Resource;
      const origin = { file, doc: index };
      const errors = kind === 'Ingress' ? checkIngress(resource as KIngress) : [];
      if (errors.length === 0) resources.push({ resource, origin });
      else rejections.push({ kind, namespace: resource.metadata.namespace, name: resource.metadata.name, origin, errors });
    } else {
      throw new Error(`${file} document ${index}: unknown kind ${kind}`);
    }
  });
  steps.push({ resources, rejections });
  return { steps, options };
}

// Just enough of Knative's validation to produce realistic rejections.
function checkIngress(ing: KIngress): FieldError[] {
  const errors: FieldError[] = [];
  (ing.spec?.rules ?? []).forEach((rule, r) => {
    (rule.http?.paths ?? []).forEach((p, i) => {
      const at = `spec.rules[${r}].http.paths[${i}]`;
      if (p.path !== undefined && !p.path.startsWith('/')) errors.push({ path: `${at}.path`, message: 'must start with "/"' });
      const total = (p.splits ?? []).reduce((n, s) => n + (s.percent ?? 0), 0);
      if (!(p.splits?.length === 1 && total === 0) && total !== 100) {
        errors.push({ path: `${at}.splits`, message: `traffic split percentage must total to 100, but was ${total}` });
      }
    });
  });
  return errors;
}
