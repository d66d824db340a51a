// The harness's pure parts: generator output parsing, ratios, generated configs (accepted by the real
// nginx/HAProxy when installed) and the generated Knative resources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseAutocannon, parseH2load, parseWrk, wrkScript } from '../../bench/load.ts';
import { editLine, median, rate, type Row } from '../../bench/report.ts';
import { nginxProxyConf } from '../../bench/contenders/nginx.ts';
import { haproxyConf } from '../../bench/contenders/haproxy.ts';
import { nginxUpstreamConf } from '../../bench/upstream.ts';
import { appYaml, scaleApp } from '../../bench/ingress-gen.ts';
import { SCALE_SHAPES, scaleShapesByNames } from '../../bench/scale.ts';
import { scenarios, SPLIT_HEADER } from '../../bench/scenarios.ts';
import { which } from '../../bench/proc.ts';
import type { LoadResult } from '../../bench/types.ts';
import type { Endpoints, KIngress, Resource, Service } from '../../src/api/types.ts';

test('parseWrk reads the JSON line the Lua script prints', () => {
  const r = parseWrk('Running 1s test\nWRKJSON {"requests":2000,"duration_us":2000000,"p50_us":150,"p99_us":900,"errors":3,"non2xx":4}\n');
  assert.deepEqual(r, { generator: 'wrk', requests: 2000, seconds: 2, rps: 1000, p50Ms: 0.15, p99Ms: 0.9, errors: 3, non2xx: 4 });
  assert.throws(() => parseWrk('Running 1s test\n'), /wrk printed no summary/);
});

test('wrkScript sets the body and a single Host header', () => {
  const s = wrkScript('POST', 1024, { host: 'a.example.com' });
  assert.match(s, /wrk.method = "POST"/);
  assert.match(s, /string.rep\("x", 1024\)/);
  assert.match(s, /wrk.headers\["Host"\] = "a.example.com"/);
  assert.doesNotMatch(s, /wrk.headers\["host"\]/);
});

test('parseH2load takes req/s from the summary and percentiles from the request log', () => {
  const stdout = [
    'finished in 2.00s, 500.50 req/s, 10KB/s',
    'requests: 1001 total, 1001 started, 1001 done, 1000 succeeded, 1 failed, 1 errored, 0 timeout',
    'status codes: 1000 2xx, 0 3xx, 0 4xx, 0 5xx',
  ].join('\n');
  // durations 1..100 µs in shuffled order: p50 is the 51st smallest, p99 the 100th
  const log = Array.from({ length: 100 }, (_, i) => `1700000000\t200\t${((i * 37) % 100) + 1}`).join('\n');
  const r = parseH2load(stdout, log);
  assert.equal(r.rps, 500.5);
  assert.equal(r.requests, 1000);
  assert.equal(r.errors, 1);
  assert.equal(r.p50Ms, 0.051);
  assert.equal(r.p99Ms, 0.1);
});

test('parseAutocannon reads its --json output', () => {
  const r = parseAutocannon('noise\n{"requests":{"total":300,"average":100},"latency":{"p50":2,"p99":9},"duration":3,"errors":1,"timeouts":1,"non2xx":5}');
  assert.deepEqual(r, { generator: 'autocannon', requests: 300, seconds: 3, rps: 100, p50Ms: 2, p99Ms: 9, errors: 2, non2xx: 5 });
});

const load = (rps: number, p50Ms: number, p99Ms: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms, p99Ms, errors: 0, non2xx: 0 });

test('rate divides by nginx and by the best Node peer of the same scenario', () => {
  const rows: Row[] = [
    { scenario: 'small', contender: 'sluice', nodePeer: false, status: 'ok', load: load(600, 2, 8) },
    { scenario: 'small', contender: 'nginx', nodePeer: false, status: 'ok', load: load(1000, 1, 4) },
    { scenario: 'small', contender: 'http-proxy', nodePeer: true, status: 'ok', load: load(200, 4, 40) },
    { scenario: 'small', contender: 'fastify-http-proxy', nodePeer: true, status: 'ok', load: load(300, 5, 16) },
    { scenario: '64k', contender: 'nginx', nodePeer: false, status: 'ok', load: load(10, 1, 1) },
    { scenario: '64k', contender: 'sluice', nodePeer: false, status: 'failed', reason: 'x' },
  ];
  const [sluice, , , , , failed] = rate(rows);
  assert.deepEqual(sluice!.vsNginx, { rps: 0.6, p50: 2, p99: 2 });
  assert.deepEqual(sluice!.vsBestNode, { rps: 2, p50: 0.4, p99: 0.5, peer: 'fastify-http-proxy' });
  assert.deepEqual(failed!.vsNginx, { rps: null, p50: null, p99: null });
  assert.equal(failed!.vsBestNode.peer, null, 'no Node peer ran in 64k');
});

