// ConformanceTest and its Run (conformance/utils/suite/conformance.go): a test needing a feature
// Sluice does not declare is skipped with the suite's reason; otherwise its manifests are applied,
// the test runs, and the manifests are deleted again (CleanupTestResources). One suite, so one
// sluice process, serves every test of a file, one test after another.
import { after, before, describe, it, type TestContext } from 'node:test';
import { type FeatureName, unsupportedFeature } from './features.ts';
import { KnownFailures } from './known-failures.ts';
import { ConformanceSuite, DefaultTimeouts, KnownFailureTimeouts } from './suite.ts';

export interface ConformanceTest {
  readonly shortName: string;
  readonly description: string;
  readonly features: readonly FeatureName[];
  readonly manifests: readonly string[];
  readonly provisional?: boolean;
  test(t: TestContext, suite: ConformanceSuite): Promise<void>;
}

/**
 * The context of a test known to fail: its subtests (and theirs) are `todo` too, so their
 * failures are reported without failing the file.
 */
function todoContext(t: TestContext, reason: string): TestContext {
  const test = (name: string, fn: (sub: TestContext) => Promise<void> | void) => t.test(name, { todo: reason }, (sub) => fn(todoContext(sub, reason)));
  return new Proxy(t, {
    get: (target, prop) => {
      if (prop === 'test') return test;
      // TestContext keeps its state in private fields: its methods must run on the real object.
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Runs `tests` against one gateway; `fileIndex` (0-9, distinct per test file) picks its ports. */
export function runConformanceTests(title: string, fileIndex: number, tests: readonly ConformanceTest[]): void {
  describe(title, () => {
    let suite: ConformanceSuite | undefined;
    let servesGatewayAPI = false;
    before(async () => {
      try {
        suite = await ConformanceSuite.start(fileIndex);
      } catch (err) {
        // A build without Gateway API support does not know the flags: every test is skipped.
        if (/unknown option '--(gateway-address|port-offset)'/.test((err as Error).message)) return;
        throw err;
      }
      servesGatewayAPI = await suite.servesGatewayAPI();
    });
    after(() => suite?.close());

    for (const test of tests) {
      const missing = unsupportedFeature(test.features);
      const known = KnownFailures.get(test.shortName);
      const opts = missing ? { skip: `Skipping ${test.shortName}: suite does not support ${missing}` } : known ? { todo: known } : {};
      it(test.shortName, opts, async (t) => {
        if (!servesGatewayAPI) return t.skip('this build of sluice does not serve the Gateway API (no --port-offset, or no gateways in /status)');
        const s = suite!;
        // A test known to fail still runs, but need not wait the full bounds to fail again.
        s.timeouts = known ? KnownFailureTimeouts : DefaultTimeouts;
        const cleanups: Array<() => Promise<void>> = [];
        try {
          for (const m of test.manifests) cleanups.push(await s.applyManifest(m));
          await test.test(known ? todoContext(t, known) : t, s);
        } finally {
          for (const c of cleanups.reverse()) await c();
        }
      });
    }
  });
}
