/**
 * `analyze` against tshark on every real capture in fixtures/: the numbers in each
 * `<capture>.truth/` folder (tshark 4.0.17 / capinfos) must come out of our engine.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisEngine } from '../../src/lib/engine/analysis-engine.js';
import { readCaptures } from '../../src/lib/io/capture-files.js';
import { FIXTURES, readCapinfos, readRtpStreams, readSipMessages, readSipStat } from '../helpers/truth.js';

const captures = ['public', 'lab'].flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .map((f) => join(FIXTURES, dir, f)),
);

async function analyse(path: string) {
  const engine = new AnalysisEngine({ rtpHeuristic: true });
  const summary = await readCaptures([path], (f) => engine.push(f));
  const result = engine.finish(summary);
  return { engine, result };
}

describe.each(captures.map((c) => [c.slice(FIXTURES.length + 1), c]))('%s', (_name, capture) => {
  it('reads every frame capinfos counts', async () => {
    const { result } = await analyse(capture);
    expect(result.capture.packets).toBe(readCapinfos(capture).packets);
    expect(result.capture.malformed).toEqual([]);
  });

  it('counts SIP messages by method and status code as tshark -z sip,stat', async () => {
    const { result } = await analyse(capture);
    const truth = readSipStat(capture);
    expect(result.sip.messages).toBe(truth.messages);
    expect(result.sip.methods).toEqual(truth.methods);
    expect(result.sip.statusCodes).toEqual(truth.statusCodes);
    expect(result.sip.retransmissions).toBe(truth.resent);
  });

  it('sees the same set of Call-IDs as tshark -Y sip', async () => {
    const { engine, result } = await analyse(capture);
    const truth = new Set(readSipMessages(capture).map((m) => m.callId));
    expect(new Set(engine.sip.callIds)).toEqual(truth);
    for (const c of result.calls) expect(truth.has(c.callId)).toBe(true);
  });

  it('gives tshark rtp,streams numbers for every RTP stream', async () => {
    const { result } = await analyse(capture);
    // tshark with rtp.heuristic_rtp misses RTP whose UDP ports another dissector claims first
    // (the RFC 2833 fixture); its heuristics-first run finds it. Streams only that run lists
    // are compared against that run (fixtures/README.md).
    const plain = readRtpStreams(capture);
    const extra = readRtpStreams(capture, 'rtp-streams-heurfirst.txt').filter(
      (h) => h.srcPort !== 137 && h.dstPort !== 137 && !plain.some((p) => p.ssrc === h.ssrc && p.srcPort === h.srcPort),
    );
    const truth = [...plain, ...extra];
    for (const t of truth) {
      const s = result.rtp.streams.find(
        (x) => x.src.ip === t.src && x.src.port === t.srcPort && x.dst.ip === t.dst && x.dst.port === t.dstPort && x.ssrc === t.ssrc,
      );
      const label = `${t.src}:${t.srcPort} -> ${t.dst}:${t.dstPort} ${t.ssrc}`;
      expect(s, label).toBeDefined();
      if (!s) continue;
      expect({ stream: label, packets: s.packets, lost: s.lost, payload: s.payload, problems: s.problems }).toEqual({
        stream: label,
        packets: t.packets,
        lost: t.lost,
        payload: t.payload,
        problems: t.problems,
      });
      expect(s.lostPct).toBeCloseTo(t.lostPct, 1);
      for (const [ours, theirs] of [
        [s.minDeltaMs, t.minDelta],
        [s.meanDeltaMs, t.meanDelta],
        [s.maxDeltaMs, t.maxDelta],
        [s.minJitterMs, t.minJitter],
        [s.meanJitterMs, t.meanJitter],
        [s.maxJitterMs, t.maxJitter],
      ] as const) {
        expect(Math.abs(ours - theirs), label).toBeLessThanOrEqual(0.0105);
      }
    }
    expect(result.rtp.streams.length).toBe(truth.length);
  });
});
