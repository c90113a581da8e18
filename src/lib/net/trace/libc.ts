/**
 * The few libc socket calls trace needs that Node does not expose (IP_RECVERR, the error
 * queue, per-socket TTL on raw and ping sockets, kernel receive timestamps), bound through the
 * koffi FFI (prebuilt binaries: no compiler at install time). Loaded lazily: where koffi or
 * libc cannot be loaded (not Linux, no prebuilt binary) `loadLibc()` says why, and trace
 * falls back to mtr/traceroute.
 *
 * recvmsg() works on one stable arena allocated once (msghdr, iovec, address, control and data
 * areas); every call copies out what it returns, so callers never hold views into it.
 */
import { CLOCK_REALTIME, Layout, MSG_DONTWAIT, MSG_ERRQUEUE } from './linux-constants.js';
import { decodeControlMessages, type ControlData } from './errqueue.js';
import { decodeSockaddr, encodeSockaddr, type SocketAddress } from './sockaddr.js';

export interface Received {
  /** copy of the datagram (or, from the error queue, of the quoted original payload) */
  data: Uint8Array;
  /** the datagram was longer than the buffer */
  truncated: boolean;
  from: SocketAddress | null;
  control: ControlData;
}

export type RecvOutcome = { ok: true; value: Received } | { ok: false; errno: number };

export interface FdWatch {
  close(): void;
}

export interface Libc {
  socket(domain: number, type: number, protocol: number): { fd: number; errno: number };
  setIntOption(fd: number, level: number, name: number, value: number): number;
  connect(fd: number, to: SocketAddress): number;
  bind(fd: number, to: SocketAddress): number;
  localAddress(fd: number): SocketAddress | null;
  send(fd: number, data: Uint8Array): { sent: number; errno: number };
  /** Non-blocking recvmsg; `errorQueue` reads MSG_ERRQUEUE. */
  recv(fd: number, errorQueue: boolean): RecvOutcome;
  close(fd: number): void;
  /** CLOCK_REALTIME in ns, the clock SO_TIMESTAMPNS stamps with. */
  realtimeNs(): bigint;
  /**
   * Call `onReady` whenever fd is readable or has a pending error (libuv reports POLLERR as a
   * stopped poll with status < 0; the watch restarts itself after the callback).
   */
  watch(fd: number, onReady: () => void): FdWatch;
  strerror(errno: number): string;
}

export type LibcLoad = { ok: true; libc: Libc } | { ok: false; reason: string };

const DATA_SIZE = 4096;
const NAME_SIZE = 128;
const CONTROL_SIZE = 1024;

let cached: Promise<LibcLoad> | undefined;

export function loadLibc(): Promise<LibcLoad> {
  cached ??= load();
  return cached;
}

interface KoffiPollHandle {
  start(opts: { readable: boolean }, cb: (status: number) => void): void;
  close(): void;
}

