import { describe, expect, it } from 'vitest';
import { Dissector, type DissectorOptions } from '../../../src/lib/dissect/dissector.js';
import { seqDiff } from '../../../src/lib/dissect/tcp-reassembly.js';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { ascii, eth, frame, ipv4, ipv6, RecordingSink, tcp, TCP } from './frames.js';

const INVITE = 'INVITE sip:bob@10.0.0.2;transport=tcp SIP/2.0\r\nCall-ID: a@b\r\nContent-Length: 10\r\n\r\n0123456789';
const TRYING = 'SIP/2.0 100 Trying\r\nCall-ID: a@b\r\nContent-Length: 0\r\n\r\n';
const RINGING = 'SIP/2.0 180 Ringing\r\nCall-ID: a@b\r\nl: 0\r\n\r\n';
const ACK = 'ACK sip:bob@10.0.0.2 SIP/2.0\r\nCall-ID: a@b\r\n\r\n'; // no Content-Length: empty body

/** A scripted connection: segments from the client (a) or server (b), sequence numbers relative to each side's ISN. */
class Conn {
  readonly frames: Frame[] = [];
  constructor(
    private readonly isnA = 1000,
    private readonly isnB = 5000,
    private readonly v6 = false,
  ) {}
  seg(dir: 'a' | 'b', rel: number, flags: number, data = '', tsSec = 1000): this {
    const [sp, dp, isn] = dir === 'a' ? [40000, 5060, this.isnA] : [5060, 40000, this.isnB];
    const t = tcp(sp, dp, (isn + rel) >>> 0, flags, ascii(data));
    const [s, d] = dir === 'a' ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.2', '10.0.0.1'];
    const ip = this.v6 ? eth(0x86dd, ipv6(`2001:db8::${s.slice(-1)}`, `2001:db8::${d.slice(-1)}`, 6, t)) : eth(0x0800, ipv4(s, d, 6, t));
    this.frames.push(frame(ip, { index: this.frames.length + 1, tsSec }));
    return this;
  }
  /** SYN from a: data then starts at relative sequence 1. */
  syn(): this {
    return this.seg('a', 0, TCP.SYN).seg('b', 0, TCP.SYN | TCP.ACK);
  }
  run(opts?: DissectorOptions) {
    const sink = new RecordingSink();
    const d = new Dissector(sink, opts);
    for (const f of this.frames) d.push(f);
    return { sink, d, msgs: sink.delivered.map((x) => [x.frame, x.payload] as const) };
  }
}

const D = TCP.PSH | TCP.ACK;

