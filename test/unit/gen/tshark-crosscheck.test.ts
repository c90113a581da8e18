/**
 * A small generated capture read by tshark (4.0.x): `-z sip,stat` and `-z rtp,streams` agree
 * with the generator's truth, no frame is malformed, every IPv4 and UDP checksum verifies, and
 * every frame is SIP or RTP. Skipped when tshark is not installed (CI installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRtpStreamsText, parseSipStatText } from '../../helpers/truth.js';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCaptureFile, type CaptureScenarioInput } from '../../../src/lib/gen/index.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

/** Every call outcome, visible and invisible losses; ~3,300 packets. */
const SCENARIO: CaptureScenarioInput = { calls: 30, cps: 5, talkSec: 2, lossRatio: 0.03, jitterMs: 5, failRatio: 0.5, ringTimeoutSec: 2, seed: 1 };

function tshark(...args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}

describe.skipIf(!hasTshark)('generated capture read by tshark', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voipdiag-gen-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pcap = join(dir, 'small.pcap');
  const { truth } = hasTshark ? await generateCaptureFile(SCENARIO, pcap) : { truth: null };
  if (truth === null) return;
  const stats = tshark('-r', pcap, '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', 'sip,stat', '-z', 'rtp,streams');

  it('-z sip,stat counts every method and status code as the truth does, none resent', () => {
    const sip = parseSipStatText(stats);
    expect(sip.messages).toBe(truth.sip.messages);
    expect(sip.resent).toBe(0);
    expect(sip.methods).toEqual(truth.sip.requests);
    expect(sip.statusCodes).toEqual(truth.sip.responses);
  });

  it('-z rtp,streams finds every stream with the truth packets and lost', () => {
    const seen = new Map(
      parseRtpStreamsText(stats).map((t) => [`${t.src}:${t.srcPort} ${t.dst}:${t.dstPort} ${t.ssrc.toLowerCase()}`, { payload: t.payload, packets: t.packets, lost: t.lost }]),
    );
    const expected = truth.streams.filter((s) => s.packetsCaptured > 0);
    expect(seen.size).toBe(expected.length);
    for (const s of expected) {
      expect(seen.get(`${s.src} ${s.dst} ${s.ssrc}`), s.id).toEqual({ payload: 'g711U', packets: s.packetsCaptured, lost: s.lostBySeq });
    }
  });

  it('has no malformed frame', () => {
    expect(tshark('-r', pcap, '-Y', '_ws.malformed').trim()).toBe('');
  });

  it('verifies every IPv4 and UDP checksum (status 1 = Good on all frames)', () => {
    // Checksum status values: 0 Bad, 1 Good, 2 Unverified. With checking on, all must be Good.
    const rows = tshark('-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status');
    const tally = new Map<string, number>();
    for (const line of rows.trim().split('\n')) tally.set(line, (tally.get(line) ?? 0) + 1);
    expect(Object.fromEntries(tally)).toEqual({ '1\t1': truth.packets.total });
  });

  it('dissects every frame as SIP (with SDP where offered or answered) or RTP', () => {
    const rows = tshark('-r', pcap, '-o', 'rtp.heuristic_rtp:TRUE', '-T', 'fields', '-e', 'frame.protocols');
    const tally = new Map<string, number>();
    for (const line of rows.trim().split('\n')) tally.set(line, (tally.get(line) ?? 0) + 1);
    const answered = truth.callsByOutcome['answered'] ?? 0;
    expect(Object.fromEntries(tally)).toEqual({
      'eth:ethertype:ip:udp:sip': truth.packets.sip - SCENARIO.calls - answered,
      'eth:ethertype:ip:udp:sip:sdp': SCENARIO.calls + answered,
      'eth:ethertype:ip:udp:rtp': truth.packets.rtp,
    });
  });
});
