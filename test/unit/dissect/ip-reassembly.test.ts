import { describe, expect, it } from 'vitest';
import { Dissector, type DissectorOptions } from '../../../src/lib/dissect/dissector.js';
import { FragmentReassembler, newFragmentStats, FRAGMENT_COMPLETE, FRAGMENT_PENDING } from '../../../src/lib/dissect/ip-reassembly.js';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { ascii, concat, eth, frame, ipv4, ipv6, ipv6Fragment, RecordingSink, udp } from './frames.js';

// A 1,200-byte SIP INVITE in UDP, split into IPv4 fragments of 400 bytes (multiples of 8).
const BODY = 'v=0\r\n' + 'a=x-filler:'.padEnd(1300, 'z') + '\r\n';
const SIP = `INVITE sip:bob@10.0.0.2 SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
const DATAGRAM = udp(5060, 5060, ascii(SIP));

/** IPv4 fragments of DATAGRAM as [offset, end) byte ranges; id 0x1234. */
function v4frag(start: number, end: number, id = 0x1234): Uint8Array {
  const more = end < DATAGRAM.length;
  return eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, DATAGRAM.subarray(start, end), { id, mf: more, fragOffset: start }));
}

const piece = (n: number) => [n * 400, Math.min(DATAGRAM.length, (n + 1) * 400)] as const;
const P0 = v4frag(...piece(0));
const P1 = v4frag(...piece(1));
const P2 = v4frag(...piece(2));
const P3 = v4frag(...piece(3));

function run(frames: Frame[], opts?: DissectorOptions) {
  const sink = new RecordingSink();
  const d = new Dissector(sink, opts);
  for (const f of frames) d.push(f);
  return { sink, d };
}

const seq = (datas: Uint8Array[], t0 = 1000, dt = 0.001) =>
  datas.map((data, i) => frame(data, { index: i + 1, tsSec: Math.floor(t0 + i * dt), tsNsec: Math.round(((t0 + i * dt) % 1) * 1e9) }));

describe('IPv4 fragment reassembly', () => {
  it('the datagram has 4 fragments', () => {
    expect(DATAGRAM.length).toBeGreaterThan(1200);
    expect(DATAGRAM.length).toBeLessThan(1600);
  });

  it.each([
    ['in order', [P0, P1, P2, P3], 4],
    ['reversed', [P3, P2, P1, P0], 4],
    ['shuffled', [P2, P0, P3, P1], 4],
    ['with a duplicate fragment', [P0, P1, P1, P2, P3], 5],
    ['overlapping fragments (0-800, 400-1200, 800-end)', [v4frag(0, 800), v4frag(400, 1200), v4frag(800, DATAGRAM.length)], 3],
    ['a small fragment inside a large one', [v4frag(0, 1200), v4frag(400, 408), v4frag(1200, DATAGRAM.length)], 3],
  ])('%s: one datagram, in the completing frame', (_, datas, completing) => {
    const { sink, d } = run(seq(datas));
    expect(sink.malformedReports).toEqual([]);
    expect(sink.delivered).toHaveLength(1);
    expect(sink.delivered[0]).toMatchObject({ frame: completing, src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, payload: SIP });
    expect(d.stats.fragments).toMatchObject({ received: datas.length, reassembled: 1, pending: 0 });
    expect(d.stats.udp).toBe(1);
  });

  it('first copy of overlapping bytes wins', () => {
    const stats = newFragmentStats();
    const r = new FragmentReassembler(stats);
    const a = ascii('AAAAAAAAAAAAAAAA');
    const b = ascii('BBBBBBBBBBBBBBBB');
    expect(r.add('k', 0, true, a, 0, 16, 0, 17)).toBe(FRAGMENT_PENDING);
    expect(r.add('k', 8, false, b, 0, 16, 0, 17)).toBe(FRAGMENT_COMPLETE);
    expect(Buffer.from(r.payload).toString()).toBe('AAAAAAAAAAAAAAAABBBBBBBB');
  });

  it('keeps interleaved datagrams apart by id', () => {
    const { sink } = run(seq([v4frag(0, 400, 1), v4frag(0, 400, 2), v4frag(400, DATAGRAM.length, 2), v4frag(400, DATAGRAM.length, 1)]));
    expect(sink.delivered.map((x) => x.frame)).toEqual([3, 4]);
  });

  it('a fragment older than 30 s of capture time expires and is counted', () => {
    const frames = [frame(P0, { index: 1, tsSec: 1000 }), frame(P1, { index: 2, tsSec: 1031 }), frame(P2, { index: 3, tsSec: 1031 }), frame(P3, { index: 4, tsSec: 1031 })];
    const { sink, d } = run(frames);
    expect(sink.delivered).toEqual([]);
    expect(d.stats.fragments.expired).toBe(1);
    d.flush();
    expect(d.stats.fragments).toMatchObject({ incomplete: 1, pending: 0 });
  });

  it('still reassembles within the timeout', () => {
    const frames = [frame(P0, { index: 1, tsSec: 1000 }), frame(P1, { index: 2, tsSec: 1029 }), frame(P2, { index: 3, tsSec: 1029 }), frame(P3, { index: 4, tsSec: 1029 })];
    expect(run(frames).sink.delivered).toHaveLength(1);
  });

  it('flush counts incomplete datagrams and emits nothing', () => {
    const { sink, d } = run(seq([P0, P2]));
    d.flush();
    expect(sink.delivered).toEqual([]);
    expect(d.stats.fragments.incomplete).toBe(1);
  });

  it('at most maxDatagrams pending: the oldest is evicted', () => {
    const { sink, d } = run(seq([v4frag(0, 400, 1), v4frag(0, 400, 2), v4frag(0, 400, 3), v4frag(400, DATAGRAM.length, 1), v4frag(400, DATAGRAM.length, 3)]), {
      fragments: { maxDatagrams: 2 },
    });
    // id 3 evicts id 1; the late second half of id 1 starts afresh and evicts id 2; id 3 completes.
    expect(d.stats.fragments.evicted).toBe(2);
    expect(sink.delivered.map((x) => x.frame)).toEqual([5]);
  });

  it('a datagram beyond 64 KiB is malformed FRAGMENT_TOO_LARGE', () => {
    const f = eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(800), { id: 9, mf: true, fragOffset: 65_000 }));
    const { sink, d } = run(seq([f]));
    expect(sink.malformedReports).toEqual([{ layer: 'ipv4', code: 'FRAGMENT_TOO_LARGE', frame: 1 }]);
    expect(d.stats.fragments.dropped).toBe(1);
  });

  it('two different last fragments are malformed BAD_FRAGMENT', () => {
    const last1 = eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(16), { id: 5, fragOffset: 400 }));
    const last2 = eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(24), { id: 5, fragOffset: 400 }));
    const { sink } = run(seq([last1, last2]));
    expect(sink.malformedReports).toEqual([{ layer: 'ipv4', code: 'BAD_FRAGMENT', frame: 2 }]);
  });
});

describe('IPv6 fragment reassembly', () => {
  const v6frag = (start: number, end: number, id = 77) =>
    eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 44, ipv6Fragment(17, start, end < DATAGRAM.length, id, DATAGRAM.subarray(start, end))));

  it.each([
    ['in order', [v6frag(0, 600), v6frag(600, DATAGRAM.length)], 2],
    ['out of order', [v6frag(600, DATAGRAM.length), v6frag(0, 600)], 2],
    ['overlapping', [v6frag(0, 800), v6frag(600, DATAGRAM.length)], 2],
  ])('%s', (_, datas, completing) => {
    const { sink } = run(seq(datas));
    expect(sink.malformedReports).toEqual([]);
    expect(sink.delivered).toEqual([
      { kind: 'udp', frame: completing, ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 5060, dstPort: 5060, payload: SIP, tunnelled: false },
    ]);
  });

  it('hop-by-hop before the fragment header, destination options after reassembly', () => {
    const fragmentable = concat(new Uint8Array([17, 0, 1, 4, 0, 0, 0, 0]), DATAGRAM); // dest opts → UDP
    const f = (s: number, e: number) =>
      eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 0, concat(new Uint8Array([44, 0, 1, 4, 0, 0, 0, 0]), ipv6Fragment(60, s, e < fragmentable.length, 3, fragmentable.subarray(s, e)))));
    const { sink } = run(seq([f(512, fragmentable.length), f(0, 512)]));
    expect(sink.payloads).toEqual([SIP]);
  });

  it('an atomic fragment (offset 0, M = 0) is delivered at once', () => {
    const { sink } = run(seq([v6frag(0, DATAGRAM.length)]));
    expect(sink.payloads).toEqual([SIP]);
  });
});
