// Bodies stream both ways without buffering, no default timeouts or retries, upstream failures.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { get } from '../support/http.ts';

const MB = 1024 * 1024;

describe('streaming and upstream behaviour (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  const ups: Upstream[] = [];
  let sseGate: (() => void) | undefined;
  let hits503 = 0;

  before(async () => {
    const routes: Record<string, http.RequestListener> = {
      sink: (req, res) => {
        let n = 0;
        req.on('data', (d: Buffer) => (n += d.length));
        req.on('end', () => res.end(JSON.stringify({ bytes: n })));
      },
      big: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 7);
        let left = 50 * MB;
        const pump = () => {
          while (left > 0) {
            left -= chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      },
      sse: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        let i = 0;
        const next = () => {
          i++;
          res.write(`data: event ${i}\n\n`);
          if (i === 3) return void res.end();
          // The next event is sent only after the client has seen this one: a buffering proxy deadlocks here.
          new Promise<void>((r) => (sseGate = r)).then(next);
        };
        next();
      },
      slowhead: (_req, res) => void setTimeout(() => res.end('late but fine'), 10_500),
      slowbody: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        setTimeout(() => res.end('second'), 10_500);
      },
      unavailable: (_req, res) => {
        hits503++;
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('upstream says no');
      },
      resetbefore: (req) => req.socket.destroy(),
      resetafter: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 50);
      },
      trailers: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
        res.write('body');
        res.addTrailers({ 'x-checksum': 'abc123' });
        res.end();
      },
    };
    const docs: object[] = [];
    const paths = [];
    for (const [name, handler] of Object.entries(routes)) {
      const up = await startUpstream(name, handler);
      ups.push(up);
      docs.push(...backend(name, [{ ip: '127.0.0.1', port: up.port }]));
      paths.push({ path: `/${name}`, splits: [{ service: name }] });
    }
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [...docs, ingress('stream', [{ hosts: ['s.example.com'], paths }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all(ups.map((u) => u.close()));
    await cfg?.cleanup();
  });

  const reqOpts = (path: string, method = 'GET'): http.RequestOptions => {
    const [h, p] = sluice.addresses.http!.split(':');
    return { host: h, port: Number(p), path, method, headers: { host: 's.example.com' }, timeout: 30_000 };
  };

  it('streams a 100 MB upload without buffering it', async () => {
    const hwmBefore = vmHwmKb(sluice.child.pid!);
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ ...reqOpts('/sink', 'POST'), headers: { host: 's.example.com', 'content-type': 'application/octet-stream' } }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 1);
      let left = 100 * MB;
      const pump = () => {
        while (left > 0) {
          left -= chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.deepEqual(JSON.parse(body), { bytes: 100 * MB });
    const grew = (vmHwmKb(sluice.child.pid!) - hwmBefore) / 1024;
    // Buffering the upload would grow the peak by the whole body. Streaming it still leaves read
    // buffers for the garbage collector, which newer Nodes free later at full speed.
    assert.ok(grew < 85, `peak RSS grew by ${grew.toFixed(0)} MB while streaming 100 MB`);
  });

  it('streams a 50 MB download', async () => {
    const n = await new Promise<number>((resolve, reject) => {
      http.get(reqOpts('/big'), (res) => {
        let total = 0;
        res.on('data', (d: Buffer) => (total += d.length));
        res.on('end', () => resolve(total));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(n, 50 * MB);
  });

  it('delivers server-sent events one by one', async () => {
    const events = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const timer = setTimeout(() => reject(new Error(`stalled after ${JSON.stringify(got)}`)), 5000);
      http.get(reqOpts('/sse'), (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        let buf = '';
        res.on('data', (d) => {
          buf += d;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            got.push(buf.slice(0, i));
            buf = buf.slice(i + 2);
            sseGate?.();
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve(got);
        });
      }).on('error', reject);
    });
    assert.deepEqual(events, ['data: event 1', 'data: event 2', 'data: event 3']);
  });

  it('has no default timeout: 10.5 s before headers and between chunks pass through', async () => {
    const [a, b] = await Promise.all([get(sluice.addresses.http!, 's.example.com', '/slowhead', {}, { timeoutMs: 20_000 }), get(sluice.addresses.http!, 's.example.com', '/slowbody', {}, { timeoutMs: 20_000 })]);
    assert.equal(a.status, 200);
    assert.equal(a.body, 'late but fine');
    assert.equal(b.body, 'first;second');
  });

  it('does not retry: an upstream 503 reaches the client once', async () => {
    const r = await get(sluice.addresses.http!, 's.example.com', '/unavailable');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'upstream says no');
    assert.equal(hits503, 1);
  });

  it('answers 503 when the upstream resets before headers, and cuts the client when after', async () => {
    assert.equal((await get(sluice.addresses.http!, 's.example.com', '/resetbefore')).status, 503);
    await assert.rejects(get(sluice.addresses.http!, 's.example.com', '/resetafter'));
  });

  it('passes response trailers through', async () => {
    const trailers = await new Promise<NodeJS.Dict<string>>((resolve, reject) => {
      http.get({ ...reqOpts('/trailers'), headers: { host: 's.example.com', te: 'trailers' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.trailers));
      }).on('error', reject);
    });
    assert.equal(trailers['x-checksum'], 'abc123');
  });
});

function vmHwmKb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
