/**
 * `analyze` / `capture` result → text for people. Pure: the result and a colour adapter in,
 * a string out (colour decisions were made by the Ui).
 */
import type { ChalkInstance } from 'chalk';
import type { AnalyzeResult, CallRow, RtpStreamRow } from '../engine/analysis-result.js';
import type { DelaySummary } from '../metrics/delay-stats.js';
import { renderKeyValues, renderTable } from './table.js';
import { renderLadder } from './ladder.js';

export function renderAnalyze(r: AnalyzeResult, c: ChalkInstance): string {
  const out: string[] = [];
  const cap = r.capture;
  out.push(c.bold('Capture'));
  out.push(
    renderKeyValues([
      ['files', cap.files.map((f) => `${f.path} (${f.format}${f.truncated ? ', truncated' : ''})`).join(', ')],
      ['span', cap.start ? `${cap.start} → ${cap.end} (${cap.durationSec.toFixed(3)} s)` : 'no packets'],
      ['packets', `${cap.packets} (${cap.bytes} bytes)`],
      ['link types', cap.linkTypes.map((l) => `${l.name} (${l.packets})`).join(', ') || '-'],
      ['malformed', cap.malformed.length ? cap.malformed.map((m) => `${m.layer}/${m.code}: ${m.count}`).join(', ') : '0'],
      ...(cap.drops ? ([['capture drops', `${cap.drops.dropped} (${cap.drops.source})`]] as [string, string][]) : []),
    ]),
  );

  out.push('', c.bold('SIP'));
  out.push(renderKeyValues([
    ['messages', String(r.sip.messages)],
    ['retransmissions', String(r.sip.retransmissions)],
  ]));
  const methods = Object.entries(r.sip.methods).sort((a, b) => b[1] - a[1]);
  const codes = Object.entries(r.sip.statusCodes).sort((a, b) => Number(a[0]) - Number(b[0]));
  if (methods.length || codes.length) {
    const n = Math.max(methods.length, codes.length);
    const rows: string[][] = [];
    for (let i = 0; i < n; i++) {
      const m = methods[i];
      const s = codes[i];
      rows.push([m ? m[0] : '', m ? String(m[1]) : '', s ? s[0] : '', s ? String(s[1]) : '']);
    }
    out.push(renderTable([{ header: 'Method' }, { header: 'Count', align: 'right' }, { header: 'Status' }, { header: 'Count', align: 'right' }], rows));
  }

  out.push('', c.bold(`Calls (${r.calls.length})`));
  if (r.calls.length) out.push(renderCalls(r.calls, c));

  const m = r.rfc6076;
  out.push('', c.bold('RFC 6076 metrics'));
  out.push(
    renderTable(
      [{ header: 'Metric' }, { header: 'Value', align: 'right' }, { header: 'Detail' }],
      [
        ['SER', pct(m.serPct), `answered ${m.answered} of ${m.attempts} attempts (3xx excluded)`],
        ['SEER', pct(m.seerPct), '2xx, 480, 486, 600, 603'],
        ['ISA', pct(m.isaPct), `408, 500, 503, 504: ${m.iss}`],
        ['SCR', pct(m.scrPct), `completed ${m.completed}`],
        ['ASR', pct(m.asrPct), 'E.411'],
        ['NER', pct(m.nerPct), '100 − ISA'],
        ['SRD', delay(m.srdMs), 'INVITE → first 18x (or 2xx)'],
        ['SRD failed', delay(m.srdFailedMs), 'INVITE → failure'],
        ['Setup', delay(m.setupMs), 'INVITE → 2xx'],
        ['SDT', delay(m.sdtMs), '2xx → BYE'],
        ['SDD', delay(m.sddMs), 'BYE → response'],
        ['RRD', delay(m.rrdMs), 'REGISTER → 2xx'],
        ['IRA', pct(m.iraPct), 'failed registrations'],
        ...(m.pending ? [['pending', String(m.pending), 'no final response at end of capture']] : []),
      ],
    ),
  );

  if (r.registrations.length) {
    out.push('', c.bold(`Registrations (${r.registrations.length})`));
    out.push(
      renderTable(
        [{ header: 'AoR' }, { header: 'Attempts', align: 'right' }, { header: 'Challenges', align: 'right' }, { header: 'OK', align: 'right' }, { header: 'Failures' }, { header: 'RRD avg ms', align: 'right' }, { header: 'Expires', align: 'right' }],
        r.registrations.map((g) => [
          g.aor,
          String(g.attempts),
          String(g.challenges),
          String(g.successes),
          Object.entries(g.failures).map(([k, v]) => `${k}×${v}`).join(' ') || '-',
          g.rrdMs.avg === null ? '-' : g.rrdMs.avg.toFixed(1),
          g.expiresSec === null ? '-' : String(g.expiresSec),
        ]),
      ),
    );
  }

  if (r.endpoints.length) {
    out.push('', c.bold(`Endpoints (${r.endpoints.length})`));
    out.push(
      renderTable(
        [{ header: 'Vendor' }, { header: 'Model' }, { header: 'Firmware' }, { header: 'Role' }, { header: 'Addresses' }, { header: 'Msgs', align: 'right' }],
        r.endpoints.map((e) => [e.vendor, e.model ?? '-', e.firmware ?? '-', e.role, e.addresses.join(' '), String(e.messages)]),
      ),
    );
  }

  out.push('', c.bold(`RTP streams (${r.rtp.streams.length})`));
  if (r.rtp.streams.length) out.push(renderStreams(r.rtp.streams, c));

  if (r.rtp.dtmf.length) {
    out.push('', c.bold('DTMF (RFC 4733)'));
    out.push(renderTable([{ header: 'Time' }, { header: 'Stream' }, { header: 'Digit' }, { header: 'Duration ms', align: 'right' }],
      r.rtp.dtmf.map((d) => [d.start, d.streamId, d.digit, d.durationMs.toFixed(1)])));
  }

  if (r.findings.length) {
    out.push('', c.bold('Findings'));
    for (const f of r.findings) {
      const sev = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warn ') : c.cyan('info ');
      out.push(`  ${sev} ${f.code}: ${f.message}`);
    }
  }
  if (r.ladder) out.push('', renderLadder(r.ladder));
  return out.join('\n') + '\n';
}

