/**
 * The exporter's two labels, with cardinality bounded by configuration, never by traffic:
 * - carrier: a YAML map of name → CIDR list; the first carrier whose prefix holds the request's
 *   source address; responses and the dialog inherit it (by Call-ID); otherwise "other".
 * - ua_type: a YAML map of label → regular expression on the User-Agent, first match wins;
 *   otherwise "other".
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../errors.js';

export const OTHER = 'other';

interface Prefix {
  v6: boolean;
  /** Address as 4 (IPv4) or 16 (IPv6) bytes. */
  bytes: Uint8Array;
  bits: number;
}

export function parseIp(text: string): Uint8Array | null {
  if (text.includes(':')) return parseIpv6(text);
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  let s = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = parseIp(v4[1] as string);
    if (!b) return null;
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    s = s.slice(0, -(v4[1] as string).length) + (s.endsWith('::' + v4[1]) ? '' : '0');
    if (s.endsWith(':0')) s = s.slice(0, -2);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const toWords = (h: string) => (h === '' ? [] : h.split(':').map((w) => (/^[0-9a-f]{1,4}$/i.test(w) ? parseInt(w, 16) : NaN)));
  const head = toWords(halves[0] ?? '');
  const rest = halves.length === 2 ? toWords(halves[1] ?? '') : [];
  const words = halves.length === 2 ? [...head, ...new Array(8 - head.length - rest.length - tail.length).fill(0), ...rest, ...tail] : [...head, ...tail];
  if (words.length !== 8 || words.some((w) => Number.isNaN(w) || w < 0)) return null;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

export function parseCidr(text: string): Prefix | null {
  const [addr, len] = text.trim().split('/');
  const bytes = parseIp(addr ?? '');
  if (!bytes) return null;
  const max = bytes.length * 8;
  const bits = len === undefined ? max : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return null;
  return { v6: bytes.length === 16, bytes, bits };
}

export function inPrefix(addr: Uint8Array, p: Prefix): boolean {
  if (addr.length !== p.bytes.length) return false;
  let bits = p.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((addr[i] as number) & mask) !== ((p.bytes[i] as number) & mask)) return false;
  }
  return true;
}

export class CarrierMap {
  private readonly entries: { name: string; prefixes: Prefix[] }[];
  private readonly cache = new Map<string, string>();

  constructor(map: Record<string, string[]>) {
    this.entries = Object.entries(map).map(([name, cidrs]) => ({
      name,
      prefixes: cidrs.map((c) => {
        const p = parseCidr(String(c));
        if (!p) throw usageError('BAD_CARRIERS', `carrier ${name}: ${c} is not an IP prefix`);
        return p;
      }),
    }));
  }

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  match(ip: string): string {
    const hit = this.cache.get(ip);
    if (hit !== undefined) return hit;
    const bytes = parseIp(ip);
    let name = OTHER;
    if (bytes) for (const e of this.entries) if (e.prefixes.some((p) => inPrefix(bytes, p))) { name = e.name; break; }
    if (this.cache.size > 65_536) this.cache.clear();
    this.cache.set(ip, name);
    return name;
  }
}

export class UaTypeMap {
  private readonly entries: { label: string; re: RegExp }[];
  private readonly cache = new Map<string, string>();

  constructor(map: Record<string, string>) {
    this.entries = Object.entries(map).map(([label, pattern]) => {
      try {
        return { label, re: new RegExp(String(pattern), 'i') };
      } catch {
        throw usageError('BAD_UA_TYPES', `ua type ${label}: ${pattern} is not a regular expression`);
      }
    });
  }

  get labels(): string[] {
    return this.entries.map((e) => e.label);
  }

  match(userAgent: string | undefined): string {
    if (!userAgent) return OTHER;
    const hit = this.cache.get(userAgent);
    if (hit !== undefined) return hit;
    const label = this.entries.find((e) => e.re.test(userAgent))?.label ?? OTHER;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(userAgent, label);
    return label;
  }
}

function loadYaml(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw usageError('FILE_NOT_FOUND', `${what} file ${path} cannot be read`);
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw usageError('BAD_YAML', `${path}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
}

/** `{carriers: {name: [cidr…]}}` or `{name: [cidr…]}`. */
export function loadCarrierMap(path: string | undefined): CarrierMap {
  if (!path) return new CarrierMap({});
  const doc = loadYaml(path, 'carriers') as Record<string, unknown> | null;
  const map = (doc && typeof doc === 'object' && 'carriers' in doc ? doc.carriers : doc) as Record<string, unknown> | null;
  if (!map || typeof map !== 'object') throw usageError('BAD_CARRIERS', `${path}: expected a map of carrier name → list of CIDRs`);
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(map)) out[k] = Array.isArray(v) ? v.map(String) : [String(v)];
  return new CarrierMap(out);
}

/** `{ua_types: {label: regex}}` or `{label: regex}`. */
export function loadUaTypeMap(path: string | undefined): UaTypeMap {
  if (!path) return new UaTypeMap({});
  const doc = loadYaml(path, 'ua-types') as Record<string, unknown> | null;
  const map = (doc && typeof doc === 'object' && 'ua_types' in doc ? doc.ua_types : doc) as Record<string, unknown> | null;
  if (!map || typeof map !== 'object') throw usageError('BAD_UA_TYPES', `${path}: expected a map of label → regular expression`);
  return new UaTypeMap(Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)])));
}
