// h2spec against `sluice serve --h2-engine own` (the default): the same runs as h2spec.test.ts
// (late upstreams, the process must survive), and the same listeners with upstreams that answer at
// once, where every case h2spec has can run.
import { h2specSuite, LATE_RUNS, QUICK_RUNS } from './h2spec-serve.ts';

/**
 * Every case over TLS, on either Node major. On h2c the invalid preface is the one failure (an
 * HTTP/1.1 request on a port that serves both, answered 400); with the late upstreams h2spec skips
 * one case more on either listener (its response does not come within h2spec's timeout), so the
 * quick runs are the ones held to all of them.
 */
const OWN_PASSES = { http: 144, https: 145, 'http-quick': 145, 'https-quick': 146 };

h2specSuite('own', OWN_PASSES, [...LATE_RUNS, ...QUICK_RUNS]);
