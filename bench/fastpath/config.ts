// Writes a Sluice config directory routing host `bench.example.com` to one upstream address.
// Usage: node --import tsx bench/fastpath/config.ts DIR PORT
import { mkdirSync, writeFileSync } from 'node:fs';
import { backend, ingress, toYaml } from '../../test/support/config.ts';

const [dir, port] = [process.argv[2], Number(process.argv[3])];
if (!dir || !Number.isInteger(port)) throw new Error('usage: config.ts DIR PORT');
mkdirSync(dir, { recursive: true });
writeFileSync(
  `${dir}/bench.yaml`,
  toYaml([...backend('bench', [{ ip: '127.0.0.1', port }]), ingress('bench', [{ hosts: ['bench.example.com'], paths: [{ splits: [{ service: 'bench' }] }] }])]),
);
