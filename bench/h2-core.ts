// `tsx bench/h2-core.ts [--requests 200000]`: Sluice's own HTTP/2 core (src/net/h2) against
// node:http2's core API, the same trivial handler (200 "hello"), one server process each (pinned to
// CPU 0 when taskset exists, h2load on CPU 1), run side by side with `h2load -c10 -m10` and
// `-c1 -m100`. Prints req/s and CPU per request (process.cpuUsage in the server) and their ratio.
// On a shared machine req/s measures the machine; read the ratio, and the load average printed.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { H2Connection } from '../src/net/h2/connection.ts';
import { pinningAvailable, which } from './proc.ts';

const HELLO = Buffer.from('hello');

/** Child mode: serve on 127.0.0.1:0, print the port, answer "cpu" lines with process.cpuUsage(). */
function serve(kind: string): void {
  let server: net.Server;
  if (kind === 'core') {
    server = net.createServer((socket) => {
      new H2Connection(socket, { maxConcurrentStreams: 256 }, (s) => {
        s.respond(200, ['content-type', 'text/plain']);
        s.write(HELLO);
        s.end();
      });
    });
  } else {
    const h2 = http2.createServer({ settings: { maxConcurrentStreams: 256 } });
    h2.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(HELLO);
    });
    server = h2;
  }
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
  });
  createInterface({ input: process.stdin }).on('line', () => {
    const u = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuUs: u.user + u.system })}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
}

interface Server {
  child: ChildProcess;
  port: number;
  cpu(): Promise<number>;
}

async function start(kind: string, pin: boolean): Promise<Server> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--serve', kind];
  const child = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const queue: ((line: string) => void)[] = [];
  lines.on('line', (l) => queue.shift()?.(l));
  const next = (): Promise<string> => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${kind} server did not answer`)), 20_000);
    queue.push((l) => {
      clearTimeout(t);
      resolve(l);
    });
  });
  const port = Number(await next());
  return {
    child,
    port,
    cpu: async () => {
      const reply = next();
      child.stdin!.write('cpu\n');
      return (JSON.parse(await reply) as { cpuUs: number }).cpuUs;
    },
  };
}

function h2load(port: number, args: string[], pin: boolean): Promise<{ rps: number; done: number; out: string }> {
  const cmd = [...(pin ? ['taskset', '-c', '1'] : []), 'h2load', ...args, `http://127.0.0.1:${port}/`];
  return new Promise((resolve) => {
    execFile(cmd[0]!, cmd.slice(1), { timeout: 300_000, maxBuffer: 4 * 1024 * 1024 }, (_err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1] ?? 0);
      const done = Number(/requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(out)?.[1] ?? 0);
      resolve({ rps, done, out });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { serve: { type: 'string' }, requests: { type: 'string', default: '200000' } } });
  if (values.serve !== undefined) return serve(values.serve);
  if (which('h2load') === undefined) throw new Error('h2load not found (apt-get install nghttp2-client)');
  const pin = pinningAvailable(cpus().length);
  const n = values.requests!;
  const servers = { core: await start('core', pin), node: await start('node', pin) };
  const shapes = [['-c10 -m10', ['-c10', '-m10']], ['-c1 -m100', ['-c1', '-m100']]] as const;
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; pinned: ${pin}`);
  const rows: string[] = ['| shape | server | req/s | CPU µs/req | req/s core÷node | CPU core÷node |', '|---|---|---:|---:|---:|---:|'];
  try {
    for (const [name, shape] of shapes) {
      const result: Partial<Record<'core' | 'node', { rps: number; cpuPerReq: number }>> = {};
      // Side by side: both warm up, then each gets its measured run.
      for (const [kind, warm] of [['core', true], ['node', true], ['core', false], ['node', false]] as const) {
        const s = servers[kind];
        const before = await s.cpu();
        const r = await h2load(s.port, ['-n', warm ? '20000' : n, ...shape], pin);
        const used = (await s.cpu()) - before;
        if (r.done === 0) throw new Error(`h2load failed against ${kind}:\n${r.out.slice(-2000)}`);
        if (!warm) result[kind] = { rps: r.rps, cpuPerReq: used / r.done };
      }
      const core = result.core!;
      const node = result.node!;
      rows.push(`| ${name} | core | ${core.rps.toFixed(0)} | ${core.cpuPerReq.toFixed(1)} | ${(core.rps / node.rps).toFixed(2)} | ${(core.cpuPerReq / node.cpuPerReq).toFixed(2)} |`);
      rows.push(`| ${name} | node:http2 | ${node.rps.toFixed(0)} | ${node.cpuPerReq.toFixed(1)} | | |`);
    }
  } finally {
    for (const s of Object.values(servers)) s.child.stdin!.end();
  }
  console.log(rows.join('\n'));
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
