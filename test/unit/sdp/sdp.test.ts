/**
 * SDP decoding (RFC 4566/8866) and media prediction (RFC 3264 offer/answer, RFC 3605 a=rtcp,
 * RFC 5761 rtcp-mux, RFC 3551 static payload types). Real bodies come from the public captures
 * (test/unit/sip/real-messages.ts); the edge cases are written here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSdp, effectiveDirection, mediaEndpoints, type SessionDescription } from '../../../src/lib/sdp/sdp.js';
import { decodeSipMessage } from '../../../src/lib/sip/message.js';
import { REAL_SIP_MESSAGES } from '../sip/real-messages.js';

function sdp(text: string): SessionDescription {
  const r = decodeSdp(text.replace(/\n/g, '\r\n'));
  if (!r.ok) throw new Error(`${r.error.code} at ${r.error.offset}`);
  return r.value;
}

function realBody(capture: string, frame: number): Uint8Array {
  const m = REAL_SIP_MESSAGES.find((x) => x.capture === capture && x.frame === frame);
  if (!m) throw new Error('missing fixture message');
  const r = decodeSipMessage(m.bytes);
  if (!r.ok) throw new Error(r.error.code);
  return r.value.body;
}

describe('real SDP from the captures', () => {
  it('AudioCodes INVITE: PCMA + CN (static, no rtpmap) + telephone-event, ptime, sendrecv', () => {
    const r = decodeSdp(realBody('sip-prack-rtp-rtcp-audiocodes.pcap', 1));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.value;
    expect(d.origin).toEqual({ username: 'GW', sessionId: '1907976531', sessionVersion: '1907976397', netType: 'IN', addrType: 'IP4', address: '10.33.6.101' });
    expect(d.sessionName).toBe('Phone-Call');
    expect(d.media[0]?.fmtp).toEqual({ '101': '0-15,16' });
    expect(mediaEndpoints(d)).toEqual([
      {
        media: 'audio',
        proto: 'RTP/AVP',
        ip: '10.33.6.101',
        addrType: 'IP4',
        rtpPort: 6040,
        rtcpPort: 6041,
        rtcpIp: '10.33.6.101',
        rtcpMux: false,
        payloads: [
          { pt: 8, name: 'PCMA', clockRate: 8000, channels: 1 },
          { pt: 13, name: 'CN', clockRate: 8000, channels: 1 },
          { pt: 101, name: 'telephone-event', clockRate: 8000, channels: 1 },
        ],
        ptime: 20,
        direction: 'sendrecv',
        rejected: false,
        secure: false,
      },
    ]);
  });

  it('AudioCodes 200 OK answer', () => {
    const r = decodeSdp(realBody('sip-prack-rtp-rtcp-audiocodes.pcap', 6));
    expect(r.ok && mediaEndpoints(r.value)[0]).toMatchObject({ ip: '10.33.6.100', rtpPort: 6020, rtcpPort: 6021 });
  });

  it('FreeSWITCH opus answer: opus/48000/2, fmtp, sendonly answering recvonly', () => {
    const offer = decodeSdp(realBody('sip-rtp-opus-hybrid.pcap', 1));
    const answer = decodeSdp(realBody('sip-rtp-opus-hybrid.pcap', 2));
    expect(offer.ok && mediaEndpoints(offer.value)[0]?.direction).toBe('recvonly');
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const ep = mediaEndpoints(answer.value)[0];
    expect(ep).toMatchObject({ ip: '10.0.2.15', rtpPort: 24196, direction: 'sendonly', ptime: 20 });
    expect(ep?.payloads).toEqual([
      { pt: 99, name: 'opus', clockRate: 48000, channels: 2 },
      { pt: 101, name: 'telephone-event', clockRate: 8000, channels: 1 },
    ]);
    expect(answer.value.media[0]?.fmtp['99']).toBe('useinbandfec=1; minptime=10; maxptime=40');
  });

  it('Linphone offer with c=0.0.0.0, port 0 and a=inactive: a disabled stream', () => {
    const r = decodeSdp(realBody('sip-488-codec-reject-401-options.pcapng', 7));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.attributes[0]).toEqual({ name: 'rtcp-xr', value: 'rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics' });
    expect(mediaEndpoints(r.value)[0]).toMatchObject({ ip: '0.0.0.0', rtpPort: 0, rtcpPort: 0, rejected: true, direction: 'inactive' });
  });

  it('IPv6 c= line (sip-ipv6-udp-basic-call) and a lower-case rtpmap with a channel count', () => {
    const r = decodeSdp(realBody('sip-ipv6-udp-basic-call.pcap', 1));
    expect(r.ok && mediaEndpoints(r.value)[0]).toMatchObject({
      ip: 'fe80:0:0:0:21a:a0ff:fe07:32e0',
      addrType: 'IP6',
      rtpPort: 5008,
      payloads: [{ pt: 0, name: 'pcmu', clockRate: 8000, channels: 1 }],
    });
  });

  it('sipp offer', () => {
    const r = decodeSdp(realBody('sipp-5-calls-udp.pcap', 1));
    expect(r.ok && mediaEndpoints(r.value)[0]).toMatchObject({ ip: '127.0.1.1', rtpPort: 6001, payloads: [{ pt: 0, name: 'PCMU', clockRate: 8000 }] });
  });
});

describe('media prediction edge cases', () => {
  it('rtcp-mux puts RTCP on the RTP port; a=rtcp overrides, with or without an address', () => {
    const d = sdp(`v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 40000 RTP/AVP 0
a=rtcp-mux
m=audio 40010 RTP/AVP 0
a=rtcp:53020
m=audio 40020 RTP/AVP 0
a=rtcp:53020 IN IP6 2001:db8::5
m=audio 40030 RTP/AVP 0
a=rtcp:40030
a=rtcp-mux
`);
    expect(mediaEndpoints(d).map((e) => [e.rtpPort, e.rtcpPort, e.rtcpIp, e.rtcpMux])).toEqual([
      [40000, 40000, '192.0.2.1', true],
      [40010, 53020, '192.0.2.1', false],
      [40020, 53020, '2001:db8::5', false],
      [40030, 40030, '192.0.2.1', true],
    ]);
    expect(d.media[2]?.rtcp).toEqual({ port: 53020, netType: 'IN', addrType: 'IP6', address: '2001:db8::5' });
  });

  it('direction: media level overrides session level; default sendrecv', () => {
    const d = sdp(`v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
a=sendonly
m=audio 1000 RTP/AVP 0
m=audio 1002 RTP/AVP 0
a=inactive
m=video 1004 RTP/AVP 31
a=recvonly
`);
    expect(d.direction).toBe('sendonly');
    expect(mediaEndpoints(d).map((e) => e.direction)).toEqual(['sendonly', 'inactive', 'recvonly']);
    const plain = sdp('v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 1000 RTP/AVP 0\n');
    expect(effectiveDirection(plain, plain.media[0] as NonNullable<(typeof plain.media)[0]>)).toBe('sendrecv');
  });

  it('media c= overrides session c=; no c= at all gives an empty address', () => {
    const d = sdp(`v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 1000 RTP/AVP 0
c=IN IP6 2001:db8::1
m=audio 1002 RTP/AVP 0
`);
    expect(mediaEndpoints(d).map((e) => [e.ip, e.addrType])).toEqual([
      ['2001:db8::1', 'IP6'],
      ['192.0.2.1', 'IP4'],
    ]);
    const none = sdp('v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 1000 RTP/AVP 0\n');
    expect(mediaEndpoints(none)[0]?.ip).toBe('');
  });

  it('static payload types without rtpmap come from RFC 3551; unknown dynamic ones stay unnamed', () => {
    const d = sdp('v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 1000 RTP/AVP 0 8 9 18 3 4 96\nm=video 1002 RTP/AVP 31 34\n');
    expect(mediaEndpoints(d)[0]?.payloads).toEqual([
      { pt: 0, name: 'PCMU', clockRate: 8000, channels: 1 },
      { pt: 8, name: 'PCMA', clockRate: 8000, channels: 1 },
      { pt: 9, name: 'G722', clockRate: 8000, channels: 1 },
      { pt: 18, name: 'G729', clockRate: 8000, channels: 1 },
      { pt: 3, name: 'GSM', clockRate: 8000, channels: 1 },
      { pt: 4, name: 'G723', clockRate: 8000, channels: 1 },
      { pt: 96, name: '', clockRate: 0, channels: 1 },
    ]);
    expect(mediaEndpoints(d)[1]?.payloads).toEqual([
      { pt: 31, name: 'H261', clockRate: 90000, channels: 0 },
      { pt: 34, name: 'H263', clockRate: 90000, channels: 0 },
    ]);
  });

  it('SRTP: a=crypto and SAVP profiles; T.38 over udptl has no RTP payloads', () => {
    const d = sdp(`v=0
o=- 1 1 IN IP4 h
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 1000 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32
m=image 1002 udptl t38
a=T38FaxVersion:0
m=audio 1004 UDP/TLS/RTP/SAVPF 111
a=rtpmap:111 opus/48000/2
a=mid:0
`);
    const eps = mediaEndpoints(d);
    expect(eps.map((e) => [e.media, e.secure, e.payloads.length])).toEqual([
      ['audio', true, 1],
      ['image', false, 0],
      ['audio', true, 1],
    ]);
    expect(d.media[0]?.crypto).toBe(true);
    expect(d.media[2]?.mid).toBe('0');
  });

  it('multicast c= with TTL and count; m= port count; b= lines; maxptime', () => {
    const d = sdp(`v=0
o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
s=SDP Seminar
c=IN IP4 224.2.17.12/127/3
b=AS:64
t=2873397496 2873404696
m=audio 49170/2 RTP/AVP 0
b=TIAS:64000
a=maxptime:40
a=ptime:20.5
`);
    expect(d.connection).toEqual({ netType: 'IN', addrType: 'IP4', address: '224.2.17.12', ttl: 127, count: 3 });
    expect(d.bandwidths).toEqual([{ type: 'AS', kbps: 64 }]);
    expect(d.timing).toEqual([{ start: '2873397496', stop: '2873404696' }]);
    expect(d.media[0]).toMatchObject({ port: 49170, portCount: 2, maxptime: 40, ptime: 20.5, bandwidths: [{ type: 'TIAS', kbps: 64000 }] });
    expect(mediaEndpoints(d)[0]?.ip).toBe('224.2.17.12');
    const v6 = sdp('v=0\no=- 1 1 IN IP6 h\ns=-\nc=IN IP6 ff1e::101/3\nt=0 0\n');
    expect(v6.connection).toEqual({ netType: 'IN', addrType: 'IP6', address: 'ff1e::101', count: 3 });
  });

  it('accepts LF line ends and bytes; skips malformed non-structural lines', () => {
    const r = decodeSdp(new TextEncoder().encode('v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\ngarbage\nm=audio 1000 RTP/AVP 0\na=rtpmap:zz PCMU/8000\na=rtcp:port\n\n'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.skippedLines).toBe(3);
    expect(mediaEndpoints(r.value)[0]?.rtcpPort).toBe(1001);
  });

  it.each([
    ['', 'EMPTY'],
    ['\r\n\r\n', 'EMPTY'],
    ['o=- 1 1 IN IP4 h\r\nv=0\r\n', 'NOT_SDP'],
    ['hello', 'NOT_SDP'],
    ['v=x\r\n', 'NOT_SDP'],
    ['v=0\r\nm=audio RTP/AVP 0\r\n', 'BAD_MEDIA_LINE'],
    ['v=0\r\nm=audio 70000 RTP/AVP 0\r\n', 'BAD_MEDIA_LINE'],
    ['v=0\r\nm=audio 1000/x RTP/AVP 0\r\n', 'BAD_MEDIA_LINE'],
    ['v=0\r\nc=IN IP4\r\n', 'BAD_CONNECTION'],
    ['v=0\r\nc=IN IP4 224.2.1.1/x\r\n', 'BAD_CONNECTION'],
  ])('%j → %s', (text, code) => {
    const r = decodeSdp(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('never throws on arbitrary text', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.tuple(fc.constantFrom('v', 'o', 's', 'c', 't', 'm', 'a', 'b'), fc.string({ maxLength: 40 })).map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const r = decodeSdp(['v=0', ...lines].join('\r\n'));
        if (r.ok) mediaEndpoints(r.value);
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});
