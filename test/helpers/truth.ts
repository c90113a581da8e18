/**
 * Readers for the tshark/capinfos output kept beside each fixture (`<capture>.truth/`).
 * Test-only: parses the text formats of tshark 4.0.17 (`-z sip,stat`, `-z rtp,streams`,
 * `-T fields` TSV) and capinfos.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

export interface SipStatTruth {
  messages: number;
  resent: number;
  statusCodes: Record<string, number>;
  methods: Record<string, number>;
}

export function readSipStat(capture: string): SipStatTruth {
  return parseSipStatText(readFileSync(`${capture}.truth/sip-stat.txt`, 'utf8'));
}

/** The text of `tshark -q -z sip,stat` → counts. */
export function parseSipStatText(text: string): SipStatTruth {
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  const statusCodes: Record<string, number> = {};
  const methods: Record<string, number> = {};
  let section: 'codes' | 'methods' | null = null;
  for (const line of text.split('\n')) {
    if (line.includes('SIP Status Codes')) section = 'codes';
    else if (line.includes('List of SIP Request methods')) section = 'methods';
    else if (line.startsWith('* ')) section = null;
    const m = /^\s+(?:SIP (\d{3}) .*?|(\S+))\s*:\s+(\d+) Packets/.exec(line);
    if (!m) continue;
    if (section === 'codes' && m[1]) statusCodes[m[1]] = Number(m[3]);
    if (section === 'methods' && m[2]) methods[m[2]] = Number(m[3]);
  }
  return {
    messages: num(/Number of SIP messages: (\d+)/),
    resent: num(/Number of resent SIP messages: (\d+)/),
    statusCodes,
    methods,
  };
}

export interface SipMessageTruth {
  frame: number;
  timeEpoch: number;
  method: string;
  status: string;
  callId: string;
  cseq: string;
}

export function readSipMessages(capture: string): SipMessageTruth[] {
  const text = readFileSync(`${capture}.truth/sip-messages.tsv`, 'utf8').trimEnd();
  const [header, ...rows] = text.split('\n');
  const cols = (header ?? '').split('\t');
  const at = (name: string) => cols.indexOf(name);
  return rows
    .filter((r) => r.length > 0)
    .map((r) => {
      const f = r.split('\t');
      return {
        frame: Number(f[at('frame.number')]),
        timeEpoch: Number(f[at('frame.time_epoch')]),
        method: f[at('sip.Method')] ?? '',
        status: f[at('sip.Status-Code')] ?? '',
        callId: f[at('sip.Call-ID')] ?? '',
        cseq: f[at('sip.CSeq')] ?? '',
      };
    });
}

export interface RtpStreamTruth {
  startRel: number;
  endRel: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  ssrc: string;
  payload: string;
  packets: number;
  lost: number;
  lostPct: number;
  minDelta: number;
  meanDelta: number;
  maxDelta: number;
  minJitter: number;
  meanJitter: number;
  maxJitter: number;
  problems: boolean;
}

/** Rows of `tshark -q -z rtp,streams` kept beside a capture ([] when the file is absent). */
export function readRtpStreams(capture: string, file = 'rtp-streams.txt'): RtpStreamTruth[] {
  const path = `${capture}.truth/${file}`;
  return existsSync(path) ? parseRtpStreamsText(readFileSync(path, 'utf8')) : [];
}

/** The text of `tshark -q -z rtp,streams`. The payload column may contain ", " (several types). */
export function parseRtpStreamsText(text: string): RtpStreamTruth[] {
  const out: RtpStreamTruth[] = [];
  const re =
    /^\s*([\d.]+)\s+([\d.]+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]{8})\s+(.+?)\s+(\d+)\s+(-?\d+) \((-?[\d.]+)%\)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*(X?)\s*$/;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const g = (i: number) => m[i] as string;
    out.push({
      startRel: Number(g(1)),
      endRel: Number(g(2)),
      src: g(3),
      srcPort: Number(g(4)),
      dst: g(5),
      dstPort: Number(g(6)),
      ssrc: g(7),
      payload: g(8),
      packets: Number(g(9)),
      lost: Number(g(10)),
      lostPct: Number(g(11)),
      minDelta: Number(g(12)),
      meanDelta: Number(g(13)),
      maxDelta: Number(g(14)),
      minJitter: Number(g(15)),
      meanJitter: Number(g(16)),
      maxJitter: Number(g(17)),
      problems: g(18) === 'X',
    });
  }
  return out;
}

export interface CapinfosTruth {
  packets: number;
  firstTime: string;
  lastTime: string;
}

export function readCapinfos(capture: string): CapinfosTruth {
  const text = readFileSync(`${capture}.truth/capinfos.txt`, 'utf8');
  const field = (name: string) => new RegExp(`${name}:\\s+(.+)`).exec(text)?.[1]?.trim() ?? '';
  return {
    packets: Number(field('Number of packets').replace(/\s.*$/, '').replace(/,/g, '')),
    firstTime: field('First packet time'),
    lastTime: field('Last packet time'),
  };
}
