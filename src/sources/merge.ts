// Combines the parsed files of a config directory into one SourceState. Pure: the same files give
// the same state. Files are taken in the order given (the caller sorts paths), so when two
// documents define the same kind/namespace/name the first in path order wins everywhere.
import { formatOrigin } from '../api/format.ts';
import type { Origin, Rejection, Sourced } from '../api/types.ts';
import type { SourceState } from './types.ts';
import type { DocEntry, ParsedFile } from './yaml-docs.ts';

// Per document: the Sourced handed out and its identity key, made once per parsed document so an
// unchanged file yields the very same objects on every merge (the translator's cache relies on
// identity) and a merge of 50,000 documents allocates little.
const made = new WeakMap<DocEntry, { readonly sourced: Sourced; readonly key: string }>();

function sourcedOf(entry: DocEntry): { readonly sourced: Sourced; readonly key: string } | undefined {
  const { origin, outcome } = entry;
  if (outcome.kind !== 'resource') return undefined;
  let m = made.get(entry);
  if (m === undefined) {
    const { kind, metadata } = outcome.resource;
    m = { sourced: { resource: outcome.resource, origin }, key: `${kind} ${metadata.namespace ?? 'default'}/${metadata.name}` };
    made.set(entry, m);
  }
  return m;
}

/** Sorts by UTF-16 code units, not locale, so the order is the same on every machine. */
export function sortPaths(paths: Iterable<string>): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function mergeParsedFiles(files: Iterable<readonly [string, ParsedFile]>): SourceState {
  const resources: Sourced[] = [];
  const rejections: Rejection[] = [];
  const firstSeen = new Map<string, Origin>();
  for (const [, parsed] of files) {
    for (const entry of parsed.entries) {
      const { origin, outcome } = entry;
      if (outcome.kind === 'rejected') {
        rejections.push(outcome.rejection);
      } else if (outcome.kind === 'resource') {
        const { kind, metadata } = outcome.resource;
        const namespace = metadata.namespace ?? 'default';
        const { sourced, key } = sourcedOf(entry) as { sourced: Sourced; key: string };
        const first = firstSeen.get(key);
        if (first === undefined) {
          firstSeen.set(key, origin);
          resources.push(sourced);
        } else {
          const message = `duplicate ${key}: already defined in ${formatOrigin(first)}`;
          const path = origin.item === undefined ? 'metadata.name' : `items[${origin.item}].metadata.name`;
          rejections.push({ kind, namespace, name: metadata.name, origin, errors: [{ path, message }] });
        }
      }
    }
  }
  return Object.freeze({ resources: Object.freeze(resources), rejections: Object.freeze(rejections) });
}
