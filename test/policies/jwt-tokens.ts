// Keys and tokens for the JWT tests, made with jose as an identity provider would.
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly jwk: JWK;
  sign(claims: JWTPayload, opts?: { expiresIn?: string | number; kid?: string | null }): Promise<string>;
}

export async function testKey(kid: string, alg: 'RS256' | 'ES256' | 'EdDSA' = 'RS256'): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    jwk,
    sign: (claims, opts = {}) => {
      const header = opts.kid === null ? { alg } : { alg, kid: opts.kid ?? kid };
      const jwt = new SignJWT(claims).setProtectedHeader(header).setIssuedAt();
      if (opts.expiresIn !== undefined) jwt.setExpirationTime(opts.expiresIn);
      return jwt.sign(privateKey);
    },
  };
}

export const jwks = (...keys: TestKey[]) => ({ keys: keys.map((k) => k.jwk) });

/** An unsigned token (alg none), as an attacker would send one. */
export function unsignedToken(claims: JWTPayload): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
