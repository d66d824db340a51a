// `sluice validate DIR|FILE [--strict]`: reads a config directory (or one file) once, exactly as
// `serve` would, and lists every problem as `file:line: Kind namespace/name: field.path: message`,
// sorted by file and line. Errors are rejected documents; warnings are kinds Sluice does not read
// and what `serve` would put in an ingress's status (a missing Service, port or Secret, an unusable
// Secret, a host conflict) or in a Gateway API or Gloo object's (validate-gateway.ts,
// validate-gloo.ts), which `--strict` makes errors. Exit 1 when there is an error, else 0.
import { Command } from 'commander';
import type { ConfigLimits } from '../../sources/read-file.ts';
import type { TranslateOptions } from '../../translate/options.ts';
import { configLimitsFromFlags, serveDefaults, translateOptionsFromFlags, type ServeFlags } from '../serve-flags.ts';
import { configLimitOptions, translateOptions, withOptions } from './reading-options.ts';
import { formatOrigin, formatRejection } from '../../api/format.ts';
import { SluiceError } from '../../errors.ts';
import { sortPaths } from '../../sources/merge.ts';
import { Lines, readConfig, type ConfigRead } from './validate-read.ts';
import { referenceProblems, type ReferenceProblem } from './validate-refs.ts';
import { gatewayApiProblems, type GatewayApiProblem } from './validate-gateway.ts';
import { glooProblems } from './validate-gloo.ts';

export interface ValidateOptions {
  /** translator problems (missing references, host conflicts) are errors, not warnings */
  readonly strict?: boolean;
  /** as serve reads files (--max-config-file-size, --max-config-documents) */
  readonly limits?: ConfigLimits;
  /** as serve translates (--cluster-domain, --ingress-class, --require-ingress-class) */
  readonly translate?: TranslateOptions;
}

export interface ValidateReport {
  errors: string[];
  warnings: string[];
  /** valid resources (duplicates not counted) */
  resources: number;
}

/** A message with where it is, for sorting. */
interface Located {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Throws SluiceError SLUICE_ERR_CONFIG_DIR when PATH is missing or unreadable. */
export async function validatePath(path: string, options: ValidateOptions = {}): Promise<ValidateReport> {
  const read = await readConfig(path, options.limits);
  const lines = new Lines(read);
  const errors: Located[] = [];
  const warnings: Located[] = [];
  if (read.files.size === 0) warnings.push({ file: '', line: 0, text: `${path}: no .yaml, .yml or .json files found` });
  for (const r of read.state.rejections) {
    const located = lines.rejection(r);
    formatRejection(located).forEach((text, i) => errors.push({ file: r.origin.file ?? '', line: located.errors[i]?.line ?? located.line ?? 0, text }));
  }
  warnings.push(...ignoredKinds(read, lines));
  for (const p of referenceProblems(read.state, options.translate)) (options.strict ? errors : warnings).push(reference(p, lines));
  for (const p of gatewayApiProblems(read.state, options.translate)) (options.strict ? errors : warnings).push(gatewayApiProblem(p, lines));
  for (const p of glooProblems(read.state, options.translate)) (options.strict ? errors : warnings).push(gatewayApiProblem(p, lines));
  return { errors: sorted(errors), warnings: sorted(warnings), resources: read.state.resources.length };
}

/** The name `validate DIR` had before it took files too. */
export const validateDir = validatePath;

function ignoredKinds(read: ConfigRead, lines: Lines): Located[] {
  const out: Located[] = [];
  for (const [file, parsed] of read.files) {
    for (const { origin, outcome } of parsed.entries) {
      if (outcome.kind !== 'ignored') continue;
      const line = lines.of(origin);
      const where = line === undefined ? formatOrigin(origin) : `${file}:${line}`;
      out.push({ file, line: line ?? 0, text: `${where}: ignoring ${outcome.apiVersion} ${outcome.kindName}: not a kind Sluice reads` });
    }
  }
  return out;
}

function gatewayApiProblem(p: GatewayApiProblem, lines: Lines): Located {
  const { origin, resource } = p.object;
  const line = lines.of(origin, p.path ?? '');
  const file = origin.file ?? '';
  const where = line === undefined ? formatOrigin(origin) : `${file}:${line}`;
  const ns = resource.metadata.namespace;
  const subject = `${resource.kind} ${ns === undefined ? '' : `${ns}/`}${resource.metadata.name}`;
  return { file, line: line ?? 0, text: `${where}: ${subject}: ${p.path === undefined ? '' : `${p.path}: `}${p.text}` };
}

function reference(p: ReferenceProblem, lines: Lines): Located {
  const { origin, resource } = p.ingress;
  const line = lines.of(origin, p.path ?? '');
  const file = origin.file ?? '';
  const where = line === undefined ? formatOrigin(origin) : `${file}:${line}`;
  const subject = `Ingress ${resource.metadata.namespace ?? 'default'}/${resource.metadata.name}`;
  return { file, line: line ?? 0, text: `${where}: ${subject}: ${p.path === undefined ? '' : `${p.path}: `}${p.reason}: ${p.message}` };
}

/** By file (code-unit order, as the directory is read), then line; stable otherwise. */
function sorted(items: Located[]): string[] {
  const order = new Map(sortPaths(new Set(items.map((i) => i.file))).map((f, i) => [f, i]));
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (order.get(a.item.file) ?? 0) - (order.get(b.item.file) ?? 0) || a.item.line - b.item.line || a.i - b.i)
    .map(({ item }) => item.text);
}

export async function runValidate(path: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream, options: ValidateOptions = {}): Promise<number> {
  let report: ValidateReport;
  try {
    report = await validatePath(path, options);
  } catch (e) {
    if (!(e instanceof SluiceError)) throw e;
    err.write(`sluice validate: ${e.message}\n`);
    return 1;
  }
  for (const line of report.errors) out.write(`${line}\n`);
  for (const line of report.warnings) out.write(`warning: ${line}\n`);
  const n = report.errors.length;
  const summary = `${path}: ${report.resources} valid ${plural(report.resources, 'resource')}, ${n === 0 ? 'no' : n} ${plural(n, 'error')}`;
  out.write(`${summary}${report.warnings.length > 0 ? `, ${report.warnings.length} ${plural(report.warnings.length, 'warning')}` : ''}\n`);
  return n === 0 ? 0 : 1;
}

type ValidateFlags = Pick<ServeFlags, 'clusterDomain' | 'ingressClass' | 'requireIngressClass' | 'maxConfigFileSize' | 'maxConfigDocuments'> & { strict?: boolean };

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

export function validateCommand(): Command {
  const command = new Command('validate')
    .description('check a config directory or file as serve would read it; lists every problem with file:line and exits 1 when there is an error')
    .argument('<path>', 'config directory or file')
    .option('--strict', 'missing Services, ports and Secrets, unusable Secrets and host conflicts are errors, not warnings');
  // The same reading flags as serve (reading-options.ts), so validate reports what that serve would.
  return withOptions(withOptions(command, translateOptions()), configLimitOptions())
    .action(async (path: string, opts: ValidateFlags) => {
      const translate = translateOptionsFromFlags({ ...serveDefaults, ...opts }, opts.requireIngressClass === true);
      process.exitCode = await runValidate(path, process.stdout, process.stderr, { strict: opts.strict === true, limits: configLimitsFromFlags(opts), translate });
    });
}
