// The configuration check a translator runs on a REST call, and the per-call compile cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compiledRestCall, RestCallError, restCallProblems } from '../../src/functions/rest/compile.ts';
import type { RestCall } from '../../src/functions/types.ts';

const call = (over: Partial<RestCall>): RestCall => ({
  type: 'rest',
  function: 'getPet',
  template: { headers: [[':path', '/pets/{{ default(id, "") }}']], body: { type: 'passthrough' } },
  parameters: { headers: [] },
  ...over,
});

describe('REST call configuration', () => {
  it('a good call has no problems and compiles once', () => {
    const c = call({});
    assert.deepEqual(restCallProblems(c), []);
    assert.equal(compiledRestCall(c), compiledRestCall(c));
  });

  it('names the function and field of a bad template or pattern', () => {
    assert.deepEqual(restCallProblems(call({ template: { headers: [], body: { type: 'template', text: '{% if x %}' } } })), [
      'function "getPet": body: template syntax error at 1:1: "{% if %}" has no "{% endif %}"',
    ]);
    assert.match(restCallProblems(call({ parameters: { headers: [['x-id', '{id']] } }))[0]!, /^function "getPet": parameters\.headers\["x-id"\]: "\{id" is not a valid pattern/);
    const bad = call({ template: { headers: [['x-a', '{{ nope() }}']], body: { type: 'passthrough' } } });
    assert.throws(() => compiledRestCall(bad), RestCallError);
    assert.throws(() => compiledRestCall(bad), /headers\["x-a"\]: template syntax error at 1:4: unknown function "nope"/);
  });

  it('reports header names it skips: unknown pseudo-headers and invalid names', () => {
    const c = call({ template: { headers: [[':content-type', 'application/json'], ['bad name', 'x'], [':method', 'POST']], body: { type: 'passthrough' } } });
    assert.deepEqual(restCallProblems(c), [
      'function "getPet": headers[":content-type"]: pseudo-header not supported (only :method, :path, :authority); ignored',
      'function "getPet": headers["bad name"]: not a valid header name; ignored',
    ]);
    assert.deepEqual(
      compiledRestCall(c).headers.map(([n]) => n),
      [':method'],
    );
  });
});
