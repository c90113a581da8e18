/**
 * Shared by the trace integration suites: what the lab needs, and running the built CLI inside
 * namespace A (optionally as `nobody`, through runuser).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { which } from '../env.js';
import { ROOT, BIN } from '../../helpers/cli.js';

export function traceLabMissing(opts: { tun?: boolean } = {}): string[] {
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push('linux');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) missing.push('root');
  for (const b of ['ip', 'iptables', 'ip6tables', 'kamailio', 'mtr', 'runuser', 'sysctl', ...(opts.tun ? ['python3'] : [])]) {
    if (!which(b)) missing.push(b);
  }
  if (opts.tun && !existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  if (!existsSync(join(ROOT, 'node_modules', 'koffi'))) missing.push('koffi');
  return missing;
}

export interface TraceRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** the parsed --json envelope, when the output was one */
  json: { status: string; result: TraceJson | null; error?: { code: string; hints: string[] }; warnings: { code: string }[] } | null;
}

/** The parts of the result the tests read (schemas/trace.schema.json has it all). */
export interface TraceJson {
  method: { name: string; fallback: boolean; note: string };
  hops: {
    ttl: number;
    address: string | null;
    sent: number;
    received: number;
    lossPct: number;
    avgMs: number | null;
    bestMs: number | null;
    answeredBy: string | null;
    status: string;
    sip: { status: number } | null;
  }[];
  destination: { reached: boolean; answered: boolean; ttl: number | null; lossPct: number | null; sip: { status: number; server: string | null } | null };
  controls: { proto: string; port: number | null; reached: boolean; lastTtl: number | null }[];
  findings: { code: string; ttl?: number; message: string; severity: string }[];
  thresholds: { breaches: { key: string }[] };
}

export async function traceIn(netns: string, args: string[], opts: { user?: string } = {}): Promise<TraceRun> {
  const cmd = ['netns', 'exec', netns, ...(opts.user ? ['runuser', '-u', opts.user, '--'] : []), process.execPath, BIN, 'trace', ...args];
  const r = await execa('ip', cmd, {
    cwd: ROOT,
    reject: false,
    timeout: 60_000,
    env: { NO_COLOR: '1', NODE_NO_WARNINGS: '1', CI: '1' },
  });
  const stdout = String(r.stdout);
  let json: TraceRun['json'] = null;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout);
    } catch {
      json = null;
    }
  }
  return { exitCode: r.exitCode ?? -1, stdout, stderr: String(r.stderr), json };
}

let validator: ((doc: unknown) => boolean) & { errors?: unknown } | undefined;
export function validateTraceJson(doc: unknown): { ok: boolean; errors: string } {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/trace.schema.json'), 'utf8')));
  }
  const ok = validator(doc);
  return { ok, errors: JSON.stringify(validator.errors ?? null) };
}

export function hopAddresses(r: TraceJson): (string | null)[] {
  return r.hops.map((h) => h.address);
}

/** Can `user` run the built CLI from this checkout (read bin/, dist/, node_modules/)? */
export async function canRunAs(user: string): Promise<boolean> {
  const r = await execa('runuser', ['-u', user, '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)}); require.resolve('koffi', { paths: [${JSON.stringify(ROOT)}] })`], {
    reject: false,
    timeout: 10_000,
  });
  return r.exitCode === 0;
}
