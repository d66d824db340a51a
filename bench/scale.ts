// The scale run: Sluice on 10,000 ingresses (two splits, four paths, two visibilities each).
// Measures cold start to ready, one file edit to the change being served, RSS, and the throughput of
// the route at the end of the table against the same route in a one-ingress table.
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appYaml, scaleApp, writeScaleConfig } from './ingress-gen.ts';
import { measure } from './load.ts';
import { rssBytes, sleep } from './proc.ts';
import { statusOf } from './probe.ts';
import { startSluice } from './contenders/sluice.ts';
import { scenarioByName } from './scenarios.ts';
import type { ScaleReport } from './report.ts';
import type { LoadOptions, Upstream } from './types.ts';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { Store } from '../src/store/store.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';

export interface ScaleOptions {
  readonly ingresses: number;
  readonly upstream: Upstream;
  readonly workDir: string;
  readonly proxyCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly log: (line: string) => void;
}

export async function runScale(o: ScaleOptions): Promise<ScaleReport> {
  const dir = join(o.workDir, 'scale');
  o.log(`scale: writing ${o.ingresses} ingresses`);
  const fileOf = writeScaleConfig(dir, o.ingresses, o.upstream.portA, o.upstream.portB);
  const { files, bytes } = dirSize(dir);
  const last = scaleApp(o.ingresses - 1, o.upstream.portA, o.upstream.portB);
  const small = scenarioByName('small');
  const split = await coldSplit(dir);
  o.log(`scale: in-process cold parse (read + YAML + validation) ${split.parseMs.toFixed(0)} ms, cold translate (store + translate) ${split.translateMs.toFixed(0)} ms`);

  o.log('scale: starting sluice from cold');
  const s = await startSluice({ configDir: dir, cpus: o.proxyCpus, readyTimeoutMs: 600_000 });
  let endRoute, rss, editMs;
  try {
    if ((await statusOf(s.httpPort, last.host, '/small')) !== 200) throw new Error(`the last ingress (${last.host}) does not answer 200 after ready`);
    endRoute = await measure({ ...o.load, url: `http://127.0.0.1:${s.httpPort}/small`, headers: { host: last.host }, scenario: small, workDir: o.workDir });
    rss = rssBytes(s.pid, true) ?? null;
    editMs = await timeEdit(s.httpPort, fileOf(Math.floor(o.ingresses / 2)), Math.floor(o.ingresses / 2), o.upstream);
  } finally {
    await s.stop();
  }

  o.log('scale: one-ingress table');
  const oneDir = join(o.workDir, 'scale-one');
  writeScaleConfig(oneDir, 1, o.upstream.portA, o.upstream.portB);
  const first = scaleApp(0, o.upstream.portA, o.upstream.portB);
  const s1 = await startSluice({ configDir: oneDir, cpus: o.proxyCpus, readyTimeoutMs: 60_000 });
  let oneIngress;
  try {
    oneIngress = await measure({ ...o.load, url: `http://127.0.0.1:${s1.httpPort}/small`, headers: { host: first.host }, scenario: small, workDir: o.workDir });
  } finally {
    await s1.stop();
  }
  return {
    ingresses: o.ingresses,
    files,
    configBytes: bytes,
    coldReadyMs: s.readyMs,
    editToServedMs: editMs,
    rssBytes: rss,
    endRoute,
    oneIngress,
    endVsOne: oneIngress.rps > 0 ? endRoute.rps / oneIngress.rps : 0,
  };
}

/**
 * Cold start split in two, in this process: reading and parsing the config directory, then the
 * Store and one translation from scratch. `coldReadyMs` (spawn to /ready) is the sum plus the rest.
 */
export async function coldSplit(dir: string): Promise<{ parseMs: number; translateMs: number }> {
  const t0 = performance.now();
  const config = new ConfigDir(dir);
  await config.scan('');
  const state = config.state();
  const t1 = performance.now();
  translate(new Store().update(state), defaultTranslateOptions);
  return { parseMs: t1 - t0, translateMs: performance.now() - t1 };
}

/** Rewrites app i's file with a new host (write to a temp file, then rename, as editors do) and times until it answers. */
async function timeEdit(port: number, file: string, i: number, up: Upstream): Promise<number | null> {
  const app = scaleApp(i, up.portA, up.portB);
  const host = `edited-${Date.now()}.bench.example.com`;
  if ((await statusOf(port, host, '/small')) === 200) throw new Error(`${host} answers before the edit`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, appYaml({ ...app, host }));
  const t0 = performance.now();
  renameSync(tmp, file);
  const deadline = t0 + 60_000;
  while (performance.now() < deadline) {
    if ((await statusOf(port, host, '/small')) === 200) return performance.now() - t0;
    await sleep(5);
  }
  return null;
}

function dirSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(join(dir, e));
    if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