async function load(): Promise<LibcLoad> {
  if (process.platform !== 'linux') return { ok: false, reason: `IP_RECVERR probing needs Linux (this is ${process.platform})` };
  if (process.arch !== 'x64' && process.arch !== 'arm64') return { ok: false, reason: `no LP64 socket layout for ${process.arch}` };
  let koffi: typeof import('koffi');
  try {
    const mod = (await import('koffi')) as unknown as { default?: typeof import('koffi') };
    koffi = mod.default ?? (mod as unknown as typeof import('koffi'));
  } catch (err) {
    return { ok: false, reason: `the koffi FFI module could not be loaded (${(err as Error).message.split('\n')[0]})` };
  }
  let lib;
  try {
    lib = koffi.load('libc.so.6');
  } catch (err) {
    return { ok: false, reason: `libc.so.6 could not be loaded through koffi (${(err as Error).message})` };
  }
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const setsockopt = lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)');
  const connect = lib.func('int connect(int fd, const void *addr, uint32_t len)');
  const bind = lib.func('int bind(int fd, const void *addr, uint32_t len)');
  const getsockname = lib.func('int getsockname(int fd, void *addr, void *len)');
  const send = lib.func('intptr_t send(int fd, const void *buf, size_t len, int flags)');
  const recvmsg = lib.func('intptr_t recvmsg(int fd, void *msg, int flags)');
  const close = lib.func('int close(int fd)');
  const clockGettime = lib.func('int clock_gettime(int clock, void *ts)');
  const strerror = lib.func('const char *strerror(int errnum)');

  const M = Layout.msghdr;
  const offIov = 64;
  const offName = 128;
  const offControl = offName + NAME_SIZE;
  const offData = offControl + CONTROL_SIZE;
  const arenaSize = offData + DATA_SIZE;
  const arena: unknown = koffi.alloc('uint8_t', arenaSize);
  const base = koffi.address(arena);
  const bytes = new Uint8Array(koffi.view(arena, arenaSize));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const intBuf = new Uint8Array(4);
  const tsBuf = new Uint8Array(Layout.timespec.size);
  const tsView = new DataView(tsBuf.buffer);

  const libc: Libc = {
    socket(domain, type, protocol) {
      const fd = socket(domain, type, protocol) as number;
      return { fd, errno: fd < 0 ? koffi.errno() : 0 };
    },
    setIntOption(fd, level, name, value) {
      new DataView(intBuf.buffer).setInt32(0, value, true);
      const r = setsockopt(fd, level, name, intBuf, 4) as number;
      return r < 0 ? koffi.errno() : 0;
    },
    connect(fd, to) {
      const sa = encodeSockaddr(to);
      const r = connect(fd, sa, sa.length) as number;
      return r < 0 ? koffi.errno() : 0;
    },
    bind(fd, to) {
      const sa = encodeSockaddr(to);
      const r = bind(fd, sa, sa.length) as number;
      return r < 0 ? koffi.errno() : 0;
    },
    localAddress(fd) {
      const sa = new Uint8Array(NAME_SIZE);
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, NAME_SIZE, true);
      if ((getsockname(fd, sa, len) as number) < 0) return null;
      const d = decodeSockaddr(sa, 0);
      return d.ok ? d.value : null;
    },
    send(fd, data) {
      const n = Number(send(fd, data, data.length, 0));
      return { sent: n, errno: n < 0 ? koffi.errno() : 0 };
    },
    recv(fd, errorQueue) {
      dv.setBigUint64(offIov, base + BigInt(offData), true);
      dv.setBigUint64(offIov + 8, BigInt(DATA_SIZE), true);
      dv.setBigUint64(M.name, base + BigInt(offName), true);
      dv.setUint32(M.namelen, NAME_SIZE, true);
      dv.setBigUint64(M.iov, base + BigInt(offIov), true);
      dv.setBigUint64(M.iovlen, 1n, true);
      dv.setBigUint64(M.control, base + BigInt(offControl), true);
      dv.setBigUint64(M.controllen, BigInt(CONTROL_SIZE), true);
      dv.setInt32(M.flags, 0, true);
      const n = Number(recvmsg(fd, arena, MSG_DONTWAIT | (errorQueue ? MSG_ERRQUEUE : 0)));
      if (n < 0) return { ok: false, errno: koffi.errno() };
      const flags = dv.getInt32(M.flags, true);
      const got = Math.min(n, DATA_SIZE);
      const data = bytes.slice(offData, offData + got);
      const namelen = dv.getUint32(M.namelen, true);
      const name = namelen > 0 ? decodeSockaddr(bytes.subarray(offName, offName + Math.min(namelen, NAME_SIZE)), 0) : null;
      const controllen = Number(dv.getBigUint64(M.controllen, true));
      const control = decodeControlMessages(bytes.subarray(offControl, offControl + Math.min(controllen, CONTROL_SIZE)), 0, Math.min(controllen, CONTROL_SIZE));
      return {
        ok: true,
        value: {
          data,
          truncated: (flags & 0x20) !== 0 || n > DATA_SIZE, // MSG_TRUNC
          from: name?.ok ? name.value : null,
          control: control.ok ? control.value : { timestampNs: null, extendedError: null },
        },
      };
    },
    close(fd) {
      close(fd);
    },
    realtimeNs() {
      clockGettime(CLOCK_REALTIME, tsBuf);
      return tsView.getBigInt64(0, true) * 1_000_000_000n + tsView.getBigInt64(8, true);
    },
    watch(fd, onReady) {
      const node = (koffi as unknown as { node: { poll(fd: number, opts: { readable: boolean }, cb: (status: number) => void): KoffiPollHandle } }).node;
      let closed = false;
      let handle: KoffiPollHandle | null = null;
      const cb = (status: number) => {
        if (closed) return;
        onReady();
        // a POLLERR (error queue) stops the libuv poll: start it again
        if (status < 0 && !closed && handle) handle.start({ readable: true }, cb);
      };
      handle = node.poll(fd, { readable: true }, cb);
      return {
        close() {
          if (closed) return;
          closed = true;
          handle?.close();
        },
      };
    },
    strerror(errno) {
      return (strerror(errno) as string | null) ?? `errno ${errno}`;
    },
  };
  return { ok: true, libc };
}

