// A Serving release file's text -> the objects in it, in order, and its sha256 check. Pure: the
// bytes come from source.ts. Errors name the file and the document (1-based) that is wrong.
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { SluiceError } from '../../errors.ts';
import type { Manifest } from '../install.ts';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws naming the file when its sum is not the expected one. */
export function checkSha256(file: string, bytes: Uint8Array, expected: string): void {
  const got = sha256Hex(bytes);
  if (got !== expected.toLowerCase()) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `${file}: sha256 ${got} is not the expected ${expected.toLowerCase()}; nothing was applied`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every object of a multi-document YAML file (a `kind: List` gives its items), empty documents skipped. */
export function parseManifestFile(file: string, text: string): Manifest[] {
  const out: Manifest[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${file}: document ${i + 1}`;
    if (doc.errors.length) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: ${doc.errors[0]!.message.split('\n')[0]}`);
    let value: unknown;
    try {
      // Aliases are bounded: a document that expands into millions of nodes is refused, not built.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: ${(err as Error).message}`);
    }
    if (value === null || value === undefined) return;
    const items = isRecord(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) out.push(asManifest(where, item));
  });
  return out;
}

function asManifest(where: string, v: unknown): Manifest {
  if (!isRecord(v)) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: not an object`);
  const meta = v.metadata;
  if (typeof v.apiVersion !== 'string' || !v.apiVersion) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: apiVersion: required`);
  if (typeof v.kind !== 'string' || !v.kind) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: kind: required`);
  if (!isRecord(meta) || typeof meta.name !== 'string' || !meta.name) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: metadata.name: required`);
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: metadata.namespace: must be a string`);
  return v as Manifest;
}

/** The release version the manifests say they are (the knative-serving Namespace's, else any object's label). */
export function manifestsVersion(manifests: readonly Manifest[]): string | undefined {
  const label = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/version'];
  const ns = manifests.find((m) => m.kind === 'Namespace' && m.metadata.name === 'knative-serving');
  return (ns && label(ns)) ?? manifests.map(label).find(Boolean);
}
