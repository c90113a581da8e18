/**
 * The optional libpcap backend (`capture --backend libpcap`): frames straight from the npm
 * `pcap` binding, no child process. An optionalDependency, so it may be missing: then the error
 * says how to get it. Measured trade-offs (see the capture issue): `buffer_timeout` ≈ 100 ms,
 * never 0 (0 means "deliver each packet immediately", a syscall per packet); under overload the
 * binding's dispatch drains the whole ring in one callback and can stall the event loop for
 * seconds, so the tcpdump backend stays the default.
 */
import { createWriteStream } from 'node:fs';
import { ReusedFrame, type FrameSink } from '../pcap/frame.js';
import { PcapFileWriter } from '../pcap/writer.js';
import { LINKTYPE } from '../layers/link-types.js';
import { ExitCode, VoipdiagError } from '../errors.js';
import { captureStartError, type CaptureCounters, type LiveCaptureOptions } from './live-capture.js';

interface PcapPacket {
  buf: Buffer;
  header: Buffer;
  link_type: string;
}

interface PcapSessionLike {
  link_type: string;
  /** The native session and the binding's reusable buffers (see `stop`). */
  session?: { dispatch(buf: Buffer, header: Buffer): number };
  buf?: Buffer;
  header?: Buffer;
  on(event: 'packet', cb: (p: PcapPacket) => void): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  close(): void;
}

/** The binding names link types "LINKTYPE_ETHERNET"…; ours are the registry numbers. */
export function linkTypeFromBindingName(name: string): number | undefined {
  const key = name.replace(/^LINKTYPE_/, '') as keyof typeof LINKTYPE;
  return LINKTYPE[key];
}

/**
 * The binding's close() only sets libpcap's break-loop flag; its libuv poll handle is released
 * when a later dispatch sees that flag, which needs one more packet to arrive. Until then the
 * handle keeps Node's event loop alive, so a process that used this backend must exit
 * explicitly once its output is flushed (`exitAfterFlush`).
 */
export const LIBPCAP_KEEPS_PROCESS_ALIVE = true;

/** Exit with the current exit code once everything written to stdout and stderr is flushed. */
export function exitAfterFlush(): void {
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
}

export class LibpcapCapture {
  private session: PcapSessionLike | undefined;
  private writer: PcapFileWriter | undefined;
  private frames = 0;
  bytes = 0;

  constructor(private readonly opts: Omit<LiveCaptureOptions, 'backend'>) {}

  async start(sink: FrameSink): Promise<void> {
    let pcap: { createSession(dev: string, o: Record<string, unknown>): PcapSessionLike };
    try {
      const mod = (await import('pcap')) as unknown as { default?: typeof pcap } & typeof pcap;
      pcap = mod.default ?? mod;
    } catch {
      throw new VoipdiagError('CAPTURE_NO_LIBPCAP', 'the libpcap backend needs the optional npm package "pcap", which is not installed', {
        exitCode: ExitCode.usage,
        hints: ['install libpcap-dev, then: npm install pcap', 'or use the default backend: --backend tcpdump'],
      });
    }
    try {
      this.session = pcap.createSession(this.opts.iface, {
        filter: this.opts.filter,
        buffer_size: 64 * 1024 * 1024,
        snap_length: this.opts.snaplen,
        buffer_timeout: 100,
      });
    } catch (e) {
      throw captureStartError((e as Error).message, this.opts.iface, 'libpcap');
    }
    const linkType = linkTypeFromBindingName(this.session.link_type);
    if (linkType === undefined) {
      this.session.close();
      throw new VoipdiagError('CAPTURE_LINKTYPE', `libpcap reports link type ${this.session.link_type} on ${this.opts.iface}, which voipdiag cannot decode`, {
        exitCode: ExitCode.usage,
        hints: ['use --backend tcpdump, or capture on another interface'],
      });
    }
    if (this.opts.writePath) {
      this.writer = new PcapFileWriter(createWriteStream(this.opts.writePath), { linkType, snaplen: this.opts.snaplen });
    }
    const frame = new ReusedFrame(0, linkType);
    this.session.on('packet', (p) => {
      const h = p.header;
      const caplen = h.readUInt32LE(8);
      frame.tsSec = h.readUInt32LE(0);
      frame.tsNsec = h.readUInt32LE(4) * 1000;
      frame.buf = p.buf;
      frame.off = 0;
      frame.capLen = caplen;
      frame.origLen = h.readUInt32LE(12);
      frame.index = ++this.frames;
      this.bytes += caplen + 16;
      this.writer?.write(frame.tsSec, frame.tsNsec, frame.data, frame.origLen);
      sink(frame);
    });
  }

  async counters(): Promise<CaptureCounters> {
    const s = this.session?.stats();
    return { received: s?.ps_recv ?? null, droppedByKernel: s?.ps_drop ?? null, droppedByInterface: s?.ps_ifdrop ?? null };
  }

  async stop(drainMs = 200): Promise<{ counters: CaptureCounters; parse: { frames: number; truncated: null } }> {
    if (drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
    const counters = await this.counters();
    this.session?.close();
    await this.writer?.close();
    return { counters, parse: { frames: this.frames, truncated: null } };
  }
}
