// A package loaded on first use, synchronously: `sluice serve` on a plain Knative configuration
// starts without the libraries only some configurations or some traffic need (the `yaml` package
// reads files the fast YAML readers decline and finds the lines of errors; undici carries what the
// raw-socket fast path does not). Loading them costs a cold start about a tenth of a second of CPU.
// `require` of a CommonJS package gives the same instance an `import` of it would.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `() => the package`, loaded by the first call. `T`: `typeof import('name')`. */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

/** The `yaml` package: it reads files the fast YAML readers decline, finds the lines of errors, prints `-o yaml`. */
export const yamlPackage = lazyPackage<typeof import('yaml')>('yaml');
