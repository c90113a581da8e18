/**
 * Real captures against tshark: the SIP messages the dissector delivers (UDP payloads that
 * start with a SIP start line, plus messages framed from TCP) equal, in number and order, the
 * rows of `<file>.truth/sip-messages.tsv` (`tshark -Y sip`), frame numbers included (for TCP
 * the frame that completed the message). No capture may produce a malformed report.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptures } from '../../../src/lib/io/capture-files.js';
import { Dissector } from '../../../src/lib/dissect/dissector.js';
import type { DissectSink, TransportPacket } from '../../../src/lib/dissect/packet.js';
import { looksLikeSipStart } from '../../../src/lib/sip/framing.js';

const ROOT = join(import.meta.dirname, '../../../fixtures');

interface TruthRow {
  frame: number;
  src: string;
  dst: string;
  method: string;
  status: string;
}

function truthRows(path: string): TruthRow[] {
  const lines = readFileSync(`${path}.truth/sip-messages.tsv`, 'utf8').split('\n').slice(1).filter((l) => l.length > 0);
  return lines.map((l) => {
    const c = l.split('\t');
    const last = (s: string | undefined) => (s ?? '').split(',').at(-1) ?? '';
    return {
      frame: Number(c[0]),
      src: last(c[2]) || last(c[3]),
      dst: last(c[4]) || last(c[5]),
      method: (c[6] ?? '').split(',')[0] ?? '',
      status: (c[7] ?? '').split(',')[0] ?? '',
    };
  });
}

interface Seen {
  frame: number;
  src: string;
  dst: string;
  method: string;
  status: string;
  transport: 'udp' | 'tcp';
}

/** Method or status code from a start line (the test's own tiny reading, not the SIP codec). */
function startLine(p: Uint8Array): { method: string; status: string } {
  let i = 0;
  while (i < p.length && p[i] !== 0x20) i++;
  const first = Buffer.from(p.subarray(0, i)).toString('latin1');
  if (first.toUpperCase() === 'SIP/2.0') return { method: '', status: Buffer.from(p.subarray(i + 1, i + 4)).toString('latin1') };
  return { method: first, status: '' };
}

async function dissect(path: string): Promise<{ seen: Seen[]; malformed: string[]; dissector: Dissector }> {
  const seen: Seen[] = [];
  const malformed: string[] = [];
  const record = (p: TransportPacket) => seen.push({ frame: p.frame.index, src: p.src, dst: p.dst, transport: p.transport, ...startLine(p.payload) });
  const sink: DissectSink = {
    udp: (p) => {
      if (looksLikeSipStart(p.payload, 0, p.payload.length)) record(p);
    },
    tcpMessage: record,
    malformed: (layer, code, f) => malformed.push(`${layer}/${code}@${f.index}`),
  };
  const dissector = new Dissector(sink);
  await readCaptures([path], (f) => dissector.push(f));
  dissector.flush();
  return { seen, malformed, dissector };
}

const captures = ['public', 'lab'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .map((f) => join(ROOT, dir, f)),
);

describe('real captures: SIP messages as tshark sees them', () => {
  it('finds the fixtures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(20);
  });

  for (const path of captures) {
    const name = path.slice(ROOT.length + 1);
    it(name, async () => {
      const { seen, malformed } = await dissect(path);
      expect(malformed).toEqual([]);
      // tshark prints one row per frame; a TCP segment completing two messages is one row.
      const collapsed = seen.filter((s, i) => i === 0 || s.transport === 'udp' || seen[i - 1]!.frame !== s.frame);
      const truth = truthRows(path);
      expect(collapsed.map((s) => s.frame)).toEqual(truth.map((t) => t.frame));
      expect(collapsed.map((s) => [s.src, s.dst, s.method, s.status])).toEqual(truth.map((t) => [t.src, t.dst, t.method, t.status]));
    });
  }

  it('SIP over TCP arrives as tcpMessage, SLL2 and RAW and SLL are dissected', async () => {
    const tcp = await dissect(join(ROOT, 'public/sip-tcp-call-g711-rtp-rtcp.pcap'));
    expect(tcp.seen.every((s) => s.transport === 'tcp')).toBe(true);
    expect(tcp.dissector.stats.tcpStreams.messages).toBe(7);
    const sll2 = await dissect(join(ROOT, 'lab/call_any_sll2.pcap'));
    expect(sll2.dissector.stats.byLinkType[276]).toBe(168);
    const raw = await dissect(join(ROOT, 'lab/call_tun_raw.pcap'));
    expect(raw.dissector.stats.byLinkType[101]).toBeGreaterThan(0);
    expect(raw.dissector.stats.icmp).toBeGreaterThan(0);
    const sll = await dissect(join(ROOT, 'public/rtcp-compound-multiple-per-datagram-linux-sll.pcap'));
    expect(sll.dissector.stats.byLinkType[113]).toBe(5);
    expect(sll.dissector.stats.udp).toBe(5);
  });
});
