import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysUntil, describeDn } from '../../../src/lib/net/tls-info.js';
import { parseTarget } from '../../../src/lib/probe/target.js';
import { decodeWav } from '../../../src/lib/probe/wav.js';
import { parseProfileFile } from '../../../src/lib/report/profiles.js';

describe('never throws on arbitrary input', () => {
  it('decodeWav on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => typeof decodeWav(b).ok === 'boolean'));
    // and on RIFF-looking prefixes with random chunk sizes
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        const head = new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt ');
        const b = new Uint8Array(head.length + tail.length);
        b.set(head);
        b.set(tail, head.length);
        return typeof decodeWav(b).ok === 'boolean';
      }),
    );
  });
  it('parseTarget on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => typeof parseTarget(s).ok === 'boolean'));
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => typeof parseTarget(`sip:${s}`).ok === 'boolean'));
  });
  it('parseProfileFile on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => typeof parseProfileFile(s, 'f').ok === 'boolean'));
  });
});

describe('TLS certificate facts', () => {
  it('days to expiry, whole days, negative once expired', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(daysUntil('Jan 31 00:00:00 2026 GMT', now)).toBe(30);
    expect(daysUntil('Jan  1 12:00:00 2026 GMT', now)).toBe(0);
    expect(daysUntil('Dec 30 00:00:00 2025 GMT', now)).toBe(-2);
    expect(Number.isNaN(daysUntil('garbage', now))).toBe(true);
  });
  it('distinguished names: CN when there is one', () => {
    expect(describeDn({ C: 'FR', O: 'Example', CN: 'sbc.example.com' })).toBe('CN=sbc.example.com');
    expect(describeDn({ C: 'FR', O: 'Example' })).toBe('C=FR, O=Example');
    expect(describeDn(undefined)).toBe('');
  });
});
