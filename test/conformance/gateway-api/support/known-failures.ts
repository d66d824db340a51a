// Tests that fail against the current build, with why (node:test `todo`: they run and report, but
// do not fail the suite). Empty when every ported test passes.
export const KnownFailures: ReadonlyMap<string, string> = new Map<string, string>([]);
