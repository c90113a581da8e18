/**
 * Is the lab usable on this machine? Root plus the peer binaries (Debian packages kamailio,
 * kamailio-tls-modules, sip-tester, tcpdump, tshark, openssl, iproute2). Synchronous, so a suite
 * can write `describe.skipIf(!labAvailable())(...)`: a machine without them skips, never fails.
 * VOIPDIAG_SKIP_LAB=1 forces a skip.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Where kamailio/ and sipp/ live (override when running a compiled copy of the harness). */
export const HARNESS_DIR = process.env.VOIPDIAG_HARNESS_DIR ?? import.meta.dirname;
export const KAMAILIO_CFG = join(HARNESS_DIR, 'kamailio', 'kamailio.cfg');
export const SIPP_SCENARIO_DIR = join(HARNESS_DIR, 'sipp');
/** Audio sources of the Debian sip-tester package (copied into a temp dir at run time). */
export const SIP_TESTER_SHARE = '/usr/share/sip-tester';

const REQUIRED_BINARIES = ['kamailio', 'sipp', 'tcpdump', 'tshark', 'capinfos', 'openssl', 'ss', 'ip'] as const;

export function which(bin: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

function kamailioTlsModule(): string | null {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/lib64']) {
    const p = join(dir, 'kamailio', 'modules', 'tls.so');
    if (existsSync(p)) return p;
  }
  return null;
}

/** What is missing for the lab (empty = available). */
export function missingLabRequirements(): string[] {
  const missing: string[] = [];
  if (process.env.VOIPDIAG_SKIP_LAB === '1') missing.push('VOIPDIAG_SKIP_LAB=1');
  if (process.platform !== 'linux') missing.push(`platform ${process.platform} (needs linux)`);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) missing.push('root');
  for (const b of REQUIRED_BINARIES) if (!which(b)) missing.push(`binary ${b}`);
  if (!kamailioTlsModule()) missing.push('kamailio tls.so (package kamailio-tls-modules)');
  if (!existsSync(join(SIP_TESTER_SHARE, 'g711a.pcap'))) missing.push(`${SIP_TESTER_SHARE}/g711a.pcap (package sip-tester)`);
  return missing;
}

let cached: boolean | undefined;
export function labAvailable(): boolean {
  if (cached === undefined) cached = missingLabRequirements().length === 0;
  return cached;
}

/** Throws with the list of what is missing. */
export function requireLab(): void {
  const missing = missingLabRequirements();
  if (missing.length > 0) throw new Error(`voipdiag lab not available: missing ${missing.join(', ')}`);
}

/** A fresh temp dir (voipdiag-harness-<what>-XXXXXX) and its remover. */
export function makeTempDir(what: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `voipdiag-harness-${what}-`));
  return {
    dir,
    remove() {
      if (process.env.VOIPDIAG_LAB_KEEP === '1') return;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
