// conformance/utils/weight: TestWeightedDistribution sends 500 requests, 10 at a time, and checks
// each backend's share against the expected weight within +/-5 percentage points; AddRandomEntropy
// adds a random value to half of the requests, so a hash-based picker cannot pass by accident.
import { randomInt } from 'node:crypto';

/** MaxTestRetries: a distribution that misses is tried again, up to this many times in all. */
export const MaxTestRetries = 10;

const concurrentRequests = 10;
const tolerancePercentage = 0.05;
const totalRequests = 500;

/** SendRequest: the name of the pod that answered. */
export type RequestSender = () => Promise<string>;

/** extractBackendName: `<backend>-<deployment hash>-<pod hash>` without the two hashes. */
export function extractBackendName(podName: string): string {
  const parts = podName.split('-');
  return parts.length < 3 ? podName : parts.slice(0, -2).join('-');
}

/** TestWeightedDistribution: undefined when the shares match `expectedWeights`, else why not. */
export async function testWeightedDistribution(sender: RequestSender, expectedWeights: Readonly<Record<string, number>>): Promise<string | undefined> {
  const seen = new Map<string, number>();
  let sent = 0;
  let failure: string | undefined;
  const worker = async (): Promise<void> => {
    while (sent < totalRequests && failure === undefined) {
      sent++;
      let pod: string;
      try {
        pod = await sender();
      } catch (err) {
        failure ??= `error while sending requests: ${(err as Error).message}`;
        return;
      }
      const backend = extractBackendName(pod);
      if (!(backend in expectedWeights)) {
        failure ??= `error while sending requests: request was handled by an unexpected pod "${pod}" (extracted backend: "${backend}")`;
        return;
      }
      seen.set(backend, (seen.get(backend) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrentRequests }, worker));
  if (failure !== undefined) return failure;

  const errs: string[] = [];
  const active = Object.values(expectedWeights).filter((w) => w > 0).length;
  if (seen.size !== active) errs.push(`expected ${active} backends to receive traffic, but got ${seen.size}`);
  for (const [backend, want] of Object.entries(expectedWeights)) {
    const got = seen.get(backend);
    if (got === undefined && want !== 0) {
      errs.push(`expect traffic to hit backend "${backend}" - but none was received`);
      continue;
    }
    const share = (got ?? 0) / totalRequests;
    if (Math.abs(share - want) > tolerancePercentage) errs.push(`backend "${backend}" weighted traffic of ${share} not within tolerance ${want} (+/-${tolerancePercentage})`);
  }
  return errs.length ? errs.sort().join('\n') : undefined;
}

/** AddRandomEntropy: half the time, `add` gets a random value below 10000. */
export function addRandomEntropy(add: (value: string) => void): void {
  if (randomInt(2) === 1) add(String(randomInt(10_000)));
}

/** The retry loop every weight test ends with. */
export async function expectWeightedDistribution(log: (msg: string) => void, sender: RequestSender, expectedWeights: Readonly<Record<string, number>>): Promise<void> {
  for (let i = 0; i < MaxTestRetries; i++) {
    const err = await testWeightedDistribution(sender, expectedWeights);
    if (err === undefined) return;
    log(`Traffic distribution test failed (${i + 1}/${MaxTestRetries}): ${err}`);
  }
  throw new Error('Weighted distribution tests failed');
}
