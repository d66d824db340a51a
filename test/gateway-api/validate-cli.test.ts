// `sluice validate` reports what serve would put in Gateway API statuses, at the field it is
// about: a listener certificate that does not resolve, a parentRef no listener matches, a backend
// that is missing (warnings; errors with --strict). Cluster-scoped kinds are named without a namespace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir } from '../support/config.ts';
import { runSluice } from '../support/sluice.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const docs = [
  { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
  {
    apiVersion: V1,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'default' },
    spec: {
      gatewayClassName: 'sluice',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'missing' }] } },
      ],
    },
  },
  {
    apiVersion: V1,
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'default' },
    spec: { parentRefs: [{ name: 'gw', sectionName: 'http' }, { name: 'gw', sectionName: 'nope' }], rules: [{ backendRefs: [{ name: 'ghost', port: 80 }] }] },
  },
];

describe('sluice validate with Gateway API objects', () => {
  let cfg: ConfigDir;
  before(async () => {
    cfg = await ConfigDir.create();
    await cfg.write('gw.yaml', docs);
    await cfg.write('dup.yaml', [docs[0] as object]);
  });
  after(async () => cfg?.cleanup());

  it('lists status problems as warnings at their fields, and a duplicate cluster-scoped object without a namespace', async () => {
    const { code, stdout, stderr } = await runSluice(['validate', cfg.dir]);
    const out = stdout + stderr;
    assert.equal(code, 1, out);
    // Files are read in path order: dup.yaml's definition is the one used.
    assert.match(out, /gw\.yaml:\d+: GatewayClass sluice: metadata\.name: duplicate GatewayClass sluice: already defined in dup\.yaml/);
    assert.match(out, /warning: gw\.yaml:\d+: Gateway default\/gw: spec\.listeners\[1\]: ResolvedRefs InvalidCertificateRef: Secret default\/missing not found/);
    assert.match(out, /warning: gw\.yaml:\d+: HTTPRoute default\/web: spec\.parentRefs\[1\]: Accepted NoMatchingParent: Gateway default\/gw has no listener with sectionName nope/);
    assert.equal(out.match(/warning: gw\.yaml:\d+: HTTPRoute default\/web: spec\.rules\[0\]\.backendRefs\[0\]: ResolvedRefs BackendNotFound: Service "default\/ghost" not found/g)?.length, 1);
  });

  it('makes them errors with --strict', async () => {
    await cfg.write('dup.yaml', []);
    const { code, stdout, stderr } = await runSluice(['validate', '--strict', cfg.dir]);
    assert.equal(code, 1);
    assert.doesNotMatch(stdout + stderr, /warning:/);
    assert.match(stdout + stderr, /gw\.yaml:\d+: Gateway default\/gw: spec\.listeners\[1\]: ResolvedRefs/);
  });
});
