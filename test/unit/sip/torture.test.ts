/**
 * RFC 4475 torture messages (fixtures/sip-torture/, see its README for provenance): every valid
 * message decodes without a defect, every invalid one is rejected with a specific code or
 * decoded with the defect recorded — and none throws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../helpers/truth.js';
import type { SipErrorCode } from '../../../src/lib/sip/errors.js';
import { decodeSipMessage, type SipMessage } from '../../../src/lib/sip/message.js';
import { unescapeUriPart } from '../../../src/lib/sip/uri.js';

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, 'sip-torture', `${name}.dat`)));
}

function decodeOk(name: string): SipMessage {
  const b = load(name);
  const r = decodeSipMessage(b);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}`);
  return r.value;
}

interface Case {
  file: string;
  section: string;
  /** 'ok', or the code a lax decode rejects with. */
  lax: 'ok' | SipErrorCode;
  /** Defects (code@header) the lax decode records once every accessor ran. */
  defects?: string[];
  /** 'ok', or the code of a strict decode. */
  strict: 'ok' | SipErrorCode;
}

const CASES: Case[] = [
  { file: 'wsinv', section: '3.1.1.1', lax: 'ok', strict: 'ok' },
  { file: 'intmeth', section: '3.1.1.2', lax: 'ok', strict: 'ok' },
  { file: 'esc01', section: '3.1.1.3', lax: 'ok', strict: 'ok' },
  { file: 'escnull', section: '3.1.1.4', lax: 'ok', strict: 'ok' },
  { file: 'esc02', section: '3.1.1.5', lax: 'ok', strict: 'ok' },
  { file: 'lwsdisp', section: '3.1.1.6', lax: 'ok', strict: 'ok' },
  { file: 'longreq', section: '3.1.1.7', lax: 'ok', strict: 'ok' },
  { file: 'dblreq', section: '3.1.1.8', lax: 'ok', strict: 'ok' },
  { file: 'semiuri', section: '3.1.1.9', lax: 'ok', strict: 'ok' },
  { file: 'transports', section: '3.1.1.10', lax: 'ok', strict: 'ok' },
  { file: 'mpart01', section: '3.1.1.11', lax: 'ok', strict: 'ok' },
  { file: 'unreason', section: '3.1.1.12', lax: 'ok', strict: 'ok' },
  { file: 'noreason', section: '3.1.1.13', lax: 'ok', strict: 'ok' },
  {
    file: 'badinv01',
    section: '3.1.2.1',
    lax: 'ok',
    defects: ['BAD_VIA@via', 'BAD_VIA@via', 'BAD_VIA@via', 'BAD_VIA@via', 'BAD_NAME_ADDR@contact'],
    strict: 'BAD_VIA',
  },
  { file: 'clerr', section: '3.1.2.2', lax: 'BODY_TRUNCATED', strict: 'BODY_TRUNCATED' },
  { file: 'ncl', section: '3.1.2.3', lax: 'BAD_CONTENT_LENGTH', strict: 'BAD_CONTENT_LENGTH' },
  { file: 'scalar02', section: '3.1.2.4', lax: 'BAD_CSEQ', strict: 'BAD_CSEQ' },
  { file: 'scalarlg', section: '3.1.2.5', lax: 'BAD_CSEQ', strict: 'BAD_CSEQ' },
  { file: 'quotbal', section: '3.1.2.6', lax: 'ok', defects: ['BAD_NAME_ADDR@to'], strict: 'BAD_NAME_ADDR' },
  { file: 'ltgtruri', section: '3.1.2.7', lax: 'BAD_REQUEST_URI', strict: 'BAD_REQUEST_URI' },
  { file: 'lwsruri', section: '3.1.2.8', lax: 'BAD_REQUEST_URI', strict: 'BAD_REQUEST_URI' },
  { file: 'lwsstart', section: '3.1.2.9', lax: 'ok', defects: ['BAD_START_LINE@'], strict: 'BAD_START_LINE' },
  { file: 'trws', section: '3.1.2.10', lax: 'ok', defects: ['BAD_START_LINE@'], strict: 'BAD_START_LINE' },
  { file: 'escruri', section: '3.1.2.11', lax: 'ok', defects: ['BAD_REQUEST_URI@'], strict: 'BAD_REQUEST_URI' },
  { file: 'baddate', section: '3.1.2.12', lax: 'ok', defects: ['BAD_DATE@date'], strict: 'BAD_DATE' },
  { file: 'regbadct', section: '3.1.2.13', lax: 'ok', defects: ['BAD_NAME_ADDR@contact'], strict: 'BAD_NAME_ADDR' },
  { file: 'badaspec', section: '3.1.2.14', lax: 'ok', defects: ['BAD_NAME_ADDR@to'], strict: 'BAD_NAME_ADDR' },
  { file: 'baddn', section: '3.1.2.15', lax: 'ok', defects: ['BAD_NAME_ADDR@from', 'BAD_NAME_ADDR@to'], strict: 'BAD_NAME_ADDR' },
  { file: 'badvers', section: '3.1.2.16', lax: 'BAD_VERSION', strict: 'BAD_VERSION' },
  { file: 'mismatch01', section: '3.1.2.17', lax: 'CSEQ_METHOD_MISMATCH', strict: 'CSEQ_METHOD_MISMATCH' },
  { file: 'mismatch02', section: '3.1.2.18', lax: 'CSEQ_METHOD_MISMATCH', strict: 'CSEQ_METHOD_MISMATCH' },
  { file: 'bigcode', section: '3.1.2.19', lax: 'BAD_STATUS_CODE', strict: 'BAD_STATUS_CODE' },
  { file: 'badbranch', section: '3.2.1', lax: 'ok', defects: ['BAD_VIA@via'], strict: 'BAD_VIA' },
  { file: 'inv2543', section: '3.4.1', lax: 'ok', strict: 'ok' },
];

