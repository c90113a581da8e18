#!/usr/bin/env python3
"""delay-link.py - point-to-point links between network namespaces with a fixed one-way delay.

Each --link NAME_A:NS_A:NAME_B:NS_B:DELAY_MS makes two TUN devices (IFF_TUN, no packet info)
in the namespace this process runs in, moves them into NS_A and NS_B ("-" keeps one here), and
copies every IP packet read from one to the other after DELAY_MS (both directions, order kept).
The kernel here has no netem; this is the userspace stand-in the trace tests use for per-hop
latency. Addresses and routes are the caller's job. Prints READY once every device is in place;
exits on SIGTERM/SIGINT or after --max-seconds (the devices vanish with the process).
Standard library only.
"""
import argparse
import fcntl
import heapq
import os
import select
import signal
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA  # _IOW('T', 202, int)
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def make_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    ifreq = struct.pack("16sH14x", name.encode(), IFF_TUN | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifreq)
    return fd


def move(name, ns):
    if ns != "-":
        subprocess.run(["ip", "link", "set", "dev", name, "netns", ns], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--link", action="append", required=True, help="NAME_A:NS_A:NAME_B:NS_B:DELAY_MS")
    ap.add_argument("--max-seconds", type=float, default=300.0)
    args = ap.parse_args()
    limit = min(args.max_seconds, 1800.0)

    peer = {}  # fd -> (peer fd, delay in s)
    for spec in args.link:
        name_a, ns_a, name_b, ns_b, delay = spec.split(":")
        fa, fb = make_tun(name_a), make_tun(name_b)
        move(name_a, ns_a)
        move(name_b, ns_b)
        d = float(delay) / 1000.0
        peer[fa] = (fb, d)
        peer[fb] = (fa, d)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print("READY", flush=True)

    queue = []  # (due, order, out fd, packet)
    order = 0
    forwarded = 0
    end = time.monotonic() + limit
    fds = list(peer)
    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        wait = end - now
        if queue:
            wait = min(wait, max(0.0, queue[0][0] - now))
        try:
            ready, _, _ = select.select(fds, [], [], wait)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in ready:
            out, d = peer[fd]
            for _ in range(256):  # bounded burst per wake-up
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                order += 1
                heapq.heappush(queue, (now + d, order, out, pkt))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, pkt = heapq.heappop(queue)
            try:
                os.write(out, pkt)
                forwarded += 1
            except OSError:
                pass
    print("forwarded %d" % forwarded, flush=True)


if __name__ == "__main__":
    sys.exit(main())
