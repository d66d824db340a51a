// How the inspection commands print objects for scripts: `-o json` and `-o yaml`.
import { lazyPackage } from '../lazy-package.ts';

// Loaded when printing: main.ts imports this module for every command, `serve` included.
const yaml = lazyPackage<typeof import('yaml')>('yaml');

export type ObjectFormat = 'json' | 'yaml';

export function formatObject(value: unknown, format: ObjectFormat): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : yaml().stringify(value, { lineWidth: 0 });
}
