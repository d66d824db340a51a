// --kube-api-qps and --kube-api-burst: the client-side rate limit's flags, checked before anything starts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSluice } from '../support/sluice.ts';

const serve = ['serve', '--kubernetes', '--kubeconfig', '/nonexistent/kubeconfig', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];

describe('kube API rate limit flags', () => {
  it('a QPS that is not a positive number is refused naming --kube-api-qps', async () => {
    const r = await runSluice([...serve, '--kube-api-qps', '0']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--kube-api-qps: "0" must be a positive number/);
  });
  it('a burst that is not a whole number of at least 1 is refused naming --kube-api-burst', async () => {
    const r = await runSluice([...serve, '--kube-api-burst', '2.5']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--kube-api-burst: "2.5" must be a whole number of at least 1/);
  });
});
