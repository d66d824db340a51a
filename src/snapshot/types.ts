// The routing snapshot: the one immutable value every consumer serves from
// (the Node data plane, the xDS server, the admin endpoint, the Kubernetes status writer).
// It is plain JSON-able data; consumers compile it into their own fast structures once per swap.
// The types live in modules by what they hold; this barrel keeps the one import path every
// consumer uses.
export type * from './types-route.ts';
export type * from './types-policies.ts';
export type * from './types-snapshot.ts';
export type * from './types-results.ts';
