// External authorization through `sluice serve`: real gRPC (Envoy's protos) and HTTP authorization
// servers, TrafficPolicies named by Knative Ingress annotations, a real echo upstream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { type AuthzServer, startGrpcAuthz, startHttpAuthz } from './authz-servers.ts';
import { trafficPolicy } from './helpers.ts';

const GOOD = { authorization: 'Bearer good' };

describe('ext_authz through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let grpcAuthz: AuthzServer;
  let httpAuthz: AuthzServer;

  before(async () => {
    [echo, grpcAuthz, httpAuthz] = await Promise.all([startUpstream('echo'), startGrpcAuthz(), startHttpAuthz()]);
    cfg = await ConfigDir.create();
    const site = (name: string, policy?: string) =>
      ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service: 'echo' }] }] }], policy === undefined ? {} : { annotations: { 'sluice.dev/traffic-policy': policy } });
    await cfg.write('config.yaml', [
      site('grpc', 'grpc-authz'),
      site('http', 'http-authz'),
      site('down', 'down-authz'),
      site('open', 'open-authz'),
      site('off', 'off-authz'),
      trafficPolicy('grpc-authz', { extAuthz: { grpc: { address: grpcAuthz.address }, timeout: '2s' } }),
      trafficPolicy('http-authz', { extAuthz: { http: { url: `http://${httpAuthz.address}/check` }, timeout: '2s', headersToSend: ['authorization', 'x-trace'], headersToUpstream: ['x-user'] } }),
      // Nothing listens on port 1: the server cannot be reached.
      trafficPolicy('down-authz', { extAuthz: { grpc: { address: '127.0.0.1:1' }, failureMode: 'deny' } }),
      trafficPolicy('open-authz', { extAuthz: { http: { url: 'http://127.0.0.1:1' }, failureMode: 'allow' } }),
      trafficPolicy('off-authz', { extAuthz: { disabled: true }, rateLimit: { requests: 100, unit: 'second' } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'off.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all([echo?.close(), grpcAuthz?.close(), httpAuthz?.close()]);
    await cfg?.cleanup();
  });

  it('gRPC: allows with the server headers set upstream, and denies with its status, headers and body', async () => {
    const addr = sluice.addresses.http!;
    const ok = await getJson<EchoReply>(addr, 'grpc.example.com', '/a?b=1', { ...GOOD, 'x-trace': 't1' });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.headers['x-user'], 'alice');
    assert.equal(ok.json.headers.host, 'grpc.example.com', 'a server cannot set Host');
    const seen = grpcAuthz.seen.at(-1)!;
    assert.equal(seen.path, '/a?b=1');
    assert.equal(seen.headers['x-trace'], 't1', 'gRPC sends every header when none are listed');
    const denied = await get(addr, 'grpc.example.com', '/a');
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Bearer');
    assert.equal(denied.body, 'denied by grpc');
  });

  it('HTTP: sends the listed headers to the server under its path prefix, copies back only the listed ones', async () => {
    const addr = sluice.addresses.http!;
    const ok = await getJson<EchoReply>(addr, 'http.example.com', '/x', { ...GOOD, 'x-trace': 't2', cookie: 'secret' });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.headers['x-user'], 'alice');
    assert.equal(ok.json.headers['x-not-listed'], undefined);
    const seen = httpAuthz.seen.at(-1)!;
    assert.equal(seen.path, '/check/x');
    assert.equal(seen.headers['x-trace'], 't2');
    assert.equal(seen.headers.cookie, undefined, 'unlisted headers stay with the gateway');
    const denied = await get(addr, 'http.example.com', '/x');
    assert.deepEqual([denied.status, denied.body, denied.headers['www-authenticate']], [401, 'denied by http', 'Bearer']);
  });

  it('times out a silent server and applies the failure mode: deny answers 403, allow goes upstream', async () => {
    const addr = sluice.addresses.http!;
    const started = performance.now();
    assert.equal((await get(addr, 'http.example.com', '/slow', GOOD)).status, 403);
    assert.ok(performance.now() - started < 4500);
    assert.equal((await get(addr, 'grpc.example.com', '/slow', GOOD)).status, 403);
    assert.equal((await get(addr, 'down.example.com', '/', GOOD)).status, 403);
    assert.equal((await get(addr, 'open.example.com', '/', GOOD)).status, 200);
  });

  it('disabled: true switches ext_authz off for the route', async () => {
    const before = grpcAuthz.seen.length + httpAuthz.seen.length;
    assert.equal((await get(sluice.addresses.http!, 'off.example.com', '/')).status, 200);
    assert.equal(grpcAuthz.seen.length + httpAuthz.seen.length, before);
  });
});
