// Combines the parsed files of a config directory into one SourceState. Pure: the same files give
// the same state. Files are taken in the order given (the caller sorts paths), so when two
// documents define the same kind/namespace/name the first in path order wins everywhere.
import { formatOrigin } from '../api/format.ts';
import type { Origin, Rejection, Sourced } from '../api/types.ts';
import type { SourceState } from './types.ts';
import type { ParsedFile } from './yaml-docs.ts';

/** Sorts by UTF-16 code units, not locale, so the order is the same on every machine. */
export function sortPaths(paths: Iterable<string>): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function mergeParsedFiles(files: Iterable<readonly [string, ParsedFile]>): SourceState {
  const resources: Sourced[] = [];
  const rejections: Rejection[] = [];
  const firstSeen = new Map<string, Origin>();
  for (const [, parsed] of files) {
    for (const { origin, outcome } of parsed.entries) {
      if (outcome.kind === 'rejected') {
        rejections.push(outcome.rejection);
      } else if (outcome.kind === 'resource') {
        const { kind, metadata } = outcome.resource;
        const namespace = metadata.namespace ?? 'default';
        const key = `${kind} ${namespace}/${metadata.name}`;
        const first = firstSeen.get(key);
        if (first === undefined) {
          firstSeen.set(key, origin);
          resources.push({ resource: outcome.resource, origin });
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
