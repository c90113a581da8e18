/**
 * The dissector never throws (STYLE.md rules 7, 11): random bytes under every link type, and
 * real-looking frames (tunnels, fragments, TCP segments of SIP) with random corruption and
 * truncation, pushed as streams with random timestamps.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Dissector } from '../../../src/lib/dissect/dissector.js';
import type { DissectSink } from '../../../src/lib/dissect/packet.js';
import { ascii, concat, eth, frame, gre, ipv4, ipv6, ipv6Fragment, tcp, udp, vlanTag } from './frames.js';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];

function checkingSink(): DissectSink & { count: number } {
  const s = {
    count: 0,
    udp(p: Parameters<DissectSink['udp']>[0]) {
      s.count++;
      expect(p.payload.length).toBeLessThanOrEqual(70_000);
      expect(p.src.length).toBeGreaterThan(0);
    },
    tcpMessage(p: Parameters<DissectSink['tcpMessage']>[0]) {
      s.count++;
      expect(p.payload.length).toBeGreaterThan(0);
    },
    malformed(layer: string, code: string) {
      expect(typeof layer).toBe('string');
      expect(typeof code).toBe('string');
    },
  };
  return s;
}

const SIP = ascii('INVITE sip:a@b SIP/2.0\r\nContent-Length: 4\r\n\r\nbody');

/** A plausible IP packet in one of several encapsulations. */
const packetArb = fc
  .record({
    kind: fc.integer({ min: 0, max: 11 }),
    id: fc.integer({ min: 0, max: 3 }),
    off: fc.integer({ min: 0, max: 8 }).map((n) => n * 8),
    mf: fc.boolean(),
    seq: fc.integer({ min: 0, max: 0xffffffff }),
    flags: fc.integer({ min: 0, max: 0x3f }),
    cut: fc.integer({ min: 0, max: 60 }),
    payload: fc.oneof(fc.constant(SIP), fc.uint8Array({ maxLength: 40 }), fc.constant(ascii('\r\n\r\n'))),
  })
  .map(({ kind, id, off, mf, seq, flags, cut, payload }) => {
    const u = udp(5060, 5060, payload);
    const t = tcp(5060, 40000 + id, seq, flags, payload);
    let ip: Uint8Array;
    switch (kind) {
      case 0:
        ip = ipv4('10.0.0.1', '10.0.0.2', 17, u);
        break;
      case 1:
        ip = ipv4('10.0.0.1', '10.0.0.2', 6, t);
        break;
      case 2:
        ip = ipv4('10.0.0.1', '10.0.0.2', 17, u.subarray(0, Math.max(0, u.length - cut)), { id, mf, fragOffset: off });
        break;
      case 3:
        ip = ipv6('2001:db8::1', '2001:db8::2', 44, ipv6Fragment(17, off, mf, id, u));
        break;
      case 4:
        ip = ipv4('192.0.2.1', '192.0.2.2', 47, gre(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, u), { key: id }));
        break;
      case 5:
        ip = ipv4('192.0.2.1', '192.0.2.2', 4, ipv4('10.0.0.1', '10.0.0.2', 6, t));
        break;
      case 6:
        ip = ipv6('2001:db8::1', '2001:db8::2', 6, t);
        break;
      case 7:
        ip = ipv6('2001:db8::1', '2001:db8::2', 0, concat(new Uint8Array([17, 0, 1, 4, 0, 0, 0, 0]), u));
        break;
      case 8:
        ip = ipv4('192.0.2.1', '192.0.2.2', 47, gre(0x6558, eth(0x8100, concat(vlanTag(1, 0x0800), ipv4('10.0.0.1', '10.0.0.2', 17, u)))));
        break;
      case 9:
        ip = ipv4('192.0.2.1', '192.0.2.2', 17, udp(1, 4789, concat(new Uint8Array([8, 0, 0, 0, 0, 0, 1, 0]), eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, t)))));
        break;
      case 10:
        ip = ipv4('192.0.2.1', '192.0.2.2', 47, gre(0x88be, concat(new Uint8Array([0x10, 0, 0, 1, 0, 0, 0, 0]), eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, u))), { seq: id }));
        break;
      default:
        ip = ipv4('10.0.0.1', '10.0.0.2', 1, concat(new Uint8Array(8), ipv4('10.0.0.2', '10.0.0.1', 17, u)));
    }
    return eth(ip[0]! >>> 4 === 6 ? 0x86dd : 0x0800, ip);
  });

/** Corrupt a few bytes and maybe truncate. */
const corruptedArb = fc
  .tuple(packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }))
  .map(([bytes, edits, cut]) => {
    const b = bytes.slice();
    for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

describe('the dissector never throws', () => {
  it('on random bytes under every link type', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...LINK_TYPES), fc.integer({ min: 0, max: 300 })), fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 100 })), {
          minLength: 1,
          maxLength: 30,
        }),
        (frames) => {
          const d = new Dissector(checkingSink());
          let t = 1000;
          frames.forEach(([linkType, data, dt], i) => {
            t += dt;
            d.push(frame(data, { linkType, index: i + 1, tsSec: t }));
          });
          d.flush();
          expect(d.stats.frames).toBe(frames.length);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on streams of plausible frames with corruption, truncation and time jumps', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(packetArb, corruptedArb), fc.integer({ min: -5, max: 400 })), { minLength: 1, maxLength: 40 }), (frames) => {
        const sink = checkingSink();
        const d = new Dissector(sink, { tcp: { maxFlowBytes: 512, maxHeldSegments: 3, maxFlows: 4 }, fragments: { maxDatagrams: 2 } });
        let t = 1000;
        frames.forEach(([data, dt], i) => {
          t += dt;
          d.push(frame(data, { index: i + 1, tsSec: t }));
        });
        d.flush();
        expect(d.stats.tcpStreams.active).toBe(0);
        expect(d.stats.fragments.pending).toBe(0);
      }),
      { numRuns: 1500 },
    );
  });
});
