// ext_authz with the request body (Envoy's with_request_body) through `sluice serve`: the body is
// held up to maxRequestBytes and sent in the Check (gRPC: attributes.request.http.body, or raw_body
// with packAsBytes; HTTP: as the check request's body), then forwarded whole; over the limit 413
// unless allowPartialMessage, which sends the first bytes and marks them partial. HTTP/1.1 (the
// fast path hands such routes to node:http) and HTTP/2 (curl).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { type AuthzServer, startGrpcAuthz, startHttpAuthz } from './authz-servers.ts';
import { trafficPolicy } from './helpers.ts';

const run = promisify(execFile);
const GOOD = { authorization: 'Bearer good' };

describe('ext_authz with the request body through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let grpcAuthz: AuthzServer;
  let httpAuthz: AuthzServer;
  const post = (host: string, body: string, headers: Record<string, string> = GOOD) => get(sluice.addresses.http!, `${host}.example.com`, '/submit', headers, { method: 'POST', body });

  before(async () => {
    [echo, grpcAuthz, httpAuthz] = await Promise.all([startUpstream('echo'), startGrpcAuthz(), startHttpAuthz()]);
    cfg = await ConfigDir.create();
    const site = (name: string) => ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service: 'echo' }] }] }], { annotations: { 'sluice.dev/traffic-policy': name } });
    const grpc = { grpc: { address: grpcAuthz.address }, timeout: '10s' };
    await cfg.write('config.yaml', [
      ...['grpc', 'raw', 'http', 'partial'].map(site),
      trafficPolicy('grpc', { extAuthz: { ...grpc, withRequestBody: { maxRequestBytes: 16 } } }),
      trafficPolicy('raw', { extAuthz: { ...grpc, withRequestBody: { maxRequestBytes: 16, packAsBytes: true } } }),
      trafficPolicy('http', { extAuthz: { http: { url: `http://${httpAuthz.address}/check` }, timeout: '10s', withRequestBody: { maxRequestBytes: 16 } } }),
      trafficPolicy('partial', { extAuthz: { ...grpc, withRequestBody: { maxRequestBytes: 8, allowPartialMessage: true } } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'grpc.example.com', '/', GOOD)).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all([echo?.close(), grpcAuthz?.close(), httpAuthz?.close()]);
    await cfg?.cleanup();
  });

  it('gRPC: sends the body as attributes.request.http.body, then forwards it whole', async () => {
    const r = await post('grpc', 'hello authz');
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as EchoReply).bodyBytes, 11);
    const seen = grpcAuthz.seen.at(-1)!;
    assert.equal(seen.body, 'hello authz');
    assert.equal(seen.rawBody, false);
    assert.equal(seen.headers['x-envoy-auth-partial-body'], 'false');
  });

  it('gRPC with packAsBytes: sends it as raw_body', async () => {
    const r = await post('raw', 'bytes please');
    assert.equal(r.status, 200, r.body);
    assert.equal(grpcAuthz.seen.at(-1)!.body, 'bytes please');
    assert.equal(grpcAuthz.seen.at(-1)!.rawBody, true);
  });

  it("HTTP: sends the body as the check request's body", async () => {
    const r = await post('http', 'form=1&x=2');
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as EchoReply).bodyBytes, 10);
    const seen = httpAuthz.seen.at(-1)!;
    assert.equal(seen.body, 'form=1&x=2');
    assert.equal(seen.headers['content-length'], '10');
    const denied = await post('http', 'no token', {});
    assert.equal(denied.status, 401);
    assert.equal(httpAuthz.seen.at(-1)!.body, 'no token');
  });

  it('answers 413 to a body over maxRequestBytes, without asking the server or the backend', async () => {
    const asked = grpcAuthz.seen.length;
    const forwarded = echo.requests.length;
    const r = await post('grpc', 'x'.repeat(17));
    assert.equal(r.status, 413);
    assert.equal(grpcAuthz.seen.length, asked);
    assert.equal(echo.requests.length, forwarded);
  });

  it('allowPartialMessage: sends the first maxRequestBytes, marked partial, and forwards the whole body', async () => {
    const r = await post('partial', 'abcdefghijklmnop');
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as EchoReply).bodyBytes, 16);
    const seen = grpcAuthz.seen.at(-1)!;
    assert.equal(seen.body, 'abcdefgh');
    assert.equal(seen.headers['x-envoy-auth-partial-body'], 'true');
  });

  it('tells a client awaiting 100 Continue to send its body (curl, HTTP/1.1)', async () => {
    const out = (await run('curl', ['-s', '-w', ' %{http_code}', '-H', 'host: grpc.example.com', '-H', 'authorization: Bearer good', '-H', 'expect: 100-continue', '--expect100-timeout', '30', '--data-binary', 'waited', `http://${sluice.addresses.http!}/continue`], { timeout: 10_000 })).stdout;
    assert.match(out, / 200$/);
    assert.equal(grpcAuthz.seen.at(-1)!.body, 'waited');
  });

  it('over HTTP/2 too (curl, a body without Content-Length)', async () => {
    const curl = async (host: string, body: string) =>
      (await run('curl', ['-s', '-w', ' %{http_code}', '--http2-prior-knowledge', '-H', `host: ${host}.example.com`, '-H', 'authorization: Bearer good', '-H', 'content-length:', '-H', 'transfer-encoding: chunked', '--data-binary', body, `http://${sluice.addresses.http!}/h2`], { timeout: 10_000 })).stdout;
    const ok = await curl('grpc', 'from h2');
    assert.match(ok, / 200$/);
    assert.equal((JSON.parse(ok.replace(/ 200$/, '')) as EchoReply).bodyBytes, 7);
    assert.equal(grpcAuthz.seen.at(-1)!.body, 'from h2');
    assert.match(await curl('grpc', 'y'.repeat(40)), / 413$/);
  });
});
