// The arguments the harness passes to a Node peer's server process (one JSON argument).
export interface PeerArgs {
  readonly port: number;
  readonly portA: number;
  readonly portB: number;
  /** serve HTTP/2 cleartext (prior knowledge) instead of HTTP/1.1 */
  readonly h2: boolean;
  /** 90/10 between portA and portB, each setting SPLIT_HEADER */
  readonly split: boolean;
}

export function parsePeerArgs(argv: readonly string[]): PeerArgs {
  const raw = argv[2];
  if (!raw) throw new Error('usage: <server>.ts \'{"port":..,"portA":..,"portB":..,"h2":false,"split":false}\'');
  return JSON.parse(raw) as PeerArgs;
}

/** Picks the split of one request: 90% "a", 10% "b". */
export function pickRevision(): 'a' | 'b' {
  return Math.random() < 0.9 ? 'a' : 'b';
}
