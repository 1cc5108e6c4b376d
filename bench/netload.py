#!/usr/bin/env python3
"""Servers and load generators for bench/run, on 127.0.0.1 only, standard library only.

Servers (each runs until killed; PORT 0 takes a free one; prints "ready PORT" once it listens):
  echo-server PORT            echoes every byte; holds thousands of idle connections (epoll)
  sink-server PORT [--rate B] reads to EOF, then answers the byte count (8 bytes, big endian)
                              and closes; --rate reads at most B bytes/s per connection

Load and measurement (each prints one JSON object on stdout, except await-echo):
  await-echo PORT             polls until a 1-byte echo through PORT works; prints "epoch TIME"
  latency PORT                sequential connect + 1-byte echo + close: p50, p99
  rr PORT                     concurrent clients, fixed-size request/response: rate
  stream PORT                 bulk to a sink-server, directly or through a SOCKS5 proxy: MB/s
  idle PORT --count N         opens N echoed connections, measures a process holding them
  heap PID --jcmd JCMD        a JVM's heap used and committed (with --gc: the live heap)
  costs                       this machine's cost of a page's first touch and of a system call, in us
"""

import argparse
import json
import math
import mmap
import os
import resource
import selectors
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def listen(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, port))
    server.listen(4096)
    return server


def ready(server):
    print(f"ready {server.getsockname()[1]}", flush=True)


# ---------------------------------------------------------------- servers

def echo_server(args):
    raise_fd_limit()
    server = listen(args.port)
    server.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ, None)
    pending = {}  # socket -> bytes not yet echoed (reading stops meanwhile)
    ready(server)
    while True:
        for key, events in sel.select():
            sock = key.fileobj
            if sock is server:
                while True:
                    try:
                        conn, _ = server.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:  # e.g. EMFILE: try again on the next event
                        break
                    conn.setblocking(False)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sel.register(conn, selectors.EVENT_READ, None)
                continue
            if events & selectors.EVENT_WRITE:
                data = pending.pop(sock)
            else:
                try:
                    data = sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(sock)
                    sock.close()
                    continue
            try:
                sent = sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                sel.unregister(sock)
                sock.close()
                continue
            if sent < len(data):
                pending[sock] = data[sent:]
                sel.modify(sock, selectors.EVENT_WRITE, None)
            elif events & selectors.EVENT_WRITE:
                sel.modify(sock, selectors.EVENT_READ, None)


def sink_connection(conn, rate):
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    total = 0
    start = time.monotonic()
    try:
        while True:
            if rate:
                # never ahead of rate: read only what the clock allows, in chunks of 64 KiB at most
                allowed = int((time.monotonic() - start) * rate) - total
                if allowed <= 0:
                    time.sleep(min(0.05, (-allowed + 65536) / rate))
                    continue
                n = conn.recv_into(view[:min(allowed, 65536)])
            else:
                n = conn.recv_into(view)
            if n == 0:
                break
            total += n
        conn.sendall(struct.pack(">Q", total))
    except OSError:
        pass
    finally:
        conn.close()


def sink_server(args):
    raise_fd_limit()
    server = listen(args.port)
    ready(server)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=sink_connection, args=(conn, args.rate), daemon=True).start()


# ---------------------------------------------------------------- load

def connect(port, timeout=10.0):
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def await_echo(args):
    if args.announce:
        print("polling", flush=True)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        try:
            with connect(args.port, timeout=2.0) as sock:
                sock.sendall(b"x")
                if sock.recv(1) == b"x":
                    print(f"epoch {time.time():.6f}", flush=True)
                    return
        except OSError:
            pass
        time.sleep(0.002)
    sys.exit(f"no echo through port {args.port} within {args.timeout} s")


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def latency(args):
    samples = []
    for i in range(args.warmup + args.count):
        start = time.perf_counter_ns()
        sock = connect(args.port)
        sock.sendall(b"x")
        if sock.recv(1) != b"x":
            sys.exit(f"connection {i}: no echo through port {args.port}")
        sock.close()
        if i >= args.warmup:
            samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    print(json.dumps({"p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99),
                      "mean_ms": sum(samples) / len(samples), "count": len(samples)}))


