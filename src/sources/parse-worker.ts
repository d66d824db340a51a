// The parse worker thread: reads, parses and validates the files WorkerParser sends it, one job
// after the other, and sends the results back in pieces (parse-messages.ts). It sends a message
// only when the main thread has room for it (an ack per message taken in; two may wait), so
// results queue here, not in the main thread's message queue, which Node drains in one go.
// It keeps nothing of a file once read: what it remembered (doc-reuse.ts) goes back with the
// reading, so the gateway's thread reads the file's next versions and the worker can end when idle.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, Piece, ToWorker, WorkerInit } from './parse-messages.ts';
import { DocReuse } from './doc-reuse.ts';
import type { FileRead } from './read-file.ts';
import type { Rejection } from '../api/types.ts';

// About this much file text per message (the main thread takes one in a couple of milliseconds).
const MESSAGE_BYTES = 256 * 1024;
const WINDOW = 2;

const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs in a worker thread');
const { limits, firstId } = workerData as WorkerInit;
// Large files are read document by document: an edit parses only the documents it changed.
const reuse = new DocReuse(firstId);
const queue: Array<Extract<ToWorker, { type: 'parse' }>> = [];
const outbox: Array<{ readonly message: FromWorker; readonly transfer: ArrayBuffer[] }> = [];
let credit = WINDOW;
let running = false;
let onDrained: (() => void) | undefined;

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
    const next = outbox.shift()!;
    port!.postMessage(next.message, next.transfer);
  }
  if (outbox.length === 0 && onDrained !== undefined) {
    const resolve = onDrained;
    onDrained = undefined;
    resolve();
  }
}

async function run(): Promise<void> {
  running = true;
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
    let pieces: Piece[] = [];
    let transfer: ArrayBuffer[] = [];
    let bytes = 0;
    const send = (done: boolean) => {
      outbox.push({ message: { id: job!.id, pieces, done }, transfer });
      pieces = [];
      transfer = [];
      bytes = 0;
      flush();
    };
    for (let index = 0; index < job.jobs.length; index++) {
      // A large file's entries go in pieces as they are parsed, each once the main thread has room
      // for it: the worker never holds a whole file's entries (they were 180 MiB of its heap after
      // a cold read of 47.6 MB, kept until its next collection).
      const reading = reuse.readPieces(job.jobs[index]!, limits, MESSAGE_BYTES);
      let sent = 0;
      const rejectedAt = new Map<Rejection, number>();
      let read: FileRead | undefined;
      while (read === undefined) {
        const step = reading.next();
        if (step.done) {
          read = step.value;
          break;
        }
        step.value.forEach((e, k) => e.outcome.kind === 'rejected' && rejectedAt.set(e.outcome.rejection, sent + k));
        pieces.push({ index, entries: step.value });
        sent += step.value.length;
        send(false);
        await drained();
      }
      if (read.kind === 'failed') {
        reuse.forget(job.jobs[index]!.rel);
        pieces.push({ index, entries: [], end: { kind: 'failed', message: read.message, retry: read.retry } });
      } else if (read.kind === 'unsettled') {
        pieces.push({ index, entries: [], end: read });
      } else {
        const { entries, syntaxErrors } = read.parsed;
        entries.forEach((e, k) => e.outcome.kind === 'rejected' && rejectedAt.set(e.outcome.rejection, sent + k));
        const syntaxAt = (syntaxErrors ?? []).map((r) => rejectedAt.get(r) as number);
        const remembered = reuse.handOver(job.jobs[index]!.rel);
        const end = { kind: 'parsed' as const, bytes: read.bytes, ...(syntaxAt.length > 0 && { syntaxAt }), ...(read.docs !== undefined && { docs: read.docs }), ...(remembered !== undefined && { remembered }) };
        pieces.push({ index, entries, end });
        bytes += read.docs?.parsedBytes ?? read.bytes;
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

/** Resolves once every message queued has been posted (the main thread acked enough of them). */
function drained(): Promise<void> {
  if (outbox.length === 0) return Promise.resolve();
  return new Promise((r) => (onDrained = r));
}

function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
