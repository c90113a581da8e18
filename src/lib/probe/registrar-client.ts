/**
 * REGISTER with digest authentication (RFC 3261 §10, §22; RFC 7616), then unregister.
 *
 *   REGISTER ──► 401/407 ──► REGISTER + credentials ──► 200 (expires granted)
 *   RRD (RFC 6076 §4.1) = final 2xx − first REGISTER sent, challenge round trip included.
 *
 * A second challenge for credentials we already sent (nonce not stale) is an authentication
 * failure and ends the attempt: never a loop. At most one stale-nonce retry. Afterwards the
 * binding is removed (Contact with expires=0, RFC 3261 §10.2.2) unless `keep`.
 */
import type { TransportFailure } from '../net/sip-transport.js';
import { DigestSession, type Credentials } from './auth.js';
import { USER_AGENT, aor, type ProbeIdentity } from './identity.js';
import { contactFindings, viaFindings } from './nat.js';
import { mergeFindings, responderInfo, sampleFrom, type ResponderInfo } from './options-pinger.js';
import type { Finding, ProbeSample, RegisterResult } from './result.js';
import { elapsedMs, type ResponseEvent, type SipAgent } from './sip-agent.js';
import { uriHost, type ProbeTarget } from './target.js';

export interface RegisterOptions {
  agent: SipAgent;
  target: ProbeTarget;
  identity: ProbeIdentity;
  credentials: Credentials | undefined;
  expiresSec: number;
  timeoutMs: number;
  keep: boolean;
}

export interface RegisterOutcome extends ResponderInfo {
  result: RegisterResult;
  probes: ProbeSample[];
  findings: Finding[];
  failure: TransportFailure | undefined;
  /** No response at all to the first REGISTER. */
  noAnswer: boolean;
}

/** At most: first try, answer to the challenge, one stale-nonce retry. */
const MAX_ATTEMPTS = 3;

export async function register(o: RegisterOptions): Promise<RegisterOutcome> {
  const { agent, target, identity } = o;
  const requestUri = `${target.scheme}:${uriHost(target.host)}${target.port === undefined ? '' : `:${target.port}`}${
    target.transport && target.scheme === 'sip' && target.transport !== 'udp' ? `;transport=${target.transport}` : ''
  }`;
  const auth = new DigestSession(o.credentials);
  const probes: ProbeSample[] = [];
  const findings: Finding[] = [];
  const result: RegisterResult = { status: null, reason: null, rrdMs: null, expires: null, auth: null, unregistered: false, unregisterStatus: null };
  const out: RegisterOutcome = { result, probes, findings, failure: undefined, noAnswer: false, server: null, userAgent: null, allow: [] };
  let cseq = 0;

  const send = async (expires: number, authHeader: [string, string] | undefined) => {
    cseq++;
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ['From', `<${aor(target, identity)}>;tag=${identity.fromTag}`],
      ['To', `<${aor(target, identity)}>`],
      ['Call-ID', identity.callId],
      ['CSeq', `${cseq} REGISTER`],
      ['Contact', `${identity.contact};expires=${expires}`],
      ['Expires', String(expires)],
      ['User-Agent', USER_AGENT],
    ];
    if (authHeader) headers.push(authHeader);
    const r = await agent.request({ method: 'REGISTER', requestUri, headers }, { timeoutMs: o.timeoutMs });
    return r;
  };

  let firstSentNs: bigint | undefined;
  let header: [string, string] | undefined;
  let final: ResponseEvent | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const r = await send(o.expiresSec, header);
    firstSentNs ??= r.sentAtNs;
    probes.push(sampleFrom(probes.length + 1, 'REGISTER', r));
    if (r.kind === 'transport') {
      out.failure = r.failure;
      break;
    }
    if (r.kind === 'timeout') {
      out.noAnswer = attempt === 0 && r.first === undefined;
      break;
    }
    final = r.final;
    const msg = r.final.message;
    if (out.server === null && out.userAgent === null) Object.assign(out, responderInfo(msg));
    const local = agent.transport.local;
    mergeFindings(findings, viaFindings({ host: local.ip, port: local.port, branch: r.branch }, local, msg));
    const status = msg.statusCode ?? 0;
    if (status === 401 || status === 407) {
      const a = auth.answer(msg, 'REGISTER', requestUri, header !== undefined);
      if (!a.ok) {
        findings.push(authFailureFinding(a.reason, status, o.credentials?.username));
        break;
      }
      header = a.header;
      result.auth = { scheme: 'Digest', algorithm: a.challenge.algorithm, qop: a.challenge.qop.includes('auth') ? 'auth' : (a.challenge.qop[0] ?? null), challenges: auth.challenges };
      continue;
    }
    break;
  }
  if (result.auth) result.auth.challenges = auth.challenges;

  if (final) {
    const msg = final.message;
    result.status = msg.statusCode ?? null;
    result.reason = msg.reason ?? null;
    const status = msg.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      result.rrdMs = firstSentNs === undefined ? null : elapsedMs(firstSentNs, final.atNs);
      const mine = msg.contact.find((c) => c.uri.user === identity.user && c.params.expires !== undefined);
      const granted = mine?.params.expires !== undefined ? Number(mine.params.expires) : msg.expires;
      result.expires = granted === undefined || Number.isNaN(granted) ? null : granted;
      mergeFindings(findings, contactFindings({ user: identity.user, host: identity.contactHost, port: identity.contactPort }, msg.contact));
      if (!o.keep) await unregister();
    } else if (status !== 401 && status !== 407) {
      findings.push({ severity: 'error', code: 'REGISTER_REJECTED', message: `the registrar answered ${status} ${msg.reason ?? ''}`.trim() });
    }
  }
  return out;

  async function unregister(): Promise<void> {
    let h = auth.next('REGISTER', requestUri);
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await send(0, h);
      if (r.kind !== 'final') return;
      const status = r.final.message.statusCode ?? 0;
      result.unregisterStatus = status;
      if ((status === 401 || status === 407) && attempt === 0) {
        const a = auth.answer(r.final.message, 'REGISTER', requestUri, false);
        if (!a.ok) return;
        h = a.header;
        continue;
      }
      result.unregistered = status >= 200 && status < 300;
      return;
    }
  }
}

function authFailureFinding(reason: 'no-credentials' | 'no-usable-challenge' | 'rejected', status: number, user: string | undefined): Finding {
  switch (reason) {
    case 'no-credentials':
      return { severity: 'error', code: 'AUTH_REQUIRED', message: `the server asks for credentials (${status}): give --user and --password-env` };
    case 'no-usable-challenge':
      return { severity: 'error', code: 'AUTH_UNSUPPORTED', message: `no digest challenge we can answer in the ${status}` };
    case 'rejected':
      return { severity: 'error', code: 'AUTH_FAILED', message: `authentication failed for user "${user ?? ''}": the server challenged our credentials again (${status})` };
  }
}