def rr(args):
    message = b"q" * args.size
    sel = selectors.DefaultSelector()
    received = {}
    for _ in range(args.clients):
        sock = connect(args.port)
        sock.setblocking(False)
        sock.send(message)
        received[sock] = 0
        sel.register(sock, selectors.EVENT_READ)
    done = 0
    counting_from = time.monotonic() + args.warmup
    end = counting_from + args.seconds
    counted = 0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        for key, _ in sel.select(timeout=end - now):
            sock = key.fileobj
            data = sock.recv(65536)
            if not data:
                sys.exit(f"a connection through port {args.port} closed during the request/response test")
            received[sock] += len(data)
            while received[sock] >= args.size:
                received[sock] -= args.size
                done += 1
                if time.monotonic() >= counting_from:
                    counted += 1
                if received[sock] == 0:
                    sock.send(message)
    for sock in received:
        sock.close()
    print(json.dumps({"rate": counted / args.seconds, "total": done}))


def socks5_connect(sock, port):
    sock.sendall(b"\x05\x01\x00")
    if recv_exact(sock, 2) != b"\x05\x00":
        raise ConnectionError("the SOCKS proxy refused the no-authentication method")
    sock.sendall(b"\x05\x01\x00\x01" + socket.inet_aton(HOST) + struct.pack(">H", port))
    reply = recv_exact(sock, 10)
    if reply[1] != 0:
        raise ConnectionError(f"the SOCKS proxy answered CONNECT with error {reply[1]}")


def stream(args):
    chunk = memoryview(os.urandom(1 << 18))
    counts = []
    errors = []
    lock = threading.Lock()
    go = threading.Barrier(args.streams + 1)

    def one():
        try:
            if args.socks:
                sock = connect(args.socks, timeout=30.0)
                socks5_connect(sock, args.port)
            else:
                sock = connect(args.port, timeout=30.0)
            sock.settimeout(None)
            go.wait()
            if args.bytes:
                left = args.bytes
                while left > 0:
                    n = sock.send(chunk[:min(left, len(chunk))])
                    left -= n
            else:
                end = time.monotonic() + args.seconds
                while time.monotonic() < end:
                    sock.sendall(chunk)
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(600.0)
            (count,) = struct.unpack(">Q", recv_exact(sock, 8))
            sock.close()
            with lock:
                counts.append(count)
        except (OSError, threading.BrokenBarrierError) as e:
            with lock:
                errors.append(str(e))
            go.abort()

    threads = [threading.Thread(target=one, daemon=True) for _ in range(args.streams)]
    for t in threads:
        t.start()
    try:
        go.wait()
    except threading.BrokenBarrierError:
        pass
    start = time.monotonic()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if errors:
        sys.exit(f"{len(errors)} of {args.streams} streams failed: {errors[0]}")
    total = sum(counts)
    print(json.dumps({"bytes": total, "seconds": elapsed, "mbps": total / elapsed / 1e6}))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def idle(args):
    hard = raise_fd_limit()
    if hard < args.count + 100:
        sys.exit(f"open files limit {hard} is below {args.count} connections: raise ulimit -n")
    sel = selectors.DefaultSelector()
    held = []
    in_flight = 0
    opened = 0
    start = time.monotonic()
    deadline = start + args.timeout
    while len(held) < args.count:
        while in_flight < args.concurrency and opened < args.count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((HOST, args.port))
            sel.register(sock, selectors.EVENT_WRITE)
            in_flight += 1
            opened += 1
        if time.monotonic() > deadline:
            gave_up(len(held), f"only {len(held)} of {args.count} connections echoed within {args.timeout} s")
        for key, events in sel.select(timeout=1.0):
            sock = key.fileobj
            try:
                if events & selectors.EVENT_WRITE:
                    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        raise OSError(err, os.strerror(err))
                    sock.send(b"x")
                    sel.modify(sock, selectors.EVENT_READ)
                else:
                    if sock.recv(1) != b"x":
                        raise ConnectionError("closed instead of echoing")
                    sel.unregister(sock)
                    held.append(sock)
                    in_flight -= 1
            except OSError as e:
                gave_up(len(held), f"a connection through port {args.port} failed with {len(held)} of "
                                   f"{args.count} held: {e}")
    open_seconds = time.monotonic() - start
    time.sleep(args.settle)
    result = {"count": len(held), "open_seconds": open_seconds, "rss_kib": rss_kib(args.pid)}
    if args.jcmd:
        result.update(heap_info(args.jcmd, args.pid, gc=True))
    for sock in held:
        sock.close()
    print(json.dumps(result))


