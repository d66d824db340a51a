// Shared helpers for FileSource tests: a temp directory, a started source that records every
// push and log line, and bounded waits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceState } from '../../src/sources/types.ts';
import { FileSource, type FileSourceOptions } from '../../src/sources/file.ts';

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export interface Harness {
  src: FileSource;
  states: SourceState[];
  logs: LogLine[];
  parses: string[];
  latest(): SourceState;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startSource(dir: string, options: Partial<FileSourceOptions> = {}): Promise<Harness> {
  const states: SourceState[] = [];
  const logs: LogLine[] = [];
  const parses: string[] = [];
  const src = new FileSource({
    dir,
    // Watchers alone must deliver changes; the 2 s safety-net rescan would hide a missed event.
    rescanIntervalMs: 0,
    log: (level, msg, fields) => logs.push({ level, msg, ...(fields !== undefined && { fields }) }),
    onParse: (f) => parses.push(f),
    ...options,
  });
  await src.start((s) => states.push(s));
  return { src, states, logs, parses, latest: () => states[states.length - 1] as SourceState };
}

/** `Kind ns/name@file#doc` for every resource, in state order. */
export function names(state: SourceState): string[] {
  return state.resources.map((r) => `${r.resource.kind} ${r.resource.metadata.namespace}/${r.resource.metadata.name}@${r.origin.file}#${r.origin.doc}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `ok()` holds; fails after `ms` (DESIGN.md: a change is served within 1 s). */
export async function waitFor(ok: () => boolean, what: string, ms = 1000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`not observed within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

export function service(name: string, port = 80, namespace = 'default'): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {ports: [{port: ${port}}]}\n`;
}

export function servicePort(state: SourceState, name: string): number | undefined {
  const r = state.resources.find((x) => x.resource.kind === 'Service' && x.resource.metadata.name === name);
  return r?.resource.kind === 'Service' ? r.resource.spec.ports?.[0]?.port : undefined;
}
