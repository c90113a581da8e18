/**
 * Known impairments, applied to a real call: the PCMA stream 127.0.0.1:6100 → :6000 of
 * fixtures/lab/call_lo_en10mb.pcap (67 packets, 30 ms apart) is rewritten with a seeded,
 * exactly known impairment — random loss, burst loss, duplicates, reordering, jitter — and the
 * other 101 frames are kept as they are. voipdiag must report what was done to the packet, agree
 * with tshark on packets and lost, and score the MOS in the right order.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCaptures } from '../../src/lib/io/capture-files.js';
import { PcapFileWriter } from '../../src/lib/pcap/writer.js';
import { runAnalyze } from '../../src/lib/tasks/analyze.js';
import type { RtpStreamRow } from '../../src/lib/engine/analysis-result.js';
import { FIXTURES, parseRtpStreamsText } from '../helpers/truth.js';

const SOURCE = join(FIXTURES, 'lab', 'call_lo_en10mb.pcap');

interface Rec {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
}

/** UDP 6100 → 6000 carrying RTP payload type 8 (PCMA): Ethernet 14 + IPv4 20 + UDP 8. */
function isTarget(r: Rec): boolean {
  const d = r.data;
  const sport = (d[34]! << 8) | d[35]!;
  const dport = (d[36]! << 8) | d[37]!;
  return sport === 6100 && dport === 6000 && (d[43]! & 0x7f) === 8;
}

type Impair = (stream: Rec[], rand: () => number) => Rec[];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const shift = (r: Rec, ms: number): Rec => {
  const ns = r.tsNsec + Math.round(ms * 1e6);
  return { ...r, tsSec: r.tsSec + Math.floor(ns / 1e9), tsNsec: ns % 1e9 };
};

const CASES: Record<string, Impair> = {
  clean: (s) => s,
  // 8 packets lost, spread out (every 8th from the 4th), i.e. random-like loss.
  spread8: (s) => s.filter((_, i) => i % 8 !== 3),
  // 8 packets lost in one run (packets 20–27).
  burst8: (s) => s.filter((_, i) => i < 20 || i > 27),
  // Every 15th packet sent twice.
  dup4: (s) => s.flatMap((r, i) => (i % 15 === 14 ? [r, r] : [r])),
  // Three adjacent pairs swapped (arrival order and times).
  reorder3: (s) => {
    const out = [...s];
    for (const i of [10, 30, 50]) {
      const a = out[i]!;
      const b = out[i + 1]!;
      out[i] = { ...b, tsSec: a.tsSec, tsNsec: a.tsNsec };
      out[i + 1] = { ...a, tsSec: b.tsSec, tsNsec: b.tsNsec };
    }
    return out;
  },
  // Each packet delayed by a seeded 0–40 ms, order kept (a jitter buffer's problem, not loss).
  jitter40: (s, rand) => {
    let floor = 0;
    return s.map((r) => {
      const withDelay = shift(r, 40 * rand());
      const t = withDelay.tsSec * 1e9 + withDelay.tsNsec;
      if (t < floor) return shift(r, (floor - (r.tsSec * 1e9 + r.tsNsec)) / 1e6);
      floor = t;
      return withDelay;
    });
  },
};

const dir = mkdtempSync(join(tmpdir(), 'voipdiag-impair-'));
const results = new Map<string, RtpStreamRow>();
const files = new Map<string, string>();

