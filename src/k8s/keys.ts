// The `namespace/name` keys the Kubernetes side keeps by the thousands (watch caches, what was pushed,
// who names which backend, status bookkeeping). A template literal of 13 characters or more is a V8
// cons string: a 32-byte node over its parts, here a new `namespace/` string for every key, about
// twice the bytes of the key. Array.prototype.join builds one flat string.

/** `namespace/name`, as one flat string. */
export function objectKey(namespace: string | undefined, name: string | undefined): string {
  return [namespace ?? '', '/', name ?? ''].join('');
}

/** `kind key` (the store's keys, e.g. `Service ns/name`), as one flat string. */
export function kindKey(kind: string, key: string): string {
  return [kind, ' ', key].join('');
}
