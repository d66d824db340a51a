// restHandler against real upstream servers on 127.0.0.1: what the upstream receives, what the
// client gets back, and the failure answers (400, 503, abort).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { restHandler } from '../../src/functions/rest/handler.ts';
import type { FunctionContext, FunctionRequest, FunctionResponse, RestCall, RestTemplate } from '../../src/functions/types.ts';
import { refusedPort } from '../support/refused-port.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: number;
}

let server: http.Server;
let port: number;
const seen: Seen[] = [];
const sockets = new Map<object, number>();
let releaseStream: (() => void) | undefined;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), socket: sockets.get(req.socket)! });
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        releaseStream = () => res.end('second');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes', connection: 'keep-alive' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  releaseStream?.();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function call(template: Partial<RestTemplate>, parameters: RestCall['parameters'] = { headers: [] }, fn = 'fn'): RestCall {
  return { type: 'rest', function: fn, template: { headers: [], body: { type: 'passthrough' }, ...template }, parameters };
}

function request(method: string, path: string, headers: Record<string, string> = {}, body = ''): FunctionRequest {
  return { method, path, headers: { host: 'gateway.example', ...headers }, body: Buffer.from(body) };
}

function ctx(to: { address: string; port: number } = { address: '127.0.0.1', port }, signal = new AbortController().signal): FunctionContext {
  return { pick: () => to, signal };
}

