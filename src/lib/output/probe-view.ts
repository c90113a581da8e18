/**
 * `probe` result → text for people. Pure: the result and a colour adapter in, a string out.
 * One summary row per target, then per target the probes, what answered, registration, call,
 * TLS certificate, findings and breaches. `renderProbeLine` is the one-line form for --watch.
 */
import type { ChalkInstance } from 'chalk';
import type { CallResult, Finding, MediaDirection, ProbeResult, ProbeSample, RegisterResult, TargetResult, TlsResult } from '../probe/result.js';
import { renderKeyValues, renderTable } from './table.js';

function ms(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : `${x.toFixed(2)} ms`;
}
function num(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined ? '-' : x.toFixed(digits);
}
function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : `${x.toFixed(1)} %`;
}

function statusText(s: ProbeSample | { status: number | null; reason: string | null }): string {
  return s.status === null ? 'no answer' : `${s.status} ${s.reason ?? ''}`.trim();
}

function endpointText(e: { ip: string; port: number }): string {
  return `${e.ip.includes(':') ? `[${e.ip}]` : e.ip}:${e.port}`;
}

function outcomeText(t: TargetResult, c: ChalkInstance): string {
  switch (t.outcome) {
    case 'ok':
      return t.breaches.length > 0 ? c.yellow(`ok, ${t.breaches.length} breach${t.breaches.length > 1 ? 'es' : ''}`) : c.green('ok');
    case 'unexpected-status':
    case 'auth-failed':
    case 'call-failed':
      return c.yellow(t.outcome);
    default:
      return c.red(t.outcome);
  }
}

/** The summary table: one row per target. */
export function renderProbeSummary(r: ProbeResult, c: ChalkInstance): string {
  const rows = r.targets.map((t) => {
    const answered = t.probes.filter((p) => p.status !== null);
    const first = answered[answered.length - 1] ?? t.probes[0];
    const rtt = t.summary.rttMs;
    return [
      t.target,
      t.transport ?? '-',
      t.remote ? endpointText(t.remote) : '-',
      first ? statusText(first) : '-',
      `${t.summary.answered}/${t.summary.sent}`,
      pct(t.summary.lossPct),
      rtt ? `${rtt.min.toFixed(2)}/${rtt.avg.toFixed(2)}/${rtt.max.toFixed(2)}/${rtt.mdev.toFixed(2)}` : '-',
      t.summary.jitterMs === null ? '-' : t.summary.jitterMs.toFixed(2),
      outcomeText(t, c),
    ];
  });
  return renderTable(
    [
      { header: 'Target' },
      { header: 'Transport' },
      { header: 'Address' },
      { header: 'Answer' },
      { header: 'Ans/Sent', align: 'right' },
      { header: 'Loss', align: 'right' },
      { header: 'RTT min/avg/max/mdev ms', align: 'right' },
      { header: 'Jitter ms', align: 'right' },
      { header: 'Result' },
    ],
    rows,
  );
}

export function renderProbeLine(t: Pick<TargetResult, 'target' | 'transport' | 'remote'>, p: ProbeSample, c: ChalkInstance): string {
  const where = t.remote ? ` ${endpointText(t.remote)}` : '';
  const status = p.status === null ? c.red(p.error ?? 'no answer') : p.status >= 200 && p.status < 300 ? c.green(statusText(p)) : c.yellow(statusText(p));
  const rtt = p.rttMs === null ? '' : ` rtt=${p.rttMs.toFixed(2)} ms`;
  return `${t.target} ${t.transport ?? ''}${where} ${p.method} seq=${p.seq} ${status}${rtt}${p.retransmitted ? ' (retransmitted)' : ''}`;
}

function renderFindings(fs: readonly Finding[], c: ChalkInstance): string[] {
  return fs.map((f) => {
    const tag = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
    return `  ${tag} ${f.code}: ${f.message}${f.evidence ? ` (${f.evidence})` : ''}`;
  });
}

function renderRegister(reg: RegisterResult): [string, string][] {
  return [
    ['register', `${statusText(reg)}${reg.auth ? `, ${reg.auth.scheme} ${reg.auth.algorithm}${reg.auth.qop ? ` qop=${reg.auth.qop}` : ''}` : ''}`],
    ['RRD', ms(reg.rrdMs)],
    ['expires', reg.expires === null ? '-' : `${reg.expires} s`],
    ['unregistered', reg.unregistered ? `yes (${reg.unregisterStatus ?? '-'})` : 'no'],
  ];
}

function mediaText(d: MediaDirection): string {
  if (d.source === 'none' && d.packets === 0) return '-';
  return `${d.packets} pkts, loss ${pct(d.lossPct)}, jitter ${ms(d.jitterMs)}, MOS ${num(d.mos)}${d.source === 'measured' ? '' : ` (${d.source})`}`;
}

function renderCall(call: CallResult): [string, string][] {
  return [
    ['call', `${call.uri}: ${statusText(call)} (end: ${call.endedBy})${call.codec ? `, ${call.codec}` : ''}${call.prack ? ', PRACK' : ''}`],
    ['SRD / setup', `${ms(call.srdMs)} / ${ms(call.setupMs)}`],
    ['SDT / SDD', `${ms(call.sdtMs)} / ${ms(call.sddMs)}`],
    ['RTP received', mediaText(call.rx)],
    ['RTP sent', mediaText(call.tx)],
    ['RTCP sent/received', `${call.rtcp.sent}/${call.rtcp.received}`],
  ];
}

function renderTls(tls: TlsResult): [string, string][] {
  return [
    ['TLS', `${tls.protocol ?? '?'}${tls.servername ? `, SNI ${tls.servername}` : ''}, ${tls.verified ? 'verified' : `NOT verified (${tls.verifyError ?? 'skipped'})`}`],
    ['certificate', `${tls.subject}, issued by ${tls.issuer}, expires in ${tls.daysToExpiry} days (${tls.validTo})`],
  ];
}

function renderTargetDetail(t: TargetResult, c: ChalkInstance): string {
  const out: string[] = [c.bold(`${t.target}`) + ` (${t.uri}, ${t.mode})`];
  const kv: [string, string][] = [];
  for (const s of t.dns.filter((d) => d.type !== 'literal')) kv.push([`DNS ${s.type}`, `${s.query} → ${s.answers.join(', ') || 'none'}`]);
  if (t.resolved.length) kv.push(['addresses', t.resolved.map(endpointText).join(', ')]);
  if (t.local) kv.push(['local', endpointText(t.local)]);
  if (t.server) kv.push(['server', t.server]);
  if (t.userAgent) kv.push(['user-agent', t.userAgent]);
  if (t.allow.length) kv.push(['allow', t.allow.join(', ')]);
  if (t.tls) kv.push(...renderTls(t.tls));
  if (t.register) kv.push(...renderRegister(t.register));
  if (t.call) kv.push(...renderCall(t.call));
  if (kv.length) out.push(renderKeyValues(kv).replace(/^/gm, '  '));
  for (const p of t.probes) out.push(`  ${renderProbeLine({ target: '', transport: null, remote: null }, p, c).trim()}`);
  out.push(...renderFindings(t.findings, c));
  for (const b of t.breaches) out.push(`  ${c.red('breach')} ${b.message}`);
  return out.join('\n');
}

export function renderProbe(r: ProbeResult, c: ChalkInstance): string {
  const parts = [renderProbeSummary(r, c)];
  for (const t of r.targets) parts.push(renderTargetDetail(t, c));
  if (r.profile) parts.push(`thresholds: ${r.profile.name} (${r.profile.source})`);
  return parts.join('\n\n') + '\n';
}
