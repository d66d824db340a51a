// `sluice validate DIR`: reads a config directory once, exactly as `serve` would, and lists every
// problem as `file#doc: Kind namespace/name: field.path: message`. Exit 1 when anything was
// rejected, 0 when clean; kinds Sluice does not read are warnings, not errors.
import { resolve } from 'node:path';
import { formatOrigin, formatRejection } from '../../api/format.ts';
import { SluiceError } from '../../errors.ts';
import { checkConfigDir, ConfigDir } from '../../sources/config-dir.ts';
import { sortPaths } from '../../sources/merge.ts';

export interface ValidateReport {
  errors: string[];
  warnings: string[];
  /** valid resources (duplicates not counted) */
  resources: number;
}

/** Throws SluiceError SLUICE_ERR_CONFIG_DIR when DIR is missing or unreadable. */
export async function validateDir(dir: string): Promise<ValidateReport> {
  const root = resolve(dir);
  await checkConfigDir(root);
  const config = new ConfigDir(root);
  await config.scan('');
  const state = config.state();
  const files = config.files();
  const warnings: string[] = [];
  if (files.size === 0) warnings.push(`${dir}: no .yaml, .yml or .json files found`);
  for (const file of sortPaths(files.keys())) {
    for (const { origin, outcome } of files.get(file)?.entries ?? []) {
      if (outcome.kind === 'ignored') {
        warnings.push(`${formatOrigin(origin)}: ignoring ${outcome.apiVersion} ${outcome.kindName}: not a kind Sluice reads`);
      }
    }
  }
  return { errors: state.rejections.flatMap(formatRejection), warnings, resources: state.resources.length };
}

export async function runValidate(dir: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let report: ValidateReport;
  try {
    report = await validateDir(dir);
  } catch (e) {
    if (!(e instanceof SluiceError)) throw e;
    err.write(`sluice validate: ${e.message}\n`);
    return 1;
  }
  for (const line of report.errors) out.write(`${line}\n`);
  for (const line of report.warnings) out.write(`warning: ${line}\n`);
  const n = report.errors.length;
  const summary = `${dir}: ${report.resources} valid ${plural(report.resources, 'resource')}, ${n === 0 ? 'no' : n} ${plural(n, 'error')}`;
  out.write(`${summary}${report.warnings.length > 0 ? `, ${report.warnings.length} ${plural(report.warnings.length, 'warning')}` : ''}\n`);
  return n === 0 ? 0 : 1;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
