/**
 * Live frames from an interface: tcpdump (or dumpcap) writes a pcap stream on stdout, parsed
 * in-process by the same streaming reader the file path uses, so the analysis engine cannot
 * tell a live source from a file.
 *
 * Measured on this project's machines (see the capture issue): `tcpdump -s 0 -B 65536 -U -w -`
 * without `--immediate-mode` (with it, libpcap's ring holds ~500 packets and drops under load);
 * after the deadline keep reading ~1.2 s, then SIGINT, or the last ring block (up to ~1 s of
 * packets) is lost. Drop counters: tcpdump prints "N packets received by filter / N packets
 * dropped by kernel" on stderr at exit and on SIGUSR1.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { CaptureStreamParser } from '../pcap/stream-parser.js';
import type { FrameSink } from '../pcap/frame.js';
import { VoipdiagError, ExitCode } from '../errors.js';

export interface LiveCaptureOptions {
  iface: string;
  filter: string;
  snaplen: number;
  /** Raw pcap stream is also written here, unchanged (readable by Wireshark). */
  writePath?: string;
  backend: 'tcpdump' | 'dumpcap';
  /** Binary override (tests). */
  binary?: string;
}

export interface CaptureCounters {
  /** Packets the kernel handed to the filter (tcpdump "received by filter"). */
  received: number | null;
  /** Packets the kernel dropped because the buffer was full. */
  droppedByKernel: number | null;
  /** Packets dropped by the interface (tcpdump "dropped by interface"). */
  droppedByInterface: number | null;
}

export const DEFAULT_CAPTURE_FILTER = 'udp or (tcp and (port 5060 or port 5061))';

/** tcpdump's exit/stderr lines → counters. Lines look like "12 packets dropped by kernel". */
export function parseTcpdumpCounters(stderr: string): CaptureCounters {
  const grab = (re: RegExp): number | null => {
    let last: number | null = null;
    for (const m of stderr.matchAll(re)) last = Number(m[1]);
    return last;
  };
  return {
    received: grab(/(\d+) packets? received by filter/g),
    droppedByKernel: grab(/(\d+) packets? dropped by kernel/g),
    droppedByInterface: grab(/(\d+) packets? dropped by interface/g),
  };
}

const PRIVILEGE_HINTS = [
  'run it with sudo, or',
  'allow tcpdump to capture once: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)"',
  'under systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN in the unit (voipdiag itself needs no privilege)',
];

/** Turn what tcpdump said before dying into one clear operational error. */
export function captureStartError(stderr: string, iface: string, bin: string): VoipdiagError {
  const s = stderr.toLowerCase();
  if (s.includes('permission') || s.includes('operation not permitted')) {
    return new VoipdiagError('CAPTURE_PERMISSION', `${bin} may not capture on ${iface}: permission denied`, {
      exitCode: ExitCode.network,
      hints: PRIVILEGE_HINTS,
    });
  }
  if (s.includes('no such device') || s.includes("doesn't exist") || s.includes('no such interface')) {
    return new VoipdiagError('CAPTURE_NO_DEVICE', `no interface named ${iface}`, {
      exitCode: ExitCode.usage,
      hints: ['list interfaces with: ip -br link'],
    });
  }
  if (s.includes('syntax error') || s.includes("can't parse filter") || /unknown (port|host|protocol|network)|illegal /.test(s)) {
    return new VoipdiagError('CAPTURE_BAD_FILTER', `the capture filter was rejected: ${firstLine(stderr)}`, {
      exitCode: ExitCode.usage,
      hints: ['check the BPF syntax with: tcpdump -d "<filter>"'],
    });
  }
  return new VoipdiagError('CAPTURE_FAILED', `${bin} failed: ${firstLine(stderr) || 'no message'}`, { exitCode: ExitCode.network });
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l.length > 0 && !l.startsWith('tcpdump: verbose output')) ?? '';
}

/**
 * A running capture. `frames` go to the sink as they arrive; `stop()` ends it cleanly (the
 * ~1.2 s drain, SIGINT, final counters); `counters()` asks tcpdump for its counters (SIGUSR1).
 */
export class LiveCapture {
  private proc: ResultPromise | undefined;
  private stderr = '';
  private readonly parser = new CaptureStreamParser({ fileIndex: 0 });
  private writer: WriteStream | undefined;
  private ended: Promise<void> | undefined;
  private readyResolve: (() => void) | undefined;
  bytes = 0;

  constructor(private readonly opts: LiveCaptureOptions) {}

  get binary(): string {
    return this.opts.binary ?? this.opts.backend;
  }

  /** Starts the capture; resolves once the capturer says it is listening. */
  async start(sink: FrameSink): Promise<void> {
    const { iface, filter, snaplen, backend } = this.opts;
    const args =
      backend === 'tcpdump'
        ? ['-i', iface, '-s', String(snaplen), '-B', '65536', '-U', '-n', '-w', '-', ...(filter ? [filter] : [])]
        : ['-i', iface, '-s', String(snaplen), '-B', '64', '-P', '-q', '-w', '-', ...(filter ? ['-f', filter] : [])];
    if (this.opts.writePath) this.writer = createWriteStream(this.opts.writePath);
    const proc = execa(this.binary, args, { stdin: 'ignore', buffer: false, reject: false, stripFinalNewline: false });
    this.proc = proc;
    const ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      this.stderr += d;
      if (this.stderr.length > 65536) this.stderr = this.stderr.slice(-32768);
      if (/listening on|capturing on/i.test(this.stderr)) this.readyResolve?.();
    });
    proc.stdout?.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.writer?.write(chunk);
      this.parser.push(chunk, sink);
    });
    let spawnCode: string | undefined;
    this.ended = (async () => {
      const r = (await proc) as { code?: string };
      spawnCode = r.code;
    })();
    const failed = this.ended.then(() => {
      if (spawnCode === 'ENOENT') {
        throw new VoipdiagError('CAPTURE_NO_BINARY', `${this.binary} is not installed`, {
          exitCode: ExitCode.network,
          hints: ['install it: sudo apt-get install tcpdump (or use --backend dumpcap)'],
        });
      }
      throw captureStartError(this.stderr, iface, this.binary);
    });
    failed.catch(() => undefined);
    await Promise.race([ready, failed]);
  }

  /** Ask tcpdump to print its counters now (SIGUSR1) and read them from stderr. */
  async counters(): Promise<CaptureCounters> {
    if (this.opts.backend === 'tcpdump' && this.proc?.pid) {
      try {
        process.kill(this.proc.pid, 'SIGUSR1');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return parseTcpdumpCounters(this.stderr);
  }

  /** Stop: keep reading `drainMs` so the kernel ring's last block arrives, then SIGINT. */
  async stop(drainMs = 1200): Promise<{ counters: CaptureCounters; parse: ReturnType<CaptureStreamParser['end']> }> {
    if (!this.proc) throw new Error('capture not started');
    if (drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
    if (this.proc.pid) {
      try {
        process.kill(this.proc.pid, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
    const killer = setTimeout(() => this.proc?.kill('SIGKILL'), 5000);
    await this.ended;
    clearTimeout(killer);
    await new Promise<void>((resolve) => (this.writer ? this.writer.end(resolve) : resolve()));
    return { counters: parseTcpdumpCounters(this.stderr), parse: this.parser.end() };
  }

  get fatal() {
    return this.parser.fatal;
  }
}