async function text(res: FunctionResponse): Promise<string> {
  if (Buffer.isBuffer(res.body)) return res.body.toString();
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

async function last(res: FunctionResponse): Promise<Seen> {
  await text(res);
  return seen[seen.length - 1]!;
}

describe('restHandler', () => {
  it('renders :method and :path (with query) from a path parameter and passes the answer back', async () => {
    const c = call({ headers: [[':method', 'GET'], [':path', '/api/pets/{{ default(id, "") }}?verbose={{ default(verbose, "no") }}']] }, { headers: [], path: '/pets/{id}' });
    const res = await restHandler(c, request('POST', '/pets/42'), ctx());
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-upstream'], 'yes');
    assert.equal(res.headers.connection, undefined);
    assert.equal(await text(res), '{"ok":true}');
    const got = seen[seen.length - 1]!;
    assert.equal(got.method, 'GET');
    assert.equal(got.url, '/api/pets/42?verbose=no');
    assert.equal(got.headers.host, 'gateway.example');
  });

  it('keeps the client headers, sets templated ones, removes those rendering empty, drops hop-by-hop', async () => {
    const c = call({ headers: [['x-user', '{{ header("x-token") }}-{{ extraction("tenant") }}'], ['x-remove-me', ''], [':path', '/h']] }, { headers: [['x-tenant', '{tenant}']] });
    const got = await last(await restHandler(c, request('GET', '/x', { 'x-token': 't1', 'x-tenant': 'acme', 'x-remove-me': 'v', 'x-keep': 'k', connection: 'x-keep, close', te: 'trailers' }), ctx()));
    assert.equal(got.headers['x-user'], 't1-acme');
    assert.equal(got.headers['x-remove-me'], undefined);
    assert.equal(got.headers['x-keep'], 'k');
    assert.equal(got.headers.te, undefined);
  });

  it('HTTP/2 pseudo-headers the host passes along are not sent as headers; :authority becomes the host', async () => {
    const res = await restHandler(call({ headers: [[':path', '/h2']] }), { method: 'GET', path: '/', headers: { ':authority': 'h2.example', ':scheme': 'https', 'x-a': 'b' }, body: Buffer.alloc(0) }, ctx());
    const got = await last(res);
    assert.equal(res.status, 201);
    assert.equal(got.headers.host, 'h2.example');
    assert.equal(got.headers['x-a'], 'b');
  });

  it('passes the body through unchanged with its length', async () => {
    const got = await last(await restHandler(call({ headers: [[':method', 'PUT']] }), request('POST', '/p', { 'content-type': 'text/plain' }, 'raw body'), ctx()));
    assert.equal(got.method, 'PUT');
    assert.equal(got.body, 'raw body');
    assert.equal(got.headers['content-length'], '8');
  });

  it('a body template sees the JSON body fields, overridden by the parameters', async () => {
    const c = call(
      { headers: [[':path', '/pets/{{ id }}'], ['content-type', 'application/json']], body: { type: 'template', text: '{"name": "{{ name }}", "id": {{ id }}, "tag": "{{ default(tag, "none") }}"}' } },
      { headers: [], path: '/p/{id}' },
    );
    const got = await last(await restHandler(c, request('POST', '/p/7', {}, '{"name": "Rex", "id": 1}'), ctx()));
    assert.equal(got.url, '/pets/7');
    assert.deepEqual(JSON.parse(got.body), { name: 'Rex', id: 7, tag: 'none' });
    assert.equal(got.headers['content-type'], 'application/json');
  });

  it('an empty body template sends no body (Gloo discovery clears GET bodies this way)', async () => {
    const c = call({ headers: [[':method', 'GET'], [':path', '/pets/{{ default(id, "") }}'], ['content-type', ''], ['content-length', '0']], body: { type: 'template', text: '' } });
    const got = await last(await restHandler(c, request('POST', '/find', { 'content-type': 'application/json' }, '{"id": 2}'), ctx()));
    assert.equal(got.url, '/pets/2');
    assert.equal(got.method, 'GET');
    assert.equal(got.body, '');
    assert.equal(got.headers['content-type'], undefined);
    assert.equal(got.headers['content-length'], undefined);
  });

  it('merge-extractors merges the parameters into the JSON body, dotted names nested', async () => {
    const c = call({ headers: [[':path', '/m']], body: { type: 'merge-extractors' } }, { headers: [['x-owner', '{owner.name}']], path: '/m/{id}' });
    const got = await last(await restHandler(c, request('POST', '/m/5', { 'x-owner': 'ann' }, '{"a": 1, "owner": {"age": 3}}'), ctx()));
    assert.deepEqual(JSON.parse(got.body), { a: 1, owner: { age: 3, name: 'ann' }, id: '5' });
    const empty = await last(await restHandler(c, request('POST', '/m/6'), ctx()));
    assert.deepEqual(JSON.parse(empty.body), { id: '6' });
  });

  it('merge-extractors answers 400 with a clear message when the body is not a JSON object', async () => {
    const c = call({ body: { type: 'merge-extractors' } }, { headers: [], path: '/m/{id}' }, 'addPet');
    const before = seen.length;
    for (const body of ['{"a": ', '[1, 2]']) {
      const res = await restHandler(c, request('POST', '/m/1', {}, body), ctx());
      assert.equal(res.status, 400);
      const answer = JSON.parse(await text(res)) as { error: string; function: string };
      assert.equal(answer.function, 'addPet');
      assert.match(answer.error, /function "addPet": the request body is (not valid JSON|a JSON value but not an object)/);
    }
    assert.equal(seen.length, before);
  });

  it('a missing variable without default() answers 400 naming it; nothing is sent', async () => {
    const before = seen.length;
    const res = await restHandler(call({ headers: [[':path', '/pets/{{ id }}']] }), request('GET', '/'), ctx());
    assert.equal(res.status, 400);
    assert.match(JSON.parse(await text(res)).error, /variable "id" not found at 1:10/);
    assert.equal(seen.length, before);
  });

  it('hostile values cannot split headers or the request line', async () => {
    const c = call({ headers: [[':path', '/q?name={{ name }}'], ['x-name', '{{ default(h, "") }}']], body: { type: 'template', text: '' } });
    const got = await last(await restHandler(c, request('POST', '/', {}, '{"name": "a b\\r\\nX: y"}'), ctx()));
    assert.equal(got.url, '/q?name=a%20b%0D%0AX:%20y');
    const odd = await last(await restHandler(c, request('POST', '/', {}, '{"name": "\\ud800 é"}'), ctx()));
    assert.equal(odd.url, '/q?name=%EF%BF%BD%20%C3%A9');
    const res = await restHandler(c, request('POST', '/', {}, '{"name": "n", "h": "v\\r\\nx-evil: 1"}'), ctx());
    assert.equal(res.status, 400);
    assert.match(JSON.parse(await text(res)).error, /header "x-name" rendered a value with control or non-Latin-1 characters/);
    const badMethod = await restHandler(call({ headers: [[':method', '{{ m }}']], body: { type: 'template', text: '' } }), request('POST', '/', {}, '{"m": "GET /x HTTP/1.1"}'), ctx());
    assert.equal(badMethod.status, 400);
  });

  it('a body nested too deeply to write back answers 400, not a crash', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const merge = await restHandler(call({ body: { type: 'merge-extractors' } }, { headers: [], path: '/m/{id}' }), request('POST', '/m/1', {}, `{"a": ${deep}}`), ctx());
    assert.equal(merge.status, 400);
    assert.match(JSON.parse(await text(merge)).error, /nested too deeply/);
    const render = await restHandler(call({ body: { type: 'template', text: '{{ context() }}' } }), request('POST', '/', {}, deep), ctx());
    assert.equal(render.status, 400);
  });

  it('streams the answer: the first chunk arrives before the upstream has finished', async () => {
    const res = await restHandler(call({ headers: [[':path', '/stream']] }), request('GET', '/'), ctx());
    assert.ok(!Buffer.isBuffer(res.body));
    const it = (res.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(Buffer.from(first.value as Uint8Array).toString(), 'first;');
    releaseStream!();
    let rest = '';
    for (let r = await it.next(); !r.done; r = await it.next()) rest += Buffer.from(r.value).toString();
    assert.equal(rest, 'second');
  });

  it('reuses kept-alive connections to the upstream', async () => {
    const c = call({ headers: [[':path', '/ka']] });
    await last(await restHandler(c, request('GET', '/'), ctx()));
    const known = sockets.size;
    const b = await last(await restHandler(c, request('GET', '/'), ctx()));
    // an idle kept-alive connection takes it (the pool may hold several from earlier calls)
    assert.ok(b.socket < known, `a new connection (${b.socket}) for the second call`);
  });

  it('answers 503 when the binding has no endpoint or the upstream refuses the connection', async () => {
    const none = await restHandler(call({}), request('GET', '/'), { pick: () => undefined, signal: new AbortController().signal });
    assert.equal(none.status, 503);
    const refused = await restHandler(call({}, { headers: [] }, 'getPet'), request('GET', '/'), ctx({ address: '127.0.0.1', port: refusedPort() }));
    assert.equal(refused.status, 503);
    assert.deepEqual(JSON.parse(await text(refused)), { error: 'upstream unreachable (ECONNREFUSED)', function: 'getPet' });
  });

  it('aborting the signal abandons the upstream request', async () => {
    let arrived!: () => void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    let closedP!: Promise<void>;
    const slow = http.createServer((req) => {
      closedP = new Promise<void>((r) => req.socket.once('close', () => r()));
      arrived();
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    try {
      const ac = new AbortController();
      const pending = restHandler(call({}), request('GET', '/'), ctx({ address: '127.0.0.1', port: (slow.address() as AddressInfo).port }, ac.signal));
      await arrivedP;
      ac.abort(new Error('client went away'));
      await assert.rejects(pending, /client went away/);
      await closedP;
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('a bad template is a thrown configuration error naming the function and field', async () => {
    await assert.rejects(restHandler(call({ headers: [[':path', '/x/{{ id']] }, { headers: [] }, 'broken'), request('GET', '/'), ctx()), /function "broken": headers\[":path"\]: template syntax error at 1:4: unterminated "\{\{"/);
  });
});
