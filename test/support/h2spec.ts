// h2spec (github.com/summerwind/h2spec) for the conformance tests: where the binary is, and one
// run to completion read back from its JUnit report.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The h2spec binary named by $H2SPEC or found on PATH, if any. */
export function findH2spec(): string | undefined {
  for (const c of [process.env.H2SPEC, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'h2spec'))]) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const H2SPEC_MISSING = 'h2spec not found on PATH or in $H2SPEC (scripts/build-h2spec.sh builds it)';

export interface H2specResult {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** names of the failed cases */
  readonly failures: string[];
  readonly output: string;
}

/** Runs h2spec to completion (it exits non-zero when a case fails) and reads its JUnit report. */
export async function runH2spec(bin: string, args: readonly string[], reportFile: string): Promise<H2specResult> {
  const output = await new Promise<string>((resolve) => {
    execFile(bin, [...args, '--junit-report', reportFile], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
  let xml = '';
  try {
    xml = readFileSync(reportFile, 'utf8');
  } catch {
    // h2spec stops without a report when the server goes away mid-run
    return { passed: 0, failed: 0, skipped: 0, failures: ['(no report: h2spec stopped)'], output };
  }
  const cases = [...xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  const failures = cases.filter((m) => /<(failure|error)\b/.test(m[2] ?? '')).map((m) => /name="([^"]*)"/.exec(m[0])?.[1] ?? '?');
  const skipped = cases.filter((m) => /<skipped\b/.test(m[2] ?? '')).length;
  return { passed: cases.length - failures.length - skipped, failed: failures.length, skipped, failures, output };
}