describe('TCP reassembly for SIP framing', () => {
  it('one message split across 3 segments is delivered once, in the completing frame', () => {
    const { sink, d, msgs } = new Conn().syn().seg('a', 1, D, INVITE.slice(0, 20)).seg('a', 21, D, INVITE.slice(20, 60)).seg('a', 61, D, INVITE.slice(60)).run();
    expect(msgs).toEqual([[5, INVITE]]);
    expect(sink.delivered[0]).toMatchObject({ kind: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 5060, ipVersion: 4, tunnelled: false });
    expect(d.stats.tcpStreams).toMatchObject({ flows: 2, messages: 1 });
    expect(sink.malformedReports).toEqual([]);
  });

  it('a split inside the start line still frames (the flow waits for more bytes)', () => {
    const { msgs } = new Conn().syn().seg('a', 1, D, 'INV').seg('a', 4, D, INVITE.slice(3)).run();
    expect(msgs).toEqual([[4, INVITE]]);
  });

  it('two messages in one segment are two deliveries from that frame', () => {
    const { msgs } = new Conn().syn().seg('b', 1, D, TRYING + RINGING).run();
    expect(msgs).toEqual([
      [3, TRYING],
      [3, RINGING],
    ]);
  });

  it('a message without Content-Length has an empty body on a stream', () => {
    const { msgs } = new Conn().syn().seg('a', 1, D, ACK + INVITE).run();
    expect(msgs).toEqual([
      [3, ACK],
      [3, INVITE],
    ]);
  });

  it('both directions are framed independently', () => {
    const { msgs } = new Conn().syn().seg('a', 1, D, INVITE).seg('b', 1, D, TRYING).seg('b', 1 + TRYING.length, D, RINGING).run();
    expect(msgs.map((m) => m[0])).toEqual([3, 4, 5]);
  });

  it('a retransmitted segment is not delivered twice', () => {
    const { msgs, d } = new Conn().syn().seg('a', 1, D, INVITE).seg('a', 1, D, INVITE).seg('a', 1 + INVITE.length, D, ACK).run();
    expect(msgs).toEqual([
      [3, INVITE],
      [5, ACK],
    ]);
    expect(d.stats.tcpStreams.retransmissions).toBe(1);
  });

  it('a segment overlapping old and new bytes is trimmed', () => {
    const both = INVITE + ACK;
    const { msgs } = new Conn().syn().seg('a', 1, D, both.slice(0, 50)).seg('a', 31, D, both.slice(30)).run();
    expect(msgs).toEqual([
      [4, INVITE],
      [4, ACK],
    ]);
  });

  it('an out-of-order segment is held until the gap fills', () => {
    const { msgs, d } = new Conn().syn().seg('a', 41, D, INVITE.slice(40)).seg('a', 1, D, INVITE.slice(0, 40)).run();
    expect(msgs).toEqual([[4, INVITE]]);
    expect(d.stats.tcpStreams.outOfOrder).toBe(1);
  });

  it('several out-of-order segments, one of them duplicated', () => {
    const s = INVITE + TRYING;
    const { msgs } = new Conn()
      .syn()
      .seg('a', 61, D, s.slice(60, 90))
      .seg('a', 91, D, s.slice(90))
      .seg('a', 61, D, s.slice(60, 90))
      .seg('a', 1, D, s.slice(0, 30))
      .seg('a', 31, D, s.slice(30, 60))
      .run();
    expect(msgs).toEqual([
      [7, INVITE],
      [7, TRYING],
    ]);
  });

  it('sequence numbers wrap around 2^32', () => {
    const { msgs } = new Conn(0xffff_ffff - 30).syn().seg('a', 1, D, INVITE.slice(0, 45)).seg('a', 46, D, INVITE.slice(45) + ACK).run();
    expect(msgs).toEqual([
      [4, INVITE],
      [4, ACK],
    ]);
    expect(seqDiff(5, 0xffff_fff0)).toBe(21);
    expect(seqDiff(0xffff_fff0, 5)).toBe(-21);
  });

  it('out-of-order across the wrap', () => {
    const { msgs } = new Conn(0xffff_ffff - 10).syn().seg('a', 31, D, INVITE.slice(30)).seg('a', 1, D, INVITE.slice(0, 30)).run();
    expect(msgs).toEqual([[4, INVITE]]);
  });

  it('CRLF keepalives (RFC 5626) before, between and after messages are skipped', () => {
    const c = new Conn().syn();
    let rel = 1;
    for (const part of ['\r\n\r\n', INVITE, '\r\n\r\n', '\r\n', ACK + '\r\n\r\n', '\r\n']) {
      c.seg('a', rel, D, part);
      rel += part.length;
    }
    const { msgs, d, sink } = c.run();
    expect(msgs).toEqual([
      [4, INVITE],
      [7, ACK],
    ]);
    expect(d.stats.tcpStreams.keepalives).toBeGreaterThanOrEqual(3);
    expect(sink.malformedReports).toEqual([]);
  });

  it('a TLS flow is marked and ignored', () => {
    const hello = '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03';
    const { msgs, d, sink } = new Conn().syn().seg('a', 1, D, hello).seg('a', 1 + hello.length, D, 'INVITE sip:x SIP/2.0\r\n\r\n').run();
    expect(msgs).toEqual([]);
    expect(d.stats.tcpStreams.ignored).toBe(1);
    expect(sink.malformedReports).toEqual([]);
  });

  it('mid-stream pickup: a flow without SYN starts at the first SIP start line', () => {
    const body = INVITE.slice(50); // the tail of a message we missed
    const { msgs, sink } = new Conn().seg('a', 100, D, body).seg('a', 100 + body.length, D, '\r\n' + ACK).seg('a', 102 + body.length + ACK.length, D, TRYING).run();
    expect(msgs).toEqual([
      [2, ACK],
      [3, TRYING],
    ]);
    expect(sink.malformedReports).toEqual([]);
  });

  it('a flow picked up mid-stream that never shows SIP is eventually ignored', () => {
    const c = new Conn();
    for (let i = 0; i < 20; i++) c.seg('a', i * 10, D, 'x'.repeat(10));
    const { d } = c.run();
    expect(d.stats.tcpStreams.ignored).toBe(1);
  });

  it('FIN closes the flow; a late retransmission is not delivered again', () => {
    const { msgs, d } = new Conn().syn().seg('a', 1, D, INVITE).seg('a', 1 + INVITE.length, TCP.FIN | TCP.ACK).seg('a', 1, D, INVITE).run();
    expect(msgs).toEqual([[3, INVITE]]);
    expect(d.stats.tcpStreams.closed).toBe(1);
  });

  it('RST discards a partial message; a new SYN restarts the flow', () => {
    const { msgs, d } = new Conn()
      .syn()
      .seg('a', 1, D, INVITE.slice(0, 30))
      .seg('a', 31, TCP.RST)
      .seg('a', 9000, TCP.SYN)
      .seg('a', 9001, D, ACK)
      .run();
    expect(msgs).toEqual([[6, ACK]]);
    expect(d.stats.tcpStreams.incompleteBytes).toBe(30);
  });

  it('flush emits nothing partial and counts the buffered bytes', () => {
    const { sink, d } = new Conn().syn().seg('a', 1, D, INVITE.slice(0, 70)).seg('a', 200, D, 'zzz').run();
    d.flush();
    expect(sink.delivered).toEqual([]);
    expect(d.stats.tcpStreams.incompleteBytes).toBe(73);
    expect(d.stats.tcpStreams.active).toBe(0);
  });

  it('buffer overflow is malformed TCP_BUFFER_OVERFLOW and the flow resynchronises', () => {
    const huge = 'INVITE sip:x SIP/2.0\r\nX-Pad: ' + 'p'.repeat(3000);
    const { msgs, sink, d } = new Conn()
      .syn()
      .seg('a', 1, D, huge.slice(0, 1500))
      .seg('a', 1501, D, huge.slice(1500))
      .seg('a', 1 + huge.length, D, INVITE)
      .run({ tcp: { maxFlowBytes: 2048 } });
    expect(sink.malformedReports).toEqual([{ layer: 'tcp', code: 'TCP_BUFFER_OVERFLOW', frame: 4 }]);
    expect(msgs).toEqual([[5, INVITE]]);
    expect(d.stats.tcpStreams.overflows).toBe(1);
  });

  it('a Content-Length that is not a number is malformed sip/BAD_CONTENT_LENGTH', () => {
    const bad = 'SIP/2.0 200 OK\r\nContent-Length: ten\r\n\r\n';
    const { sink, msgs } = new Conn().syn().seg('b', 1, D, bad).seg('b', 1 + bad.length, D, TRYING).run();
    expect(sink.malformedReports).toEqual([{ layer: 'sip', code: 'BAD_CONTENT_LENGTH', frame: 3 }]);
    expect(msgs).toEqual([[4, TRYING]]);
  });

  it('garbage after a SIP message is SIP_STREAM_DESYNC; the next start line resynchronises', () => {
    const { sink, msgs } = new Conn().syn().seg('a', 1, D, INVITE + '\x00\x01garbage').seg('a', 200, D, ACK).run();
    expect(sink.malformedReports).toEqual([{ layer: 'tcp', code: 'SIP_STREAM_DESYNC', frame: 3 }]);
    expect(msgs).toEqual([
      [3, INVITE],
      [4, ACK],
    ]);
  });

  it('a segment past a gap that starts a SIP message is taken at once; the late fill is a retransmission', () => {
    // tshark 4.0.17 on the same segments shows the ACKs in frames 4 and 5 and nothing for the fill.
    const rel = 1 + INVITE.length;
    const { msgs, d } = new Conn()
      .syn()
      .seg('a', 1, D, INVITE.slice(0, 30))
      .seg('a', rel, D, ACK)
      .seg('a', rel + ACK.length, D, ACK)
      .seg('a', 31, D, INVITE.slice(30))
      .run();
    expect(msgs).toEqual([
      [4, ACK],
      [5, ACK],
    ]);
    expect(d.stats.tcpStreams).toMatchObject({ gaps: 1, incompleteBytes: 30, retransmissions: 1 });
  });

  it('reordered messages: the later one is taken at once, the earlier one dropped (as tshark does)', () => {
    const { msgs } = new Conn().syn().seg('b', 1 + TRYING.length, D, RINGING).seg('b', 1, D, TRYING).run();
    expect(msgs).toEqual([[3, RINGING]]);
  });

  // A long message whose middle segment the capture lost: later pieces continue the message.
  const LONG = 'INVITE sip:x SIP/2.0\r\nContent-Length: 60\r\n\r\n' + 'b'.repeat(60);

  it('a gap behind mid-message segments that never fills is given up after maxHeldSegments', () => {
    const c = new Conn().syn().seg('a', 1, D, LONG.slice(0, 10));
    for (let at = 20; at < LONG.length; at += 10) c.seg('a', 1 + at, D, LONG.slice(at, at + 10));
    c.seg('a', 1 + LONG.length, D, ACK);
    const { msgs, d } = c.run({ tcp: { maxHeldSegments: 2 } });
    expect(d.stats.tcpStreams.gaps).toBeGreaterThanOrEqual(1);
    expect(msgs).toEqual([[c.frames.length, ACK]]);
  });

  it('a gap still open after gapTimeoutSec is given up on the next segment', () => {
    const c = new Conn().syn().seg('a', 1, D, LONG.slice(0, 10));
    c.seg('a', 21, D, LONG.slice(20, 30), 1001).seg('a', 31, D, LONG.slice(30, 40), 1005);
    const held = c.run();
    expect(held.d.stats.tcpStreams.gaps).toBe(0);
    c.seg('a', 41, D, LONG.slice(40, 50), 1011);
    const r = c.run();
    expect(r.d.stats.tcpStreams.gaps).toBe(1);
    expect(r.msgs).toEqual([]);
  });

  it('at most maxFlows: the least recently used flow is evicted', () => {
    const frames: Frame[] = [];
    for (let i = 0; i < 3; i++) {
      const t = tcp(40000 + i, 5060, 1, TCP.SYN);
      frames.push(frame(eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, t)), { index: i + 1 }));
    }
    const d = new Dissector(new RecordingSink(), { tcp: { maxFlows: 2 } });
    for (const f of frames) d.push(f);
    expect(d.stats.tcpStreams).toMatchObject({ flows: 3, evicted: 1, active: 2 });
  });

  it('idle flows expire after 300 s of capture time, automatically and through expire()', () => {
    const c = new Conn().syn().seg('a', 1, D, INVITE.slice(0, 20));
    const { d } = c.run();
    expect(d.stats.tcpStreams.active).toBe(2);
    d.expire(1000 + 299);
    expect(d.stats.tcpStreams.active).toBe(2);
    d.expire(1000 + 300);
    expect(d.stats.tcpStreams).toMatchObject({ active: 0, expired: 2, incompleteBytes: 20 });

    // A frame 400 s later expires both directions first; its own flow then restarts mid-stream.
    const auto = new Conn().syn().seg('a', 1, D, INVITE.slice(0, 20)).seg('b', 1, D, TRYING, 1400);
    const r = auto.run();
    expect(r.d.stats.tcpStreams).toMatchObject({ expired: 2, active: 1 });
    expect(r.msgs).toEqual([[4, TRYING]]);
  });

  it('SIP over TCP over IPv6', () => {
    const { sink } = new Conn(1, 2, true).syn().seg('a', 1, D, INVITE).run();
    expect(sink.delivered).toEqual([
      { kind: 'tcp', frame: 3, ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 40000, dstPort: 5060, payload: INVITE, tunnelled: false },
    ]);
  });

  it('data on a SYN (TCP Fast Open) starts after the SYN sequence number', () => {
    const { msgs } = new Conn().seg('a', 0, TCP.SYN, INVITE).run();
    expect(msgs).toEqual([[1, INVITE]]);
  });
});
