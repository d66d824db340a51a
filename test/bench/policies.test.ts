// The policy bench scenarios (`npm run bench -- --scenarios pol`) are registered, their config
// validates on this build (or the scenario says why it is skipped), and each is divided by the same
// route without a policy. No load is run here: the machine is shared, and no timing is asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { validateDocument } from '../../src/api/validate.ts';
import { POL_BASELINE, jwtMaterial, polConfig, polScenarios, polScenariosByNames, scenarioHeaders } from '../../bench/pol-config.ts';
import { polLines, ratePolicies } from '../../bench/pol-run.ts';
import type { LoadResult } from '../../bench/types.ts';

const RUN = join(import.meta.dirname, '..', '..', 'bench', 'run.ts');
const ADDRESSES = { backendPort: 18080, authz: '127.0.0.1:19000' };

describe('policy bench scenarios', () => {
  it('are named pol-* and selected by `pol`, the plain route always with them', () => {
    assert.deepEqual(polScenarios.map((s) => s.name), ['pol-plain', 'pol-retries', 'pol-ratelimit', 'pol-ext-authz', 'pol-jwt']);
    assert.deepEqual(polScenariosByNames(['pol']).map((s) => s.name), polScenarios.map((s) => s.name));
    assert.deepEqual(polScenariosByNames(['pol-jwt']).map((s) => s.name), [POL_BASELINE, 'pol-jwt']);
    assert.deepEqual(polScenariosByNames(['small']), []);
  });

  it('are listed by the harness usage', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const s of polScenarios) assert.match(r.stdout, new RegExp(s.name));
  });

  it('serve one config that validates, leaving out only the policies this build rejects, with why', async () => {
    const jwt = await jwtMaterial();
    const cfg = polConfig(polScenarios, ADDRESSES, jwt);
    const docs = parseAllDocuments(cfg.yaml).map((d) => d.toJS() as Record<string, unknown>);
    for (const [i, doc] of docs.entries()) {
      const out = validateDocument(doc, { file: 'policies.yaml', line: i });
      assert.notEqual(out.kind, 'rejected', JSON.stringify(out));
    }
    // Rate limits and ext_authz are this branch's own: always served.
    assert.equal(cfg.unsupported.has('pol-ratelimit'), false);
    assert.equal(cfg.unsupported.has('pol-ext-authz'), false);
    for (const [name, why] of cfg.unsupported) {
      assert.ok(name === 'pol-retries' || name === 'pol-jwt', `${name} rejected: ${why}`);
      assert.match(why, /rejects its TrafficPolicy: spec\./);
    }
    const ingresses = docs.filter((d) => d.kind === 'Ingress').map((d) => (d.metadata as { name: string }).name);
    assert.deepEqual(ingresses, polScenarios.filter((s) => !cfg.unsupported.has(s.name)).map((s) => s.name));
    assert.match(scenarioHeaders(polScenarios.find((s) => s.name === 'pol-jwt')!, jwt).authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('are each divided by the plain route, skipped ones said so', () => {
    const load = (rps: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms: 1000 / rps, p99Ms: 4000 / rps, errors: 0, non2xx: 0 });
    const best = new Map([['pol-plain', load(1000)], ['pol-ratelimit', load(800)]] as const);
    const rows = ratePolicies(polScenarios, best, new Map(), new Map([['pol-jwt', 'this build rejects its TrafficPolicy: spec.jwt: unknown field']]));
    const rl = rows.find((r) => r.scenario === 'pol-ratelimit')!;
    assert.equal(rl.status, 'ok');
    assert.deepEqual(rl.vsBaseline, { rps: 0.8, p50: 1.25, p99: 1.25 });
    assert.equal(rows.find((r) => r.scenario === 'pol-plain')!.baseline, null);
    assert.equal(rows.find((r) => r.scenario === 'pol-jwt')!.status, 'skipped');
    assert.equal(rows.find((r) => r.scenario === 'pol-retries')!.status, 'failed', 'not measured');
    const text = polLines({ rows }).join('\n');
    assert.match(text, /pol-ratelimit\s+800 req\/s.*÷pol-plain: req\/s 0\.80x/);
    assert.match(text, /pol-jwt\s+skipped: this build rejects/);
  });
});
