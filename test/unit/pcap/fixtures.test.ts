/**
 * Every real capture in fixtures/ reads with capinfos' own numbers (packet count, first and last
 * packet time, data size), and the chunking law holds: the same frames for any chunk size.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../../src/lib/pcap/stream-parser.js';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { FIXTURES, capinfos, capinfosTime, copyFrame, fixtureCaptures, parseInChunks, type FrameCopy } from './capture-truth.js';

/** capinfos' "File encapsulation" → LINKTYPE_* (tcpdump.org link-layer header types). */
const ENCAPSULATION_LINKTYPE: Record<string, number> = {
  Ethernet: 1,
  'Raw IP': 101,
  'Linux cooked-mode capture v1': 113,
  'Linux cooked-mode capture v2': 276,
};

/**
 * Where capinfos 4.0.17 itself is wrong. sip-ipv6-udp-basic-call.pcap has six frames whose
 * times jump by decades (2012 → 2092, see frame.time_epoch in its sip-messages.tsv, strictly
 * increasing). capinfos' time comparison truncates a difference of seconds > 2^31 to an int, so
 * it takes the 2092 frame as both the earliest and the latest ("Capture duration 0"). The true
 * earliest time is frame 1's, which tshark prints as 1328589362.251758.
 */
const CAPINFOS_WRONG_FIRST: Record<string, string> = {
  'sip-ipv6-udp-basic-call.pcap': '2012-02-07 04:36:02.251758',
};

const files = fixtureCaptures();

describe('real captures agree with capinfos', () => {
  it('finds the fixtures (public and lab, pcap and pcapng)', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files.some((f) => f.endsWith('.pcapng'))).toBe(true);
  });

  it.each(files.map((f) => [basename(f), f]))('%s', (_name, path) => {
    const truth = capinfos(path);
    const bytes = readFileSync(path);
    let count = 0;
    let lastIndex = 0;
    const summary = parseCapture(bytes, (f) => {
      count++;
      expect(f.index).toBe(lastIndex + 1);
      lastIndex = f.index;
      expect(f.tsNsec).toBeGreaterThanOrEqual(0);
      expect(f.tsNsec).toBeLessThan(1e9);
      expect(f.data.length).toBeLessThanOrEqual(f.origLen);
    });
    expect(summary.fatal).toBeNull();
    expect(summary.truncated).toBeNull();
    expect(summary.bytesConsumed).toBe(bytes.length);
    expect(summary.frames).toBe(truth.packets);
    expect(count).toBe(truth.packets);
    expect(summary.firstTs).not.toBeNull();
    expect(capinfosTime(summary.firstTs!.sec, summary.firstTs!.nsec, truth.precision)).toBe(
      CAPINFOS_WRONG_FIRST[basename(path)] ?? truth.first,
    );
    expect(capinfosTime(summary.lastTs!.sec, summary.lastTs!.nsec, truth.precision)).toBe(truth.last);
    if (truth.dataBytes !== null) expect(summary.bytes).toBe(truth.dataBytes);
    if (truth.dataKb !== null) expect(Math.floor(summary.bytes / 1000)).toBe(truth.dataKb);
    expect(summary.linkTypes).toEqual([ENCAPSULATION_LINKTYPE[truth.encapsulation]]);
    expect(summary.format).toBe(
      path.endsWith('.pcapng') ? 'pcapng' : truth.precision === 9 ? 'pcap-ns' : 'pcap',
    );
  });
});

describe("every SIP frame's time equals tshark's frame.time_epoch", () => {
  const withTsv = files.filter(
    (f) => existsSync(`${f}.truth/sip-messages.tsv`) && readFileSync(`${f}.truth/sip-messages.tsv`, 'utf8').trim().includes('\n'),
  );
  it.each(withTsv.map((f) => [basename(f), f]))('%s', (_name, path) => {
    const rows = readFileSync(`${path}.truth/sip-messages.tsv`, 'utf8').trim().split('\n').slice(1);
    const want = new Map<number, string>();
    for (const row of rows) {
      const [num, epoch] = row.split('\t');
      want.set(Number(num), epoch!);
    }
    expect(want.size).toBeGreaterThan(0);
    const got = new Map<number, string>();
    parseCapture(readFileSync(path), (f) => {
      if (want.has(f.index)) got.set(f.index, `${f.tsSec}.${f.tsNsec.toString().padStart(9, '0')}`);
    });
    expect(got).toEqual(want);
  });
});

describe('chunking law: the same frames for every chunk size', () => {
  const sample = [
    'lab/call_lo.pcapng',
    'lab/call_lo_nano.pcap',
    'lab/call_any_sll2.pcap',
    'public/sip-keepalive-register-401.pcapng',
    'public/rtcp-compound-multiple-per-datagram-linux-sll.pcap',
  ];
  it.each(sample)('%s', (rel) => {
    const bytes = readFileSync(`${FIXTURES}${rel}`);
    const whole = parseInChunks(bytes, bytes.length);
    expect(whole.frames.length).toBeGreaterThan(0);
    for (const size of [1, 7, 64, 4096]) {
      const chunked = parseInChunks(bytes, size);
      expect(chunked.frames).toEqual(whole.frames);
      expect(chunked.summary).toEqual(whole.summary);
    }
  });
});

describe('timestamps are exact', () => {
  const read = (rel: string): FrameCopy[] => {
    const out: FrameCopy[] = [];
    parseCapture(readFileSync(`${FIXTURES}${rel}`), (f: Frame) => out.push(copyFrame(f)));
    return out;
  };

  it('call_lo_nano.pcap (ns) agrees with call_lo_en10mb.pcap (µs) to the microsecond', () => {
    const us = read('lab/call_lo_en10mb.pcap');
    const ns = read('lab/call_lo_nano.pcap');
    expect(ns.length).toBe(us.length);
    let subMicro = 0;
    ns.forEach((f, i) => {
      const g = us[i]!;
      expect(f.tsSec).toBe(g.tsSec);
      expect(Math.floor(f.tsNsec / 1000) * 1000).toBe(g.tsNsec);
      if (f.tsNsec % 1000 !== 0) subMicro++;
      expect(f.data).toBe(g.data);
    });
    expect(subMicro).toBeGreaterThan(0); // the ns file really carries sub-µs digits
  });

  it('call_lo.pcapng (if_tsresol 9) gives the same ns times as the ns pcap', () => {
    const ng = read('lab/call_lo.pcapng');
    const ns = read('lab/call_lo_nano.pcap');
    expect(ng.map((f) => [f.tsSec, f.tsNsec])).toEqual(ns.map((f) => [f.tsSec, f.tsNsec]));
  });

  it('reads the ISB of call_lo.pcapng (dumpcap statistics)', () => {
    const s = parseCapture(readFileSync(`${FIXTURES}lab/call_lo.pcapng`), () => undefined);
    expect(s.interfaceDrops).toEqual([
      expect.objectContaining({ section: 0, interfaceId: 0, name: 'lo', linkType: 1, dropped: 0 }),
    ]);
  });
});
