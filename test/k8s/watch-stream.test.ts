// Watches read by Sluice itself (not client-node's Watch): newline-delimited events split across
// chunks anywhere, bookmarks passed on, junk lines skipped, a refused watch (410 Gone) reported with
// its status so the reflector relists, and abort() closing the stream without calling done.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeApiError, KubeClient, type KubeObject, type WatchEventType } from '../../src/k8s/client.ts';
import { KubeCredentials } from '../../src/k8s/kube-credentials.ts';
import { waitFor } from './helpers.ts';

describe('watch stream', () => {
  let server: Server;
  let client: KubeClient;
  let answer: (res: ServerResponse, query: URLSearchParams) => void = () => {};
  const open = new Set<ServerResponse>();
  before(async () => {
    server = createServer((req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      answer(res, new URL(req.url ?? '/', 'http://x').searchParams);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const server_ = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    client = new KubeClient(new KubeCredentials({ server: server_, insecureSkipTlsVerify: false }, { token: 't' }, 'test'), null);
  });
  after(async () => {
    for (const r of open) r.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const watch = (): Promise<{ events: Array<[WatchEventType, string | undefined]>; err: unknown; handle: { abort(): void }; query: URLSearchParams }> =>
    new Promise((resolve) => {
      const events: Array<[WatchEventType, string | undefined]> = [];
      let query = new URLSearchParams();
      const prev = answer;
      answer = (res, q) => {
        query = q;
        prev(res, q);
      };
      let handle: { abort(): void } = { abort: () => {} };
      void client
        .watch('/api/v1/services', { resourceVersion: '7', timeoutSeconds: 30 }, (t, o: KubeObject) => events.push([t, o.metadata?.resourceVersion]), (err) => resolve({ events, err, handle, query }))
        .then((h) => (handle = h));
    });

  it('reads events split across chunks anywhere, with bookmarks, skipping junk lines', async () => {
    const lines = [
      { type: 'ADDED', object: { kind: 'Service', metadata: { name: 'a', resourceVersion: '8' } } },
      'not json',
      { type: 'BOOKMARK', object: { kind: 'Service', metadata: { resourceVersion: '9' } } },
      { type: 'MODIFIED', object: { kind: 'Service', metadata: { name: 'a', resourceVersion: '10', note: 'é✓' } } },
    ]
      .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
      .join('\n');
    const bytes = Buffer.from(`${lines}\n`);
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // split every 7 bytes: inside JSON, inside a multi-byte character, at newlines
      for (let i = 0; i < bytes.length; i += 7) res.write(bytes.subarray(i, i + 7));
      res.end();
    };
    const { events, err, query } = await watch();
    assert.equal(err, null);
    assert.deepEqual(events, [['ADDED', '8'], ['BOOKMARK', '9'], ['MODIFIED', '10']]);
    assert.deepEqual([query.get('watch'), query.get('resourceVersion'), query.get('allowWatchBookmarks'), query.get('timeoutSeconds')], ['true', '7', 'true', '30']);
  });

  it('reports a refused watch with its status (410 Gone), for a relist', async () => {
    answer = (res) => res.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }));
    const { err } = await watch();
    assert.ok(err instanceof KubeApiError, String(err));
    assert.equal(err.status, 410);
    assert.match(err.message, /too old resource version/);
  });

  it('abort() closes the stream and does not call done', async () => {
    let served: ServerResponse | undefined;
    answer = (res) => {
      served = res;
      res.writeHead(200).write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { resourceVersion: '8' } } })}\n`);
    };
    let done = false;
    const events: string[] = [];
    const handle = await client.watch('/api/v1/services', { resourceVersion: '7' }, (t) => events.push(t), () => (done = true));
    await waitFor(() => events.length === 1, 5_000, 'the first event');
    handle.abort();
    await waitFor(() => served?.destroyed === true || served?.closed === true, 5_000, 'the server sees the stream closed');
    assert.equal(done, false);
  });
});
