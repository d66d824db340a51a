// A port that refuses connections on 127.0.0.1 for the whole run. A port found free and released
// (bind to 0, close) is back in the kernel's ephemeral range: the next bind to 0 anywhere on the
// machine may get it (in this process too, e.g. the gateway's own listener), and the "refused"
// endpoint then answers. Ports below the ephemeral range are never handed out by a bind to 0, and
// nothing a test starts listens on them, so a connect there is refused every time.

/** Low ports (tcpmux and neighbours) nothing here listens on; distinct ones for distinct endpoints. */
const REFUSED = [1, 3, 4, 6] as const;

/** A port on 127.0.0.1 that refuses connections; `n` picks a distinct one (0-3). */
export function refusedPort(n = 0): number {
  const port = REFUSED[n];
  if (port === undefined) throw new Error(`refusedPort: only ${REFUSED.length} distinct refused ports`);
  return port;
}