def gave_up(held, why):
    """Ends an idle test that could not open every connection: how many it held, on stdout, and why."""
    print(json.dumps({"count": held}))
    sys.exit(why)


def heap_info(jcmd, pid, gc):
    """Java heap used and committed (KiB), summed over the heap's generations (not Metaspace).

    With gc, a full GC runs first (in the same jcmd call), so "used" is the live heap.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".jcmd") as commands:
        commands.write("GC.run\nGC.heap_info\n" if gc else "GC.heap_info\n")
        commands.flush()
        out = subprocess.run([jcmd, str(pid), "-f", commands.name], check=True, capture_output=True,
                             text=True, timeout=60).stdout
    return parse_heap_info(out)


def kib(text):
    units = {"K": 1, "M": 1024, "G": 1024 * 1024}
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text) // 1024


def parse_heap_info(out):
    used = committed = 0
    for line in out.splitlines():
        words = line.replace(",", " ").split()
        if not words or words[0] in ("Metaspace", "class") or "used" not in words:
            continue
        if "total" in words:  # Serial, Parallel, G1: "<name> total 12345K, used 678K [...]"
            committed += kib(words[words.index("total") + 1])
            used += kib(words[words.index("used") + 1])
        elif "capacity" in words:  # ZGC: "ZHeap used 8M, capacity 16M, max capacity 512M"
            committed += kib(words[words.index("capacity") + 1])
            used += kib(words[words.index("used") + 1])
    if committed == 0:
        raise RuntimeError("cannot read jcmd GC.heap_info output:\n" + out)
    return {"heap_used_kib": used, "heap_committed_kib": committed}


def costs(args):
    """What the kernel charges here for the two things a JVM's start-up does most of: a page's
    first touch (a minor fault: a JVM touches 50-70 MiB by its first echo, ssh about 2) and a
    system call. Virtual machines differ most in these: one here took 10 us per fault where another
    took well under 1. Each loop is timed twice, the second time without the kernel (pages already
    touched; a call of the same shape that stays in Python), and the difference is the kernel's.
    With two cores or more, also how soon a thread woken from another core runs (wake_ups): what a
    JIT compilation on one core costs the connections of the moment."""
    pages = args.mib * 256
    faults, touched = [], []
    for _ in range(args.repeat):
        area = mmap.mmap(-1, pages * 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        for runs in (faults, touched):
            t = time.perf_counter()
            for i in range(0, pages * 4096, 4096):
                area[i] = 1
            runs.append(time.perf_counter() - t)
        area.close()
    calls = 200_000
    kernel, python = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for _ in range(calls):
            os.getppid()
        kernel.append(time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(calls):
            abs(1)
        python.append(time.perf_counter() - t)
    result = {
        "page_fault_us": round((min(faults) - min(touched)) / pages * 1e6, 3),
        "syscall_us": round((min(kernel) - min(python)) / calls * 1e6, 3),
    }
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2:
        idle, busy = wake_ups(cpus[0], cpus[1], False), wake_ups(cpus[0], cpus[1], True)
        result |= {
            "wake_idle_p50_us": round(percentile(idle, 50)),
            "wake_busy_p50_us": round(percentile(busy, 50)),
            "wake_busy_p99_us": round(percentile(busy, 99)),
        }
    print(json.dumps(result))


WAKE_UPS = 500


def wake_ups(core, other, busy):
    """How long a thread blocked on one core takes to run once a thread on another core wakes it
    (a pipe's write), in microseconds, WAKE_UPS times: with the core idle, or busy with a process
    that spins there, as a JIT compiler's thread does while a forwarder's threads, sshd and the
    applications wake each other. The woken thread then has to preempt the spinner, which takes an
    interrupt from the other core; a virtual machine may deliver it late, at that core's next timer
    tick, milliseconds later."""
    read_end, write_end = os.pipe()
    spinner = None
    parent = os.getpid()
    if busy:
        spinner = os.fork()
        if spinner == 0:
            os.sched_setaffinity(0, {core})
            spins = 0
            while True:  # in user space but for a look every few milliseconds whether the parent is gone
                spins += 1
                if spins % 100_000 == 0 and os.getppid() != parent:
                    os._exit(0)
    waker = os.fork()
    if waker == 0:
        os.sched_setaffinity(0, {other})
        for i in range(WAKE_UPS):
            time.sleep(0.0023 + (i % 7) * 0.0001)  # off the timer's beat
            os.write(write_end, struct.pack("d", time.monotonic()))
        os._exit(0)
    os.close(write_end)
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    delays = []
    try:
        for _ in range(WAKE_UPS):
            sent = struct.unpack("d", os.read(read_end, 8))[0]
            delays.append((time.monotonic() - sent) * 1e6)
    finally:
        os.sched_setaffinity(0, before)
        os.close(read_end)
        if spinner is not None:
            os.kill(spinner, 9)
            os.waitpid(spinner, 0)
        os.waitpid(waker, 0)  # it ends by itself after its last write
    return sorted(delays)


def heap(args):
    print(json.dumps(heap_info(args.jcmd, args.pid, args.gc)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("echo-server")
    p.add_argument("port", type=int)
    p.set_defaults(run=echo_server)

    p = sub.add_parser("sink-server")
    p.add_argument("port", type=int)
    p.add_argument("--rate", type=int, default=0, help="bytes per second per connection (0 = unlimited)")
    p.set_defaults(run=sink_server)

    p = sub.add_parser("await-echo")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--announce", action="store_true", help='print "polling" before the first attempt')
    p.set_defaults(run=await_echo)

    p = sub.add_parser("latency")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=100)
    p.set_defaults(run=latency)

    p = sub.add_parser("rr")
    p.add_argument("port", type=int)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--warmup", type=float, default=0.3)
    p.set_defaults(run=rr)

    p = sub.add_parser("stream")
    p.add_argument("port", type=int, help="the sink-server's port")
    p.add_argument("--socks", type=int, default=0, help="go through the SOCKS5 proxy on this port")
    p.add_argument("--streams", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--bytes", type=int, default=0, help="send this many bytes per stream instead")
    p.set_defaults(run=stream)

    p = sub.add_parser("idle")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--pid", type=int, required=True, help="the process whose memory is measured")
    p.add_argument("--jcmd", default="", help="jcmd to read the Java heap of --pid")
    p.add_argument("--settle", type=float, default=2.0)
    p.add_argument("--timeout", type=float, default=300.0)
    p.set_defaults(run=idle)

    p = sub.add_parser("heap")
    p.add_argument("pid", type=int)
    p.add_argument("--jcmd", required=True)
    p.add_argument("--gc", action="store_true", help="run a full GC first: the live heap")
    p.set_defaults(run=heap)

    p = sub.add_parser("costs")
    p.add_argument("--mib", type=int, default=64, help="memory touched per run")
    p.add_argument("--repeat", type=int, default=3, help="runs of each loop; the fastest counts")
    p.set_defaults(run=costs)

    args = parser.parse_args()
    try:
        args.run(args)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
