/**
 * `capture --backend libpcap`: the optional in-process libpcap binding (npm `pcap`) delivers the
 * same frames as a file would. Needs root (CAP_NET_RAW) and the built binding; skipped otherwise.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
function bindingLoads(): boolean {
  try {
    require('pcap');
    return true;
  } catch {
    return false;
  }
}
const runnable = process.getuid?.() === 0 && bindingLoads();

function options(n: number, port: number): string {
  return (
    `OPTIONS sip:probe@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port + 1};branch=z9hG4bK-lp${n}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:lp@127.0.0.1>;tag=lp${n}\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: lp-${n}@127.0.0.1\r\n` +
    `CSeq: ${n} OPTIONS\r\nContent-Length: 0\r\n\r\n`
  );
}

describe.skipIf(!runnable)('capture --backend libpcap', () => {
  it('captures what was sent, writes a pcap that analyze reads the same', async () => {
    const port = 25_000 + (process.pid % 2000) * 2;
    const out = join(mkdtempSync(join(tmpdir(), 'voipdiag-libpcap-')), 'lp.pcap');
    const capture = runCli(['capture', '-i', 'lo', '--backend', 'libpcap', '--duration', '3', '--filter', `udp port ${port}`, '--write', out, '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(port + 1, '127.0.0.1', () => r()));
    for (let i = 1; i <= 5; i++) {
      await new Promise<void>((r) => sock.send(options(i, port), port, '127.0.0.1', () => r()));
      await new Promise((r) => setTimeout(r, 20));
    }
    sock.close();
    const r = await capture;
    expect(r.exitCode, r.stderr).toBe(0);
    const live = JSON.parse(r.stdout).result;
    expect(live.sip.methods).toEqual({ OPTIONS: 5 });
    expect(live.capture.drops.dropped).toBe(0);
    const offline = JSON.parse((await runCli(['analyze', out, '--json'])).stdout).result;
    expect(offline.sip).toEqual({ ...live.sip, callIds: 5 });
    expect(offline.capture.packets).toBe(live.capture.packets);
  });
});