test('generated nginx and HAProxy configs are accepted by the real binaries', { skip: !which('nginx') && !which('haproxy') && 'neither nginx nor haproxy is installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-conf-'));
  try {
    for (const s of scenarios) {
      if (which('nginx')) {
        const conf = join(dir, `proxy-${s.name}.conf`);
        writeFileSync(conf, nginxProxyConf(dir, 40001, { portA: 40002, portB: 40003 }, s));
        const r = spawnSync(which('nginx')!, ['-t', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
        assert.equal(r.status, 0, `nginx -t (${s.name}): ${r.stderr}`);
      }
      if (which('haproxy')) {
        const conf = join(dir, `haproxy-${s.name}.cfg`);
        writeFileSync(conf, haproxyConf(40001, { portA: 40002, portB: 40003 }, s));
        const r = spawnSync(which('haproxy')!, ['-c', '-f', conf], { encoding: 'utf8' });
        assert.equal(r.status, 0, `haproxy -c (${s.name}): ${r.stderr}${r.stdout}`);
      }
    }
    if (which('nginx')) {
      const conf = join(dir, 'upstream.conf');
      writeFileSync(conf, nginxUpstreamConf(dir, dir, 40002, 40003, 40004));
      const r = spawnSync(which('nginx')!, ['-t', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `nginx -t (upstream): ${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a scale app is an Ingress with two rules of four paths split 90/10, plus its Services and Endpoints', () => {
  const docs = parseAllDocuments(appYaml(scaleApp(42, 7001, 7002))).map((d) => d.toJS() as Resource);
  assert.deepEqual(docs.map((d) => d.kind), ['Ingress', 'Service', 'Endpoints', 'Service', 'Endpoints']);
  const ing = docs[0] as KIngress;
  assert.equal(ing.metadata.name, 'app-00042');
  const rules = ing.spec.rules ?? [];
  assert.deepEqual(rules.map((r) => [r.hosts?.[0], r.visibility]), [
    ['app-00042.bench.example.com', 'ExternalIP'],
    ['app-00042.bench.svc.cluster.local', 'ClusterLocal'],
  ]);
  for (const rule of rules) {
    const paths = rule.http?.paths ?? [];
    assert.deepEqual(paths.map((p) => p.path), ['/api', '/static', '/v1', '/']);
    for (const p of paths) {
      assert.deepEqual(p.splits.map((s) => [s.serviceName, s.percent, s.appendHeaders?.[SPLIT_HEADER]]), [
        ['app-00042-a', 90, 'app-00042-a'],
        ['app-00042-b', 10, 'app-00042-b'],
      ]);
    }
  }
  const endpoints = docs.filter((d): d is Endpoints => d.kind === 'Endpoints');
  assert.deepEqual(endpoints.map((d) => d.subsets?.[0]?.ports?.[0]?.port), [7001, 7002]);
  const services = docs.filter((d): d is Service => d.kind === 'Service');
  assert.deepEqual(services.map((d) => d.spec.ports?.[0]?.targetPort), [7001, 7002]);
});

test('the scale run reports the median edit, and every edit in order', () => {
  assert.equal(median([116, 60, 62, 65, 59]), 62);
  assert.equal(median([null, 80, 40]), 60, 'an edit not served is left out of the median');
  assert.equal(median([null]), null);
  const base = { shape: 'one-per-file', ingresses: 1, files: 1, configBytes: 1, coldReadyMs: 1, coldParseMs: 1, coldTranslateMs: 1, rssBytes: null, endRoute: load(1, 1, 1), oneIngress: load(1, 1, 1), endVsOne: 1 };
  assert.equal(editLine({ ...base, editToServedMs: 62, editsMs: [116, 60, 62, 65, 59] }), '62 ms (median of 5 edits: 116, 60, 62, 65, 59 ms)');
  assert.equal(editLine({ ...base, editToServedMs: 60, editsMs: [null, 80, 40] }), '60 ms (median of 3 edits: not served, 80, 40 ms)');
  assert.equal(editLine({ ...base, editToServedMs: null, editsMs: [null] }), 'not observed');
});

test('the scale run picks its file shapes by name, in a fixed order, and refuses an unknown one', () => {
  assert.deepEqual(scaleShapesByNames(['all', 'one']).map((s) => s.name), ['one-per-file', 'one-file']);
  assert.deepEqual(scaleShapesByNames(['100']).map((s) => [s.name, s.perFile]), [['100-per-file', 100]]);
  assert.deepEqual(SCALE_SHAPES.map((s) => s.name), ['one-per-file', '100-per-file', 'one-file']);
  assert.throws(() => scaleShapesByNames(['ten']), /--scale-shapes: unknown shape "ten"/);
});
