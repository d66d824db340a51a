// Which Knative Serving release `install knative` installs: the pinned default, the supported range
// (KNATIVE_SERVING in src/version.ts), where a release's manifests are published and the sha256 sums
// Sluice knows for them. Pure data and parsing; fetching lives in source.ts.
import { SluiceError } from '../../errors.ts';
import { KNATIVE_SERVING } from '../../version.ts';

/** The two files of a Serving release, applied in this order (the CRDs before anything that uses them). */
export const SERVING_FILES = { crds: 'serving-crds.yaml', core: 'serving-core.yaml' } as const;
export type ServingFile = keyof typeof SERVING_FILES;
export type ServingSums = Readonly<Record<ServingFile, string>>;

/** The release installed when no --serving-version is given: the newest minor Sluice supports. */
export const SERVING_DEFAULT_VERSION = `${KNATIVE_SERVING.max}.0`;

/**
 * sha256 of each release's files, as published on GitHub. Only sums someone has checked against the
 * published files belong here; a version without one is installed from --manifests DIR or with
 * --sha256 given by the operator (this table is empty until a release of Sluice pins one).
 */
export const SERVING_SUMS: Readonly<Record<string, ServingSums>> = {};

export function releaseUrl(version: string, file: ServingFile): string {
  return `https://github.com/knative/serving/releases/download/knative-v${version}/${SERVING_FILES[file]}`;
}

/** `1.20.0`, `v1.20.0` or `knative-v1.20.0` -> `1.20.0`; anything else is not a version. */
export function parseServingVersion(text: string): string | undefined {
  return /^(?:knative-)?v?(\d+\.\d+\.\d+)$/.exec(text.trim())?.[1];
}

/** Whether `version`'s major.minor lies within KNATIVE_SERVING (patch releases of a supported minor all are). */
export function servingVersionSupported(version: string): boolean {
  const minor = (v: string): number => {
    const [maj, min] = v.split('.').map(Number);
    return maj! * 1000 + min!;
  };
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const v = minor(`${m[1]}.${m[2]}`);
  return v >= minor(KNATIVE_SERVING.min) && v <= minor(KNATIVE_SERVING.max);
}

export const SUPPORTED_RANGE = `${KNATIVE_SERVING.min} to ${KNATIVE_SERVING.max}`;

/** `crds=HEX,core=HEX` (both, 64 hex digits each). */
export function parseSha256Flag(text: string): ServingSums {
  const sums: Partial<Record<ServingFile, string>> = {};
  for (const part of text.split(',')) {
    const m = /^\s*(crds|core)=([0-9a-fA-F]{64})\s*$/.exec(part);
    if (!m) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--sha256: "${part.trim()}" is not crds=HEX or core=HEX (64 hex digits each)`);
    sums[m[1] as ServingFile] = m[2]!.toLowerCase();
  }
  if (!sums.crds || !sums.core) throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--sha256: give both crds=HEX and core=HEX');
  return { crds: sums.crds, core: sums.core };
}