function renderCalls(calls: readonly CallRow[], c: ChalkInstance): string {
  return renderTable(
    [
      { header: 'Start' }, { header: 'Call-ID' }, { header: 'From' }, { header: 'To' },
      { header: 'SRD ms', align: 'right' }, { header: 'Setup ms', align: 'right' }, { header: 'Duration s', align: 'right' },
      { header: 'Final' }, { header: 'Ended by' }, { header: 'Media' }, { header: 'MOS', align: 'right' },
    ],
    calls.map((k) => [
      k.start.slice(11, 23),
      k.callId.length > 28 ? `${k.callId.slice(0, 27)}…` : k.callId,
      k.from,
      k.to,
      num(k.srdMs, 1),
      num(k.setupMs, 1),
      k.durationMs === null ? '-' : (k.durationMs / 1000).toFixed(2),
      k.finalStatus === null ? '-' : colourStatus(k.finalStatus, c),
      k.endedBy,
      k.media.map((m) => `${m.side === 'caller' ? 'A' : 'B'}:${m.ip}:${m.rtpPort}`).join(' ') || '-',
      k.mos === null ? '-' : k.mos.toFixed(2),
    ]),
  );
}

function renderStreams(streams: readonly RtpStreamRow[], c: ChalkInstance): string {
  return renderTable(
    [
      { header: 'Src' }, { header: 'Dst' }, { header: 'SSRC' }, { header: 'Payload' },
      { header: 'Pkts', align: 'right' }, { header: 'Lost', align: 'right' },
      { header: 'Delta min/mean/max ms', align: 'right' }, { header: 'Jitter min/mean/max ms', align: 'right' },
      { header: 'Dup', align: 'right' }, { header: 'OoO', align: 'right' }, { header: 'MOS', align: 'right' }, { header: '!' },
    ],
    streams.map((s) => [
      `${s.src.ip}:${s.src.port}`,
      `${s.dst.ip}:${s.dst.port}`,
      s.ssrc,
      s.payload,
      String(s.packets),
      `${s.lost} (${s.lostPct.toFixed(1)}%)`,
      `${s.minDeltaMs.toFixed(3)}/${s.meanDeltaMs.toFixed(3)}/${s.maxDeltaMs.toFixed(3)}`,
      `${s.minJitterMs.toFixed(3)}/${s.meanJitterMs.toFixed(3)}/${s.maxJitterMs.toFixed(3)}`,
      String(s.duplicates),
      String(s.outOfOrder),
      s.mos === null ? '-' : s.mos.toFixed(2),
      s.problems ? c.yellow('X') : '',
    ]),
  );
}

function colourStatus(code: number, c: ChalkInstance): string {
  if (code < 300) return c.green(String(code));
  if (code < 400) return c.cyan(String(code));
  return c.red(String(code));
}

function pct(x: number | null): string {
  return x === null ? '-' : `${x.toFixed(1)} %`;
}

function num(x: number | null, digits: number): string {
  return x === null ? '-' : x.toFixed(digits);
}

function delay(d: DelaySummary): string {
  if (d.count === 0 || d.avg === null) return '-';
  return `${d.avg.toFixed(1)} ms`;
}
