// The loop most HTTPRoute tests end with: one subtest per ExpectedResponse (t.Run with
// GetTestCaseName), each waiting for a consistent answer. The Go tests run them in parallel;
// here they run one after another, which only makes them slower.
import type { TestContext } from 'node:test';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from './http.ts';
import type { ConformanceSuite } from './suite.ts';

export async function runCases(t: TestContext, s: ConformanceSuite, gwAddr: string, cases: readonly ExpectedResponse[]): Promise<void> {
  for (const [i, tc] of cases.entries()) {
    await t.test(testCaseName(tc, i), () => makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, structuredClone(tc)));
  }
}
