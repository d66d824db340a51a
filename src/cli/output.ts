// How the inspection commands print objects for scripts: `-o json` and `-o yaml`.
// `yaml` loads on first use: a plain start needs none of it (lazy-package.ts).
import { yamlPackage as yaml } from '../lazy-package.ts';

export type ObjectFormat = 'json' | 'yaml';

export function formatObject(value: unknown, format: ObjectFormat): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : yaml().stringify(value, { lineWidth: 0 });
}
