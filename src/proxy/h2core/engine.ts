// Which HTTP/2 implementation serves a listener's HTTP/2 clients: Sluice's own core (src/net/h2/,
// h2core/front.ts) or node:http2 (h2.ts). `serve --h2-engine` chooses; SLUICE_H2_ENGINE is the
// default when nothing chooses (it lets whole test suites run against either engine).
import { SluiceError } from '../../errors.ts';

export type H2Engine = 'own' | 'node';

export const H2_ENGINES: readonly H2Engine[] = ['own', 'node'];

/** The engine when no flag says: SLUICE_H2_ENGINE if set, else the own core. */
export function defaultH2Engine(env: NodeJS.ProcessEnv = process.env): H2Engine {
  const v = env.SLUICE_H2_ENGINE;
  return v === 'own' || v === 'node' ? v : 'own';
}

/** A flag's value as an engine; a clear error naming the flag otherwise. */
export function parseH2Engine(value: string, flag = '--h2-engine'): H2Engine {
  if (value === 'own' || value === 'node') return value;
  throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be one of ${H2_ENGINES.join(', ')}`);
}
