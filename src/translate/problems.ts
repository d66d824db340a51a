// Why an ingress is not fully configured. Each problem becomes part of that ingress's status
// (NetworkConfigured False with the first problem's reason); it never fails the whole snapshot.

export type ProblemReason =
  | 'InvalidSpec' // the latest document was rejected by validation; the last good version is served
  | 'ServiceNotFound' // a split names a Service that does not exist (its cluster has no endpoints: 503)
  | 'PortNotFound' // the Service exists but has no port matching servicePort (503 as well)
  | 'SecretNotFound' // a spec.tls entry names a Secret that does not exist (no certificate served)
  | 'InvalidSecret' // the Secret is not a usable kubernetes.io/tls certificate and key
  | 'HostConflict'; // another ingress already serves one of this ingress's hosts on a listener

export interface Problem {
  readonly reason: ProblemReason;
  readonly message: string;
}
