/**
 * The mtr / traceroute fallback parsers, on output those tools printed in the trace lab
 * (A — R1 — R2 — B, TUN links with 2/10/3 ms one way; the commands are above each fixture).
 */
import { describe, expect, it } from 'vitest';
import { fallbackArgs, parseMtrJson, parseTracerouteOutput } from '../../../src/lib/net/trace/fallback.js';
import { HopStatsEngine } from '../../../src/lib/trace/hop-stats.js';

// ip netns exec A mtr -j -n -c 2 -i 0.2 -G 0.5 -m 8 fd77:43::2   (host trimmed from "src")
const MTR_V6 = `{
    "report": {
        "mtr": { "src": "vm", "dst": "fd77:43::2", "tos": 0, "tests": 2, "psize": "64", "bitpattern": "0x00" },
        "hubs": [
            { "count": 1, "host": "fd77:41::1", "Loss%": 0.0, "Snt": 2, "Last": 4.378, "Avg": 4.405, "Best": 4.378, "Wrst": 4.433, "StDev": 0.038 },
            { "count": 2, "host": "fd77:42::2", "Loss%": 0.0, "Snt": 2, "Last": 24.769, "Avg": 24.751, "Best": 24.733, "Wrst": 24.769, "StDev": 0.025 },
            { "count": 3, "host": "fd77:43::2", "Loss%": 0.0, "Snt": 2, "Last": 30.97, "Avg": 30.988, "Best": 30.97, "Wrst": 31.007, "StDev": 0.025 }
        ]
    }
}`;

// traceroute -n -4 -q 3 -w 1 -m 8 -U -p 33434 10.77.43.2
const TR_V4 = `traceroute to 10.77.43.2 (10.77.43.2), 8 hops max, 60 byte packets
 1  10.77.41.1  4.400 ms  4.357 ms  4.347 ms
 2  10.77.42.2  24.603 ms  24.628 ms  24.623 ms
 3  10.77.43.2  30.942 ms  30.951 ms  30.945 ms
`;

// the same with "iptables -A FORWARD -p udp --dport 33434 -j REJECT --reject-with icmp-admin-prohibited" in R2
const TR_BLOCKED = `traceroute to 10.77.43.2 (10.77.43.2), 8 hops max, 60 byte packets
 1  10.77.41.1  4.250 ms  4.075 ms  4.052 ms
 2  10.77.42.2  24.482 ms  24.479 ms  24.456 ms
 3  10.77.42.2  24.433 ms !X  24.410 ms !X  24.387 ms !X
`;

describe('parseMtrJson', () => {
  it('turns hubs into hop rows and marks the target', () => {
    const hops = parseMtrJson(MTR_V6, 'fd77:43::2', 'icmp')!;
    expect(hops.map((h) => [h.ttl, h.address, h.sent, h.received, h.lossPct, h.avgMs, h.bestMs, h.answeredBy, h.isDestination])).toEqual([
      [1, 'fd77:41::1', 2, 2, 0, 4.405, 4.378, 'time-exceeded', false],
      [2, 'fd77:42::2', 2, 2, 0, 24.751, 24.733, 'time-exceeded', false],
      [3, 'fd77:43::2', 2, 2, 0, 30.988, 30.97, 'echo-reply', true],
    ]);
  });

  it('reads a silent hub as no reply, and refuses what is not a report', () => {
    const doc = JSON.stringify({ report: { hubs: [{ count: 1, host: '???', 'Loss%': 100, Snt: 3, Last: 0, Avg: 0, Best: 0, Wrst: 0, StDev: 0 }] } });
    expect(parseMtrJson(doc, '192.0.2.1', 'udp')![0]).toMatchObject({ address: null, received: 0, lossPct: 100, avgMs: null, answeredBy: null });
    expect(parseMtrJson('mtr: unable to get raw sockets', '192.0.2.1', 'udp')).toBeNull();
    expect(parseMtrJson('{"report": {}}', '192.0.2.1', 'udp')).toBeNull();
  });
});

describe('parseTracerouteOutput', () => {
  it('gives one probe result per column, the target answering port unreachable', () => {
    const rs = parseTracerouteOutput(TR_V4, '10.77.43.2', 'udp', 1000);
    expect(rs).toHaveLength(9);
    const e = new HopStatsEngine({ target: '10.77.43.2', proto: 'udp' });
    for (const r of rs) e.push(r);
    const s = e.snapshot();
    expect(s.destinationTtl).toBe(3);
    expect(s.hops.map((h) => [h.address, h.received, h.bestMs, h.answeredBy])).toEqual([
      ['10.77.41.1', 3, 4.347, 'time-exceeded'],
      ['10.77.42.2', 3, 24.603, 'time-exceeded'],
      ['10.77.43.2', 3, 30.942, 'port-unreachable'],
    ]);
  });

  it('reads !X as administratively prohibited, * as no answer, and several addresses on one line', () => {
    const blocked = parseTracerouteOutput(TR_BLOCKED, '10.77.43.2', 'udp', 1000);
    expect(blocked.filter((r) => r.ttl === 3).map((r) => r.answer?.kind)).toEqual(['admin-prohibited', 'admin-prohibited', 'admin-prohibited']);
    const mixed = parseTracerouteOutput(' 4  * 192.0.2.9  1.5 ms 192.0.2.10  2.5 ms\n 5  * * *\n', '198.51.100.1', 'udp', 1000);
    expect(mixed.map((r) => [r.ttl, r.round, r.answer?.from ?? null, r.answer?.rttMs ?? null])).toEqual([
      [4, 0, null, null],
      [4, 1, '192.0.2.9', 1.5],
      [4, 2, '192.0.2.10', 2.5],
      [5, 0, null, null],
      [5, 1, null, null],
      [5, 2, null, null],
    ]);
  });
});

describe('fallbackArgs', () => {
  const base = { family: 4 as const, target: '192.0.2.1', port: 5060, rounds: 5, intervalMs: 200, maxHops: 20, timeoutMs: 1500 };
  it('traces a SIP target with ICMP (SIP servers swallow other UDP) and UDP with the port', () => {
    expect(fallbackArgs({ ...base, tool: 'mtr', proto: 'sip' }, false)).toEqual(['-j', '-n', '-4', '-c', '5', '-i', '0.2', '-m', '20', '-G', '1.5', '192.0.2.1']);
    expect(fallbackArgs({ ...base, tool: 'mtr', proto: 'udp', port: 33434 }, false)).toContain('-u');
  });
  it('keeps mtr at 1 s intervals without privileges, and uses traceroute -U or -I', () => {
    expect(fallbackArgs({ ...base, tool: 'mtr', proto: 'icmp' }, true)).toContain('1');
    expect(fallbackArgs({ ...base, tool: 'traceroute', proto: 'sip' }, false)).toEqual(['-n', '-4', '-q', '5', '-w', '1.5', '-m', '20', '-U', '-p', '33434', '192.0.2.1']);
    expect(fallbackArgs({ ...base, tool: 'traceroute', proto: 'icmp' }, false)).toContain('-I');
  });
});
