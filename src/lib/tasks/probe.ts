/**
 * `voipdiag probe`: for each target, concurrently: parse → RFC 3263 resolve → connect (failing
 * over to the next address on a transport error) → OPTIONS pings, or REGISTER, or a synthetic
 * call → summary, findings, thresholds. Returns the result and an exit verdict; never prints.
 * The password is read here (from the named environment variable, or a hidden prompt on a
 * TTY) and handed only to the digest code.
 */
import { readFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { createInterface } from 'node:readline';
import { badInput, usageError, type Warning } from '../errors.js';
import { openMediaPorts } from '../net/media-socket.js';
import { resolveTarget, ResolveError, type DnsClient, type Resolution } from '../net/resolve.js';
import { openSipTransport, TransportError, type Endpoint, type SipTransport, type TransportFailure } from '../net/sip-transport.js';
import type { TlsPeerInfo } from '../net/tls-info.js';
import type { Credentials } from '../probe/auth.js';
import { placeCall } from '../probe/call-client.js';
import { LoopSource, ToneSource } from '../probe/g711.js';
import { aor, makeIdentity } from '../probe/identity.js';
import { pingOptions } from '../probe/options-pinger.js';
import { realClock } from '../probe/pacer.js';
import { summarizeRtts } from '../probe/ping-stats.js';
import { register } from '../probe/registrar-client.js';
import { isNetworkOutcome, type Finding, type ProbeResult, type ProbeSample, type TargetOutcome, type TargetResult, type TlsResult } from '../probe/result.js';
import type { G711Codec } from '../probe/sdp-offer.js';
import { SipAgent, realAgentClock } from '../probe/sip-agent.js';
import { parseTarget, requestUri, type ProbeTarget } from '../probe/target.js';
import { decodeWav } from '../probe/wav.js';
import { builtinProfile, builtinProfileNames, emptyProfile, judge, parseProfileFile, withOverrides, type Profile, type ThresholdValues } from '../report/profiles.js';

export type ProbeMode = 'options' | 'register' | 'call';

export interface ProbeTaskOptions {
  targets: string[];
  mode: ProbeMode;
  /** OPTIONS probes per target; ignored with `watch`. */
  count: number;
  watch: boolean;
  intervalMs: number;
  timeoutMs: number;
  noSrv?: boolean;
  family?: 4 | 6;
  sourceIp?: string;
  sourcePort?: number;
  insecure?: boolean;
  caFile?: string;
  /** DNS server for RFC 3263 lookups ("ip" or "ip:port"); default: the system's. */
  dnsServer?: string;
  /** Status codes that count as success (default: any 2xx). */
  expect?: number[];
  user?: string;
  authUser?: string;
  /** Name of the environment variable holding the password (never the password itself). */
  passwordEnv?: string;
  /** Ask on the terminal when no --password-env is given and stdin is a TTY. */
  promptPassword?: boolean;
  expiresSec?: number;
  keep?: boolean;
  callUri?: string;
  durationMs?: number;
  ringTimeoutMs?: number;
  audioFile?: string;
  codecs?: G711Codec[];
  profile?: string;
  maxRttMs?: number;
  maxLossPct?: number;
  minMos?: number;
  signal?: AbortSignal;
  /** Called for each probe as it completes (--watch lines, --ndjson). */
  onProbe?(target: Pick<TargetResult, 'target' | 'transport' | 'remote'>, sample: ProbeSample): void;
  /** Tests: send call RTP to this address instead of the SDP answer's (an impairment relay). */
  rtpOverride?: Endpoint;
  /** Tests: DNS client. */
  dns?: DnsClient;
}

export type ProbeVerdict = 'ok' | 'breached' | 'network';

export interface ProbeTaskOutput {
  result: ProbeResult;
  warnings: Warning[];
  verdict: ProbeVerdict;
}

const MAX_ADDRESSES_TRIED = 3;
const TLS_EXPIRY_WARN_DAYS = 30;

export async function runProbe(o: ProbeTaskOptions): Promise<ProbeTaskOutput> {
  const targets: ProbeTarget[] = [];
  const texts = o.targets.length > 0 ? o.targets : o.callUri ? [o.callUri] : [];
  if (texts.length === 0) throw usageError('NO_TARGET', 'give at least one target (sip:host, sips:host or a host)');
  for (const t of texts) {
    const p = parseTarget(t);
    if (!p.ok) throw usageError('BAD_TARGET', p.message);
    targets.push(p.value);
  }
  let callUri: string | undefined;
  if (o.mode === 'call') {
    const c = parseTarget(o.callUri ?? '');
    if (!c.ok) throw usageError('BAD_CALL_URI', `--call: ${c.message}`);
    callUri = requestUri(c.value);
  }
  const profile = await loadThresholds(o);
  const credentials = o.mode === 'options' ? undefined : await readCredentials(o);
  const audio = o.mode === 'call' && o.audioFile ? await readAudio(o.audioFile) : undefined;
  const dns = o.dns ?? makeResolver(o);
  const warnings: Warning[] = [];

  const results = await Promise.all(
    targets.map((t) => probeTarget(t, { ...o, callUri }, { dns, credentials, audio, profile: profile.profile })),
  );
  let verdict: ProbeVerdict = 'ok';
  for (const r of results) {
    if (isNetworkOutcome(r.outcome)) verdict = 'network';
    else if (verdict === 'ok' && (r.outcome !== 'ok' || r.breaches.length > 0)) verdict = 'breached';
    for (const f of r.findings) if (f.severity === 'warning') warnings.push({ code: f.code, message: `${r.target}: ${f.message}` });
  }
  return {
    result: {
      targets: results,
      profile: profile.judged ? { name: profile.profile.name, source: profile.profile.source, values: { ...profile.profile.values } as Record<string, number> } : null,
    },
    warnings,
    verdict,
  };
}

function makeResolver(o: ProbeTaskOptions): DnsClient {
  const r = new Resolver({ timeout: Math.max(500, Math.min(o.timeoutMs, 5000)), tries: 2 });
  if (o.dnsServer) r.setServers([o.dnsServer]);
  return r;
}

async function loadThresholds(o: ProbeTaskOptions): Promise<{ profile: Profile; judged: boolean }> {
  let profile: Profile = emptyProfile();
  if (o.profile !== undefined) {
    const builtin = builtinProfile(o.profile);
    if (builtin) profile = builtin;
    else {
      let text: string;
      try {
        text = await readFile(o.profile, 'utf8');
      } catch {
        throw usageError('UNKNOWN_PROFILE', `--profile ${o.profile}: neither a built-in profile (${builtinProfileNames().join(', ')}) nor a readable YAML file`);
      }
      const p = parseProfileFile(text, o.profile);
      if (!p.ok) throw badInput('BAD_PROFILE', p.message);
      profile = p.value;
    }
  }
  const overrides: ThresholdValues = {};
  if (o.maxRttMs !== undefined) overrides.rtt_ms = o.maxRttMs;
  if (o.maxLossPct !== undefined) overrides.loss_pct = o.maxLossPct;
  if (o.minMos !== undefined) overrides.mos_min = o.minMos;
  const judged = o.profile !== undefined || Object.keys(overrides).length > 0;
  return { profile: withOverrides(profile, overrides), judged };
}

async function readCredentials(o: ProbeTaskOptions): Promise<Credentials | undefined> {
  const username = o.authUser ?? o.user;
  let password: string | undefined;
  if (o.passwordEnv !== undefined) {
    password = process.env[o.passwordEnv];
    if (password === undefined || password === '') {
      throw usageError('NO_PASSWORD', `--password-env ${o.passwordEnv}: that environment variable is not set`, [`export ${o.passwordEnv}=… before running, or omit --password-env to be asked on a terminal`]);
    }
  } else if (o.promptPassword && username !== undefined && process.stdin.isTTY) {
    password = await promptHidden(`password for ${username}: `);
  }
  if (username === undefined || password === undefined) return undefined;
  return { username, password };
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput?: (s: string) => void };
    process.stderr.write(question);
    out._writeToOutput = () => undefined; // echo nothing while typing
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

async function readAudio(path: string): Promise<Int16Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw badInput('AUDIO_UNREADABLE', `--audio ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const w = decodeWav(bytes);
  if (!w.ok) throw badInput('AUDIO_FORMAT', `--audio ${path}: ${w.message}`);
  return w.samples;
}

interface Shared {
  dns: DnsClient;
  credentials: Credentials | undefined;
  audio: Int16Array | undefined;
  profile: Profile;
}

function outcomeOfFailure(f: TransportFailure): TargetOutcome {
  if (f.code === 'TLS_FAILED') return 'tls-failed';
  if (f.code === 'UNREACHABLE' || f.code === 'CONNECTION_REFUSED' || f.code === 'CONNECT_TIMEOUT') return 'unreachable';
  return 'unreachable';
}

function tlsResult(t: TlsPeerInfo): TlsResult {
  return {
    subject: t.subject,
    issuer: t.issuer,
    daysToExpiry: t.daysToExpiry,
    validTo: t.validTo,
    verified: t.authorized,
    verifyError: t.authorizationError ?? null,
    protocol: t.protocol ?? null,
    servername: t.servername ?? null,
  };
}

function tlsFindings(t: TlsPeerInfo, minDays: number): Finding[] {
  const out: Finding[] = [];
  if (t.daysToExpiry < 0) out.push({ severity: 'error', code: 'TLS_CERT_EXPIRED', message: `the server certificate expired ${-t.daysToExpiry} days ago (${t.validTo})` });
  else if (t.daysToExpiry < minDays) out.push({ severity: 'warning', code: 'TLS_CERT_EXPIRING', message: `the server certificate expires in ${t.daysToExpiry} days (${t.validTo})` });
  if (!t.authorized) out.push({ severity: 'warning', code: 'TLS_NOT_VERIFIED', message: `certificate not verified (${t.authorizationError ?? 'unknown'}), accepted because of --insecure` });
  return out;
}

function isExpected(status: number | null, expect: readonly number[] | undefined): boolean {
  if (status === null) return false;
  if (expect && expect.length > 0) return expect.includes(status);
  return status >= 200 && status < 300;
}

async function probeTarget(target: ProbeTarget, o: ProbeTaskOptions & { callUri: string | undefined }, shared: Shared): Promise<TargetResult> {
  const res: TargetResult = {
    target: target.text,
    uri: requestUri(target),
    mode: o.mode,
    transport: null,
    resolved: [],
    dns: [],
    local: null,
    remote: null,
    probes: [],
    summary: summarizeRtts(0, []),
    server: null,
    userAgent: null,
    allow: [],
    findings: [],
    breaches: [],
    outcome: 'error',
  };

  let resolution: Resolution;
  try {
    resolution = await resolveTarget(target, shared.dns, { noSrv: o.noSrv, family: o.family });
  } catch (err) {
    if (!(err instanceof ResolveError)) throw err;
    res.dns = err.steps;
    res.findings.push({ severity: 'error', code: 'RESOLVE_FAILED', message: err.message });
    res.outcome = 'resolve-failed';
    return res;
  }
  res.dns = resolution.steps;
  res.transport = resolution.transport;
  res.resolved = resolution.addresses.map((a) => ({ ip: a.ip, port: a.port }));

  // connect: the first address that takes a connection (RFC 3263 §4.3 fail-over)
  let transport: SipTransport | undefined;
  let lastFailure: TransportFailure | undefined;
  const ca = o.caFile ? await readFile(o.caFile, 'utf8').catch(() => { throw badInput('CA_UNREADABLE', `--ca-file ${o.caFile ?? ''}: cannot read it`); }) : undefined;
  const candidates = resolution.addresses.filter((a) => !o.sourceIp || (o.sourceIp.includes(':') ? a.family === 6 : a.family === 4));
  for (const addr of candidates.slice(0, MAX_ADDRESSES_TRIED)) {
    res.remote = { ip: addr.ip, port: addr.port };
    try {
      transport = await openSipTransport({
        kind: addr.transport,
        remote: { ip: addr.ip, port: addr.port },
        family: addr.family,
        sourceIp: o.sourceIp,
        sourcePort: o.sourcePort,
        connectTimeoutMs: o.timeoutMs,
        servername: target.hostFamily === 0 ? target.host : undefined,
        insecure: o.insecure,
        ca,
      });
      break;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      lastFailure = err.failure;
      if (err.tls) res.tls = tlsResult(err.tls);
      if (err.failure.code === 'BIND_FAILED') break;
    }
  }
  if (!transport) {
    const f = lastFailure ?? { code: 'UNREACHABLE', message: 'no address to try (family mismatch with --source-ip?)', errno: undefined };
    res.findings.push({ severity: 'error', code: f.code, message: `${res.remote ? `${res.remote.ip}:${res.remote.port}: ` : ''}${f.message}` });
    if (res.tls) res.findings.push(...tlsFindings({ ...(res.tls as unknown as TlsPeerInfo), authorized: true }, shared.profile.values.tls_days_min ?? TLS_EXPIRY_WARN_DAYS));
    res.outcome = f.code === 'BIND_FAILED' ? 'error' : outcomeOfFailure(f);
    return res;
  }
  if (transport.tls) {
    res.tls = tlsResult(transport.tls);
    res.findings.push(...tlsFindings(transport.tls, shared.profile.values.tls_days_min ?? TLS_EXPIRY_WARN_DAYS));
  }
  res.local = { ...transport.local };
  const agent = new SipAgent(transport, realAgentClock);
  const identity = makeIdentity(target, agent, o.user);
  const onProbe = (s: ProbeSample) => o.onProbe?.({ target: res.target, transport: res.transport, remote: res.remote }, s);
  try {
    if (o.mode === 'options') {
      const r = await pingOptions({
        agent,
        target,
        identity,
        count: o.watch ? null : o.count,
        intervalMs: o.intervalMs,
        timeoutMs: o.timeoutMs,
        clock: realClock,
        signal: o.signal,
        onProbe,
      });
      Object.assign(res, { server: r.server, userAgent: r.userAgent, allow: r.allow, probes: r.probes });
      res.summary = summarizeRtts(r.rttsMs.length, r.rttsMs);
      res.findings.push(...r.findings);
      const answered = r.probes.filter((p) => p.status !== null);
      if (answered.length === 0) {
        res.outcome = r.failure ? outcomeOfFailure(r.failure) : 'no-answer';
        if (r.failure) res.findings.push({ severity: 'error', code: r.failure.code, message: r.failure.message });
      } else if (answered.some((p) => !isExpected(p.status, o.expect))) {
        res.outcome = 'unexpected-status';
        const bad = answered.find((p) => !isExpected(p.status, o.expect));
        res.findings.push({ severity: 'warning', code: 'UNEXPECTED_STATUS', message: `answered ${bad?.status ?? ''} ${bad?.reason ?? ''}`.trim() + (o.expect?.length ? ` (expected ${o.expect.join(' or ')})` : ' (expected 2xx)') });
      } else res.outcome = 'ok';
    } else if (o.mode === 'register') {
      const r = await register({ agent, target, identity, credentials: shared.credentials, expiresSec: o.expiresSec ?? 300, timeoutMs: o.timeoutMs, keep: o.keep ?? false });
      Object.assign(res, { server: r.server, userAgent: r.userAgent, allow: r.allow, probes: r.probes, register: r.result });
      for (const p of r.probes) onProbe(p);
      res.summary = summarizeRtts(r.probes.length, r.probes.map((p) => p.rttMs));
      res.findings.push(...r.findings);
      const status = r.result.status;
      if (r.failure && status === null) res.outcome = outcomeOfFailure(r.failure);
      else if (status === null) res.outcome = 'no-answer';
      else if (isExpected(status, o.expect)) res.outcome = 'ok';
      else if (status === 401 || status === 407 || r.findings.some((f) => f.code.startsWith('AUTH_'))) res.outcome = 'auth-failed';
      else res.outcome = 'unexpected-status';
    } else {
      const source = shared.audio ? new LoopSource(shared.audio) : new ToneSource();
      const r = await placeCall({
        agent,
        agentClock: realAgentClock,
        callUri: o.callUri ?? res.uri,
        identity,
        fromUri: aor(target, identity),
        credentials: shared.credentials,
        durationMs: o.durationMs ?? 10_000,
        ringTimeoutMs: o.ringTimeoutMs ?? 30_000,
        timeoutMs: o.timeoutMs,
        codecs: o.codecs ?? ['PCMU', 'PCMA'],
        ptimeMs: 20,
        openMedia: () => openMediaPorts(transport.local.ip.includes(':') ? 6 : 4, transport.local.ip),
        source,
        clock: realClock,
        rtpOverride: o.rtpOverride,
        signal: o.signal,
      });
      Object.assign(res, { server: r.server, userAgent: r.userAgent, allow: r.allow, probes: r.probes, call: r.result });
      for (const p of r.probes) onProbe(p);
      res.summary = summarizeRtts(r.probes.length, r.probes.map((p) => p.rttMs));
      res.findings.push(...r.findings);
      const status = r.result.status;
      if (r.failure && status === null) res.outcome = outcomeOfFailure(r.failure);
      else if (r.noAnswer) res.outcome = 'no-answer';
      else if (isExpected(status, o.expect)) res.outcome = r.findings.some((f) => f.code === 'NO_COMMON_CODEC' || f.code === 'NO_RTP_RECEIVED') ? 'call-failed' : 'ok';
      else if (r.findings.some((f) => f.code.startsWith('AUTH_'))) res.outcome = 'auth-failed';
      else res.outcome = 'call-failed';
    }
  } finally {
    await agent.close();
  }
  res.breaches = judge(thresholdValues(res), shared.profile);
  return res;
}

function maxOf(...xs: (number | null | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? Math.max(...v) : undefined;
}
function minOf(...xs: (number | null | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? Math.min(...v) : undefined;
}

/** What of a target's result each threshold key judges. */
export function thresholdValues(t: TargetResult): Record<string, number | undefined> {
  const call = t.call;
  return {
    rtt_ms: t.summary.rttMs?.avg,
    loss_pct: t.mode === 'options' ? maxOf(t.summary.lossPct) : maxOf(call?.rx.lossPct, call?.tx.lossPct),
    jitter_ms: call ? maxOf(call.rx.jitterMs, call.tx.jitterMs) : (t.summary.jitterMs ?? undefined),
    mos_min: call ? minOf(call.rx.mos, call.tx.mos) : undefined,
    srd_ms: call?.srdMs ?? undefined,
    setup_ms: call?.setupMs ?? undefined,
    sdd_ms: call?.sddMs ?? undefined,
    rrd_ms: t.register?.rrdMs ?? undefined,
    tls_days_min: t.tls?.daysToExpiry,
  };
}
