/**
 * `trace` result → text for people. Pure: the result and a colour adapter in, a string out.
 * mtr's columns per hop, what answered and the hop's verdict; then the end (the SIP answer),
 * how it was measured, findings and threshold breaches. `renderTraceRound` is the one-line
 * progress form of a round.
 */
import type { ChalkInstance } from 'chalk';
import type { HopStatus, TraceFinding } from '../trace/judge.js';
import type { TraceHop, TraceResult } from '../trace/result.js';
import { renderKeyValues, renderTable } from './table.js';

const ms = (x: number | null) => (x === null ? '-' : x.toFixed(2));
const pct = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)}%`);

const ANSWER_LABEL: Readonly<Record<string, string>> = {
  'time-exceeded': 'time exceeded',
  'port-unreachable': 'port unreachable',
  'host-unreachable': 'host unreachable',
  'net-unreachable': 'net unreachable',
  'protocol-unreachable': 'proto unreachable',
  'admin-prohibited': 'blocked (admin prohibited)',
  'frag-needed': 'frag needed',
  'other-icmp': 'other ICMP',
  'echo-reply': 'echo reply',
  'udp-reply': 'UDP reply',
};

function answerText(h: TraceHop): string {
  if (!h.answeredBy) return '-';
  if (h.answeredBy === 'sip' && h.sip) return `SIP ${h.sip.status} ${h.sip.reason}`.trim();
  return ANSWER_LABEL[h.answeredBy] ?? h.answeredBy;
}

function statusText(s: HopStatus, c: ChalkInstance): string {
  switch (s) {
    case 'ok':
      return c.green('ok');
    case 'rate-limited?':
      return c.cyan('rate-limited?');
    case 'no-reply':
      return c.dim('no reply');
    case 'loss':
    case 'unreachable':
      return c.red(s);
    case 'blocked':
      return c.yellow('blocked');
  }
}

function severityText(f: TraceFinding, c: ChalkInstance): string {
  return f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
}

export function renderTraceHops(r: TraceResult, c: ChalkInstance): string {
  const rows = r.hops.map((h) => [
    String(h.ttl),
    h.address === null ? '???' : h.name ? `${h.name} (${h.address})` : h.address,
    pct(h.lossPct),
    String(h.sent),
    ms(h.lastMs),
    ms(h.avgMs),
    ms(h.bestMs),
    ms(h.worstMs),
    ms(h.stdevMs),
    ms(h.jitterMs),
    answerText(h),
    statusText(h.status, c),
  ]);
  return renderTable(
    [
      { header: 'Hop', align: 'right' },
      { header: 'Address' },
      { header: 'Loss', align: 'right' },
      { header: 'Snt', align: 'right' },
      { header: 'Last', align: 'right' },
      { header: 'Avg', align: 'right' },
      { header: 'Best', align: 'right' },
      { header: 'Wrst', align: 'right' },
      { header: 'StDev', align: 'right' },
      { header: 'Jitter', align: 'right' },
      { header: 'Answered by' },
      { header: 'Status' },
    ],
    rows,
  );
}

export function renderTrace(r: TraceResult, c: ChalkInstance): string {
  const out: string[] = [];
  const port = r.target.port === null ? '' : ` port ${r.target.port}`;
  out.push(`trace to ${r.target.input} (${r.target.address}), ${r.target.proto}${port}, IPv${r.target.family}, ${r.settings.rounds} rounds every ${r.settings.intervalMs} ms`);
  out.push(renderTraceHops(r, c));
  const d = r.destination;
  const end: [string, string][] = [];
  if (d.answered) {
    end.push(['target', c.green(`answered at hop ${d.ttl ?? '?'}`)]);
  } else if (d.reached) {
    end.push(['target', c.red(`reached at hop ${d.ttl ?? '?'}, but it did not answer ${r.target.proto === 'sip' ? 'SIP' : r.target.proto}`)]);
  } else {
    end.push(['target', c.red('never answered')]);
  }
  if (d.sip) {
    end.push(['SIP answer', `${d.sip.status} ${d.sip.reason}`.trim()]);
    if (d.sip.server) end.push(['Server', d.sip.server]);
    if (d.sip.userAgent) end.push(['User-Agent', d.sip.userAgent]);
  }
  end.push(['end-to-end loss', d.lossPct === null ? (d.reached ? 'not judged (ICMP port unreachables are rate-limited)' : '-') : pct(d.lossPct)]);
  if (d.rttMs.avg !== null) end.push(['end-to-end RTT', `avg ${ms(d.rttMs.avg)} ms, best ${ms(d.rttMs.best)}, worst ${ms(d.rttMs.worst)}, jitter ${ms(d.rttMs.jitter)}`]);
  for (const ctl of r.controls) {
    end.push([`control ${ctl.proto}${ctl.port ? ` :${ctl.port}` : ''}`, ctl.reached ? `reaches the target (hop ${ctl.lastTtl})` : `stops after hop ${ctl.lastTtl ?? '-'}`]);
  }
  end.push(['measured by', r.method.fallback ? c.yellow(r.method.note) : r.method.note]);
  out.push(renderKeyValues(end));
  if (r.findings.length > 0) {
    out.push('findings:');
    for (const f of r.findings) out.push(`  ${severityText(f, c)} ${f.code}: ${f.message}`);
  }
  if (r.thresholds.breaches.length > 0) {
    out.push('thresholds breached:');
    for (const b of r.thresholds.breaches) out.push(`  ${c.red(b.message)}`);
  }
  return out.join('\n') + '\n';
}

export function renderTraceRound(e: { round: number; hops: readonly Pick<TraceHop, 'ttl' | 'address' | 'lossPct' | 'avgMs'>[] }): string {
  return `round ${e.round + 1}: ` + e.hops.map((h) => `${h.ttl} ${h.address ?? '???'} ${pct(h.lossPct)} ${ms(h.avgMs)}`).join(' | ');
}
