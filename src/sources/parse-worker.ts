// The parse worker thread: reads, parses and validates the files WorkerParser sends it, one job
// after the other, and sends the results back in pieces (parse-messages.ts). It sends a message
// only when the main thread has room for it (an ack per message taken in; two may wait), so
// results queue here, not in the main thread's message queue, which Node drains in one go.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, Piece, ToWorker, WorkerInit } from './parse-messages.ts';
import { DocReuse } from './doc-reuse.ts';
import type { DocEntry } from './yaml-docs.ts';

// About this much file text per message (the main thread takes one in a couple of milliseconds).
const MESSAGE_BYTES = 256 * 1024;
const WINDOW = 2;

const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs in a worker thread');
const { limits, firstId } = workerData as WorkerInit;
// Large files are read document by document: an edit parses only the documents it changed.
const reuse = new DocReuse(firstId);
const queue: Array<Extract<ToWorker, { type: 'parse' }>> = [];
const outbox: FromWorker[] = [];
let credit = WINDOW;
let running = false;

port.on('message', (m: ToWorker) => {
  if (m.type === 'ack') {
    credit++;
    flush();
    return;
  }
  if (m.type === 'forget') {
    reuse.forget(m.rel);
    return;
  }
  queue.push(m);
  if (!running) void run();
});

function flush(): void {
  while (credit > 0 && outbox.length > 0) {
    credit--;
    port!.postMessage(outbox.shift());
  }
}

async function run(): Promise<void> {
  running = true;
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
    let pieces: Piece[] = [];
    let bytes = 0;
    const send = (done: boolean) => {
      outbox.push({ id: job!.id, pieces, done });
      pieces = [];
      bytes = 0;
      flush();
    };
    for (let index = 0; index < job.jobs.length; index++) {
      const read = reuse.read(job.jobs[index]!, limits);
      if (read.kind === 'failed') {
        pieces.push({ index, entries: [], end: { kind: 'failed', message: read.message, retry: read.retry } });
      } else {
        const { entries, syntaxErrors } = read.parsed;
        const bad = new Set(syntaxErrors);
        const syntaxAt = entries.flatMap((e, i) => (e.outcome.kind === 'rejected' && bad.has(e.outcome.rejection) ? [i] : []));
        const end = { kind: 'parsed' as const, bytes: read.bytes, ...(syntaxAt.length > 0 && { syntaxAt }), ...(read.docs !== undefined && { docs: read.docs }) };
        const perEntry = entries.length === 0 ? 0 : (read.docs?.parsedBytes ?? read.bytes) / entries.length;
        let from = 0;
        // A large file goes in several pieces, each in a message of its own.
        while (entries.length - from > 0 && bytes + (entries.length - from) * perEntry > MESSAGE_BYTES) {
          const fit = Math.max(1, Math.floor((MESSAGE_BYTES - bytes) / perEntry));
          pieces.push({ index, entries: entries.slice(from, from + fit) as DocEntry[] });
          from += fit;
          send(false);
          await turn();
        }
        pieces.push({ index, entries: from === 0 ? entries : entries.slice(from), end });
        bytes += (entries.length - from) * perEntry;
      }
      if (bytes >= MESSAGE_BYTES) send(false);
      // Lets acks in between files.
      if (index % 16 === 15) await turn();
    }
    send(true);
    await turn();
  }
  running = false;
}

function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
