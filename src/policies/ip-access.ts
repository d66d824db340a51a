// The IP access policy: a client whose address is on the deny list, or not on a given allow list,
// is answered 403 before anything else runs. Deny wins over allow. The address is the one the
// exchange gives (the socket peer, or what the listener's trusted hops make of X-Forwarded-For).
import type { IpAccessPolicy } from '../snapshot/types.ts';
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { textReply } from '../proxy/local-reply.ts';
import { addressWords, type CidrSet, compileCidrs } from './ip-cidr.ts';

export const IP_DENIED = textReply(403, 'access denied for this client address');

export class IpAccess implements ExchangePolicy {
  readonly #allow: CidrSet | undefined;
  readonly #deny: CidrSet | undefined;

  constructor(readonly policy: IpAccessPolicy) {
    this.#allow = policy.allow === undefined ? undefined : compileCidrs(policy.allow);
    this.#deny = policy.deny === undefined || policy.deny.length === 0 ? undefined : compileCidrs(policy.deny);
  }

  onRequest(req: PolicyRequest): RequestVerdict {
    const a = req.clientAddress === undefined ? undefined : addressWords(req.clientAddress);
    // An address that cannot be read is on no list: refused by an allow list, passed by a deny list.
    if (a === undefined) return this.#allow === undefined ? undefined : IP_DENIED;
    if (this.#deny?.hasWords(a) === true) return IP_DENIED;
    if (this.#allow !== undefined && !this.#allow.hasWords(a)) return IP_DENIED;
    return undefined;
  }
}