beforeAll(async () => {
  const frames: Rec[] = [];
  await readCaptures([SOURCE], (f) => frames.push({ tsSec: f.tsSec, tsNsec: f.tsNsec, data: f.data.slice() }));
  const target = frames.filter(isTarget);
  expect(target.length).toBe(67);
  for (const [name, impair] of Object.entries(CASES)) {
    const impaired = impair(target, mulberry32(7));
    // Put the impaired stream back where the original was, in place of its packets.
    let k = 0;
    const out: Rec[] = [];
    for (const f of frames) {
      if (!isTarget(f)) out.push(f);
      else if (k === 0) {
        out.push(...impaired);
        k = 1;
      }
    }
    const path = join(dir, `${name}.pcap`);
    const w = new PcapFileWriter(createWriteStream(path), { linkType: 1, snaplen: 262144 });
    for (const r of out) w.write(r.tsSec, r.tsNsec, r.data);
    await w.close();
    files.set(name, path);
    const { result } = await runAnalyze({ files: [path], rtpHeuristic: true });
    const s = result.rtp.streams.find((x) => x.src.port === 6100 && x.payload === 'g711A');
    expect(s, name).toBeDefined();
    results.set(name, s as RtpStreamRow);
  }
});

describe('known impairments on a real call', () => {
  it('random-like loss: 8 lost of 67, single-packet runs, burst ratio near 1', () => {
    const s = results.get('spread8')!;
    expect(s).toMatchObject({ packets: 59, lost: 8, duplicates: 0, outOfOrder: 0 });
    expect(s.lostPct).toBeCloseTo((8 / 67) * 100, 1);
    expect(s.lossRuns).toMatchObject({ '1': 8, '2': 0 });
    expect(s.burstRatio).toBeLessThan(1.2);
  });

  it('burst loss: the same 8 packets in one run, burst ratio well above 1', () => {
    const s = results.get('burst8')!;
    expect(s).toMatchObject({ packets: 59, lost: 8 });
    expect(s.lossRuns).toMatchObject({ '6-10': 1, '1': 0 });
    expect(s.burstRatio).toBeGreaterThan(3);
  });

  it('duplicates: counted as duplicates, not as negative loss', () => {
    const s = results.get('dup4')!;
    expect(s).toMatchObject({ packets: 71, lost: -4, duplicates: 4, outOfOrder: 0 });
    expect(s.mosInputs?.lossPct).toBe(0);
  });

  it('reordering: 3 late packets, nothing lost', () => {
    const s = results.get('reorder3')!;
    expect(s).toMatchObject({ packets: 67, lost: 0, duplicates: 0, outOfOrder: 3 });
    expect(s.problems).toBe(true);
  });

  it('jitter: the mean jitter rises by an order of magnitude', () => {
    const clean = results.get('clean')!;
    const j = results.get('jitter40')!;
    expect(j.packets).toBe(67);
    expect(j.meanJitterMs).toBeGreaterThan(5);
    expect(j.meanJitterMs).toBeGreaterThan(10 * clean.meanJitterMs);
  });

  it('MOS falls as it should: clean > jitter, clean > random loss > burst loss of the same packets', () => {
    const mos = (n: string) => results.get(n)!.mos as number;
    expect(mos('clean')).toBeGreaterThan(4.3);
    expect(mos('jitter40')).toBeLessThan(mos('clean'));
    expect(mos('spread8')).toBeLessThan(mos('clean'));
    expect(mos('burst8')).toBeLessThan(mos('spread8'));
    expect(mos('dup4')).toBeCloseTo(mos('clean'), 1);
  });

  const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!tshark)('agrees with tshark rtp,streams on packets, lost and jitter for every variant', () => {
    for (const [name, path] of files) {
      const out = spawnSync('tshark', ['-r', path, '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', 'rtp,streams'], { encoding: 'utf8' }).stdout;
      const t = parseRtpStreamsText(out).find((x) => x.srcPort === 6100 && x.payload === 'g711A');
      const s = results.get(name)!;
      expect({ name, packets: s.packets, lost: s.lost, problems: s.problems }).toEqual({ name, packets: t?.packets, lost: t?.lost, problems: t?.problems });
      expect(Math.abs(s.meanJitterMs - (t?.meanJitter ?? NaN)), name).toBeLessThan(0.0105);
      expect(Math.abs(s.maxDeltaMs - (t?.maxDelta ?? NaN)), name).toBeLessThan(0.0105);
    }
  });
});
