// The HTTP/2 front end's limits: the listener's own (header size and count, idle timeout) and the
// streams a client may open at once. The front end itself is Sluice's own HTTP/2 core
// (src/net/h2/), wired in by h2core/front.ts.
import type { ListenerLimits } from './listeners.ts';

export interface H2Limits extends ListenerLimits {
  /** concurrent streams a client may open on one connection */
  readonly maxConcurrentStreams: number;
}

export const defaultH2Limits = { maxConcurrentStreams: 250 } as const;
