// Where a Serving release's bytes come from: a local directory (--manifests, for air-gapped clusters)
// or Knative's GitHub release, fetched over HTTPS with a bounded size and time and checked against a
// sha256 (pinned in release.ts or given with --sha256) before anything is parsed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../../errors.ts';
import type { Manifest } from '../install.ts';
import { checkSha256, manifestsVersion, parseManifestFile } from './manifests.ts';
import { releaseUrl, SERVING_FILES, SERVING_SUMS, type ServingFile, type ServingSums } from './release.ts';

/** The release's objects in apply order (CRDs, then core), and the version they say they are. */
export interface ServingRelease {
  readonly version: string | undefined;
  readonly crds: readonly Manifest[];
  readonly core: readonly Manifest[];
}

export type ServingSource =
  | { readonly kind: 'dir'; readonly dir: string; readonly sums?: ServingSums }
  | { readonly kind: 'release'; readonly version: string; readonly sums?: ServingSums };

const MAX_BYTES = 16 * 1024 * 1024; // serving-core.yaml is about 1 MB
const FETCH_TIMEOUT_MS = 60_000;

/** Where a version's files come from and which sums they must have; an error when none is known. */
export function servingSource(version: string, dir: string | undefined, sums: ServingSums | undefined): ServingSource {
  if (dir) return { kind: 'dir', dir, ...(sums ? { sums } : {}) };
  const known = sums ?? SERVING_SUMS[version];
  if (!known) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `no pinned sha256 for Knative Serving ${version}: pass --manifests DIR or --sha256 crds=HEX,core=HEX (the sums of ${releaseUrl(version, 'crds')} and serving-core.yaml beside it)`);
  }
  return { kind: 'release', version, sums: known };
}

/** Reads (or fetches) both files, checks their sums when there are any, then parses them. */
export async function loadServingRelease(src: ServingSource): Promise<ServingRelease> {
  const files: Array<[ServingFile, Uint8Array]> = [];
  for (const f of ['crds', 'core'] as const) files.push([f, src.kind === 'dir' ? await readLocal(src.dir, f) : await fetchRelease(releaseUrl(src.version, f))]);
  // Every sum before any parse: a tampered file is refused as bytes.
  if (src.sums) for (const [f, bytes] of files) checkSha256(SERVING_FILES[f], bytes, src.sums[f]);
  const [crds, core] = files.map(([f, bytes]) => parseManifestFile(SERVING_FILES[f], Buffer.from(bytes).toString('utf8'))) as [Manifest[], Manifest[]];
  return { version: manifestsVersion([...core, ...crds]) ?? (src.kind === 'release' ? src.version : undefined), crds, core };
}

async function readLocal(dir: string, f: ServingFile): Promise<Uint8Array> {
  const path = join(dir, SERVING_FILES[f]);
  try {
    return await readFile(path);
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--manifests: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** GET with redirects (GitHub's release links redirect to its object store), bounded in size and time. */
export async function fetchRelease(url: string, maxBytes = MAX_BYTES, timeoutMs = FETCH_TIMEOUT_MS): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot fetch ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}; for an air-gapped cluster, download it and pass --manifests DIR`, { cause: err });
  }
  if (!res.ok) throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot fetch ${url}: HTTP ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > maxBytes) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${url}: larger than ${maxBytes} bytes`);
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks);
}
