// How the inspection commands print objects for scripts: `-o json` and `-o yaml`.
import { stringify } from 'yaml';

export type ObjectFormat = 'json' | 'yaml';

export function formatObject(value: unknown, format: ObjectFormat): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}