describe('RFC 4475 torture messages', () => {
  it.each(CASES)('$file (§$section): lax $lax, strict $strict', (c) => {
    const b = load(c.file);
    const lax = decodeSipMessage(b);
    if (c.lax === 'ok') {
      expect(lax.ok).toBe(true);
      if (!lax.ok) return;
      const defects = lax.value.validate().map((d) => `${d.code}@${d.header ?? ''}`);
      expect(defects).toEqual(c.defects ?? []);
    } else {
      expect(lax.ok).toBe(false);
      if (!lax.ok) expect(lax.error.code).toBe(c.lax);
    }
    const strict = decodeSipMessage(b, 0, b.length, { strict: true });
    if (c.strict === 'ok') expect(strict.ok).toBe(true);
    else {
      expect(strict.ok).toBe(false);
      if (!strict.ok) expect(strict.error.code).toBe(c.strict);
    }
  });

  it('wsinv: folding, LWS everywhere, compact and long forms, unknown headers', () => {
    const m = decodeOk('wsinv');
    expect(m.method).toBe('INVITE');
    expect(m.requestUri?.params).toEqual({ unknownparam: '' });
    expect(m.to?.uri.user).toBe('vivekg');
    expect(m.to?.tag).toBe('1918181833n');
    expect(m.from?.displayName).toBe('J Rosenberg \\"');
    expect(m.from?.tag).toBe('98asjd8');
    expect(m.maxForwards).toBe(68);
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.contentLength).toBe(150);
    expect(m.get('subject')).toBe('');
    expect(m.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(m.get('unknownheaderwithunusualvalue')).toBe(';;,,;;,;');
    expect(m.getAll('UnknownHeaderWithUnusualValue')).toEqual([';;,,;;,;']);
    expect(m.via.map((v) => [v.protocolName, v.protocolVersion, v.transport, v.host, v.branch])).toEqual([
      ['SIP', '2.0', 'UDP', '192.0.2.2', '390skdjuw'],
      ['SIP', '2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['SIP', '2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(m.route.map((r) => r.uri.params)).toEqual([{ lr: '', unknownwith: 'value', 'unknown-no-value': '' }]);
    expect(m.contact).toHaveLength(1);
    expect(m.contact[0]?.displayName).toBe('Quoted string ""');
    expect(m.contact[0]?.params).toEqual({ newparam: 'newvalue', secondparam: '', q: '0.33' });
    expect(m.bodyText.startsWith('v=0\r\n')).toBe(true);
    expect(m.body.length).toBe(150);
  });

  it('intmeth: unusual method, URI with password, quoted NUL, UTF-8 values', () => {
    const m = decodeOk('intmeth');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(m.cseq?.method).toBe(m.method);
    expect(m.requestUri?.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(m.requestUri?.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(m.requestUri?.host).toBe('example.com');
    expect(m.to?.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(m.from?.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(m.from?.params["fromparam''~+*_!.-%"]).toBe('работающий');
    expect(m.from?.tag).toBe("_token~1'+`*%!-.");
    expect(m.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(m.via[0]?.branch).toBe("z9hG4bK-.!%66*_+`'~");
    expect(m.get("extensionHeader-!.%*+_`'~")).toBe('\ufeff大停電');
  });

  it('esc01 / escnull / esc02: escapes kept as written, % only escapes inside URIs', () => {
    const e1 = decodeOk('esc01');
    expect(e1.requestUri?.user).toBe('sips%3Auser%40example.com');
    expect(unescapeUriPart(e1.requestUri?.user ?? '')).toBe('sips:user@example.com');
    expect(unescapeUriPart(e1.to?.uri.user ?? '')).toBe('user');
    expect(unescapeUriPart(e1.from?.uri.user ?? '')).toBe('I have spaces');
    expect(e1.contact[0]?.uri.params).toEqual({ '%6c%72': '', 'n%61me': 'v%61lue%25%34%31' });
    expect(e1.contentType).toBe('application/sdp');

    const nul = decodeOk('escnull');
    expect(nul.contact.map((c) => c.uri.user)).toEqual(['%00', '%00%00']);
    expect(unescapeUriPart('null-%00-null')).toBe('null-\0-null');

    const e2 = decodeOk('esc02');
    expect(e2.method).toBe('RE%47IST%45R');
    expect(e2.to?.displayName).toBe('%Z%45');
    expect(e2.contact.map((c) => c.uri.user)).toEqual(['alias1', 'alias3']);
    expect(e2.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
  });

  it('longreq: 34 Via values across compact and long forms in every case', () => {
    const m = decodeOk('longreq');
    expect(m.via).toHaveLength(34);
    expect(m.via[0]?.host).toBe('sip33.example.com');
    expect(m.via[33]?.received).toBe('192.0.2.5');
    expect(m.to?.uri.port).toBe(6000);
    expect(m.from?.tag?.length).toBe(155);
    expect(m.callId).toBe(`longreq.one${'really'.repeat(20)}longcallid`);
  });

  it('dblreq: the REGISTER only; the INVITE-looking octets are trailing noise over UDP', () => {
    const b = load('dblreq');
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.method).toBe('REGISTER');
    expect(r.value.body.length).toBe(0);
    expect(r.value.trailingBytes).toBe(446);
    expect(r.end).toBe(b.length - 446);
    // Over a stream the rest is the next message.
    const s = decodeSipMessage(b, 0, b.length, { stream: true });
    expect(s.ok && s.value.trailingBytes).toBe(0);
    const next = s.ok ? decodeSipMessage(b, s.end, b.length, { stream: true }) : undefined;
    expect(next?.ok && next.value.method).toBe('INVITE');
  });

  it('semiuri, transports, mpart01, unreason, noreason, inv2543', () => {
    const semi = decodeOk('semiuri');
    expect(semi.requestUri?.user).toBe('user;par=u%40example.net');
    expect(semi.getAll('accept')).toEqual([
      'application/sdp',
      'application/pkcs7-mime',
      'multipart/mixed',
      'multipart/signed',
      'message/sip',
      'message/sipfrag',
    ]);

    const tr = decodeOk('transports');
    expect(tr.via.map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
    expect(tr.callId).toBe('transports.kijh4akdnaqjkwendsasfdj');

    const mp = decodeOk('mpart01');
    expect(mp.body.length).toBe(553);
    expect(mp.body.includes(0)).toBe(true);
    expect(mp.via[0]?.rport).toBe(true);
    expect(mp.via[0]?.port).toBe(5070);
    expect(mp.date?.toISOString()).toBe('2005-10-15T04:44:56.000Z');
    expect(mp.userAgent).toBe('SIPimp.org/0.2.5 (curses)');

    const un = decodeOk('unreason');
    expect(un.statusCode).toBe(200);
    expect(un.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');

    const no = decodeOk('noreason');
    expect(no.statusCode).toBe(100);
    expect(no.reason).toBe('');

    const old = decodeOk('inv2543');
    expect(old.maxForwards).toBeUndefined();
    expect(old.via[0]?.branch).toBeUndefined();
    expect(old.from?.tag).toBeUndefined();
    expect(old.contentLength).toBeUndefined();
    expect(old.bodyText.endsWith('m=audio 49217 RTP/AVP 0\r\n')).toBe(true);
    expect(old.recordRoute[0]?.uri.params.maddr).toBe('ss1.example.com');
  });

  it('quotbal, baddn, badaspec: lax decoding still yields what can be read', () => {
    const q = decodeOk('quotbal');
    expect(q.to).toBeUndefined();
    expect(q.from?.tag).toBe('93334');
    const dn = decodeOk('baddn');
    expect(dn.from?.displayName).toBe('Bell, Alexander');
    expect(dn.from?.tag).toBe('43');
    const as = decodeOk('badaspec');
    expect(as.to?.uri.user).toBe('t.watson');
    expect(as.to?.displayName).toBe('Watson, Thomas');
  });

  it('clerr reports how much the message needs', () => {
    const b = load('clerr');
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.have).toBe(b.length);
    const headerBytes = Buffer.from(b).indexOf('\r\n\r\n') + 4;
    expect(r.error.need).toBe(headerBytes + 9999);
  });
});
