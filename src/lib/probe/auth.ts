/**
 * Answering digest challenges (RFC 3261 §22, RFC 7616: MD5 and SHA-256, qop=auth, nonce
 * count): 401 → Authorization from WWW-Authenticate, 407 → Proxy-Authorization from
 * Proxy-Authenticate. The strongest offered algorithm is used. The nonce count goes up for each
 * request that reuses a nonce. The password stays inside this object: nothing here returns,
 * logs or throws it.
 */
import { buildDigestAuthorization, selectDigestChallenge, type DigestChallenge } from '../sip/digest.js';
import type { SipMessage } from '../sip/message.js';

export interface Credentials {
  username: string;
  /** Never printed, never in a result or an error. */
  password: string;
}

export type ChallengeAnswer =
  | { ok: true; header: [string, string]; challenge: DigestChallenge }
  | { ok: false; reason: 'no-credentials' | 'no-usable-challenge' | 'rejected' };

export class DigestSession {
  private lastNonce: string | undefined;
  private nc = 0;
  private lastChallenge: DigestChallenge | undefined;
  private lastHeaderName: string | undefined;
  challenges = 0;

  constructor(private readonly creds: Credentials | undefined) {}

  get challenge(): DigestChallenge | undefined {
    return this.lastChallenge;
  }

  /**
   * Answer a 401/407. `answered` says whether the request that got it already carried
   * credentials: a second challenge with a nonce that is not stale means they were wrong.
   */
  answer(response: SipMessage, method: string, uri: string, answered: boolean): ChallengeAnswer {
    this.challenges++;
    if (!this.creds) return { ok: false, reason: 'no-credentials' };
    const proxy = response.statusCode === 407;
    const challenge = selectDigestChallenge(response.getAll(proxy ? 'proxy-authenticate' : 'www-authenticate'));
    if (!challenge) return { ok: false, reason: 'no-usable-challenge' };
    if (answered && !challenge.stale) return { ok: false, reason: 'rejected' };
    if (answered && challenge.stale && challenge.nonce === this.lastNonce) return { ok: false, reason: 'rejected' };
    this.lastChallenge = challenge;
    this.lastHeaderName = proxy ? 'Proxy-Authorization' : 'Authorization';
    this.lastNonce = challenge.nonce;
    this.nc = 0;
    return { ok: true, header: this.next(method, uri) as [string, string], challenge };
  }

  /** Credentials for another request with the last nonce (nc + 1), or undefined before any challenge. */
  next(method: string, uri: string): [string, string] | undefined {
    if (!this.creds || !this.lastChallenge || !this.lastHeaderName) return undefined;
    this.nc++;
    const value = buildDigestAuthorization(this.lastChallenge, {
      username: this.creds.username,
      password: this.creds.password,
      method,
      uri,
      nc: this.nc,
    });
    return [this.lastHeaderName, value];
  }
}
