// Validation of the Kubernetes objects a KIngress points at: Service, EndpointSlice, Endpoints
// and Secret. Only the fields Sluice reads are checked, with the rules the Kubernetes API server
// applies to them, so a file that Sluice accepts would also be accepted by a cluster.
import { isIP } from 'node:net';
import { type Check, field, index, isDNSLabel, isDNSSubdomain, isObject, type Json } from './check.ts';
import { CONFIG_SLUICE, checkConfigSluice } from '../sources/config-sluice.ts';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;

export function checkService(c: Check, doc: Json): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  const type = c.oneOf(spec.type, 'spec.type', SERVICE_TYPES);
  c.string(spec.clusterIP, 'spec.clusterIP');
  if (type === 'ExternalName') {
    const name = c.string(spec.externalName, 'spec.externalName', true);
    if (name !== undefined && !isDNSSubdomain(name.toLowerCase())) c.fail('spec.externalName', 'must be a DNS name');
    // Ports are optional here: a split's numeric servicePort is used as the external port.
    const ports = c.array(spec.ports, 'spec.ports');
    if (ports !== undefined) checkServicePorts(c, ports);
    return;
  }
  const ports = c.nonEmptyArray(spec.ports, 'spec.ports');
  if (ports !== undefined) checkServicePorts(c, ports);
}

function checkServicePorts(c: Check, ports: unknown[]): void {
  const names = new Set<string>();
  ports.forEach((value, i) => {
    const at = index('spec.ports', i);
    const p = c.object(value, at, true);
    if (p === undefined) return;
    c.port(p.port, field(at, 'port'), true);
    c.portOrName(p.targetPort, field(at, 'targetPort'));
    c.oneOf(p.protocol, field(at, 'protocol'), PROTOCOLS);
    c.string(p.appProtocol, field(at, 'appProtocol'));
    const name = c.string(p.name, field(at, 'name'));
    // Kubernetes: with more than one port every port needs a unique DNS-label name.
    if (name === undefined || name === '') {
      if (ports.length > 1) c.fail(field(at, 'name'), 'required when a Service has more than one port');
    } else if (!isDNSLabel(name)) {
      c.fail(field(at, 'name'), 'must be a DNS label (lower-case letters, digits, "-")');
    } else if (names.has(name)) {
      c.fail(field(at, 'name'), `duplicate port name ${JSON.stringify(name)}`);
    } else {
      names.add(name);
    }
  });
}

export function checkEndpointSlice(c: Check, doc: Json): void {
  const addressType = c.oneOf(doc.addressType, 'addressType', ADDRESS_TYPES);
  const endpoints = c.array(doc.endpoints, 'endpoints', true);
  endpoints?.forEach((value, i) => {
    const at = index('endpoints', i);
    const ep = c.object(value, at, true);
    if (ep === undefined) return;
    const addresses = c.nonEmptyArray(ep.addresses, field(at, 'addresses'));
    addresses?.forEach((a, j) => checkAddress(c, a, index(field(at, 'addresses'), j), addressType ?? 'IP'));
    const cond = c.object(ep.conditions, field(at, 'conditions'));
    if (cond !== undefined) {
      for (const k of ['ready', 'serving', 'terminating']) c.boolean(cond[k], field(field(at, 'conditions'), k));
    }
    c.string(ep.hostname, field(at, 'hostname'));
    c.string(ep.nodeName, field(at, 'nodeName'));
  });
  const ports = c.array(doc.ports, 'ports');
  ports?.forEach((value, i) => {
    const at = index('ports', i);
    const p = c.object(value, at, true);
    if (p === undefined) return;
    c.string(p.name, field(at, 'name'));
    c.port(p.port, field(at, 'port'));
    c.oneOf(p.protocol, field(at, 'protocol'), PROTOCOLS);
    c.string(p.appProtocol, field(at, 'appProtocol'));
  });
}

function checkAddress(c: Check, value: unknown, path: string, type: 'IPv4' | 'IPv6' | 'FQDN' | 'IP'): void {
  const a = c.string(value, path, true);
  if (a === undefined) return;
  const family = isIP(a);
  const ok =
    type === 'FQDN' ? isDNSSubdomain(a.toLowerCase()) : type === 'IPv4' ? family === 4 : type === 'IPv6' ? family === 6 : family !== 0;
  if (!ok) c.fail(path, type === 'FQDN' ? 'must be a DNS name' : `must be an ${type === 'IP' ? 'IP' : type} address`);
}

export function checkEndpoints(c: Check, doc: Json): void {
  const subsets = c.array(doc.subsets, 'subsets');
  subsets?.forEach((value, i) => {
    const at = index('subsets', i);
    const s = c.object(value, at, true);
    if (s === undefined) return;
    for (const key of ['addresses', 'notReadyAddresses']) {
      const list = c.array(s[key], field(at, key));
      list?.forEach((a, j) => {
        const aAt = index(field(at, key), j);
        const addr = c.object(a, aAt, true);
        if (addr === undefined) return;
        checkAddress(c, addr.ip, field(aAt, 'ip'), 'IP');
        c.string(addr.hostname, field(aAt, 'hostname'));
      });
    }
    const ports = c.array(s.ports, field(at, 'ports'));
    ports?.forEach((p, j) => {
      const pAt = index(field(at, 'ports'), j);
      const port = c.object(p, pAt, true);
      if (port === undefined) return;
      c.string(port.name, field(pAt, 'name'));
      c.port(port.port, field(pAt, 'port'), true);
      c.oneOf(port.protocol, field(pAt, 'protocol'), PROTOCOLS);
      c.string(port.appProtocol, field(pAt, 'appProtocol'));
    });
  });
}

/** ConfigMap: only `data` (a string map) is read, for the CA bundles Gateways name and config-sluice's keys. */
export function checkConfigMap(c: Check, doc: Json): void {
  const data = c.stringMap(doc.data, 'data');
  if (isObject(doc.metadata) && doc.metadata.name === CONFIG_SLUICE) checkConfigSluice(c, data);
}

const TLS_KEYS = ['tls.crt', 'tls.key'] as const;

export function checkSecret(c: Check, doc: Json): void {
  const type = c.string(doc.type, 'type');
  const data = c.stringMap(doc.data, 'data');
  const stringData = c.stringMap(doc.stringData, 'stringData');
  if (data !== undefined) {
    for (const [k, v] of Object.entries(data)) {
      if (!isBase64(v)) c.fail(field('data', k), 'must be base64');
    }
  }
  if (type !== 'kubernetes.io/tls') return;
  for (const key of TLS_KEYS) {
    const text = stringData?.[key];
    const raw = data?.[key];
    if (text !== undefined) {
      if (text.trim() === '') c.fail(field('stringData', key), 'must not be empty');
    } else if (raw === undefined) {
      c.fail(field('data', key), 'required for a kubernetes.io/tls Secret (in data or stringData)');
    } else if (isBase64(raw) && raw.trim() === '') {
      c.fail(field('data', key), 'must not be empty');
    }
  }
}

// Kubernetes stores `data` values as standard base64; YAML block scalars may wrap them in lines.
function isBase64(s: string): boolean {
  const compact = s.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}
