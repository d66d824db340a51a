// Host names as Knative expands them (knative.dev/networking pkg/ingress.ExpandedHosts): a host
// under the cluster domain is also reachable by its shorter in-cluster forms, so
// `hello.ns.svc.cluster.local` also serves `hello.ns.svc` and `hello.ns`. A form whose last label
// is all digits (or longer than 63 bytes) is dropped, exactly as Knative does, so
// `hello.1234.svc.cluster.local` does not produce the bare `hello.1234`.

/** Lower-cased, expanded, de-duplicated and sorted host names. */
export function expandedHosts(hosts: readonly string[], clusterDomain: string): string[] {
  const suffixes = ['.' + clusterDomain, '.svc.' + clusterDomain];
  const out = new Set<string>();
  for (const raw of hosts) {
    const h = raw.toLowerCase();
    if (isValidTopLevelDomain(h)) out.add(h);
    for (const suffix of suffixes) {
      if (h.length > suffix.length && h.endsWith(suffix)) {
        const short = h.slice(0, -suffix.length);
        if (isValidTopLevelDomain(short)) out.add(short);
      }
    }
  }
  return [...out].sort();
}

function isValidTopLevelDomain(domain: string): boolean {
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (Buffer.byteLength(tld, 'utf8') > 63) return false;
  return !/^[0-9]*$/.test(tld);
}
