#!/usr/bin/env python3
"""Holds N loopback connections on an echo server, each shouting a line a second, and prints
what it costs per connection and how far each echo part lands from when it was due.

    scripts/bench_reverb.py [--connections 2000] [--seconds 10] [--program build/bin/reverb2]

An echo part is due at send + 0, 1 and 2 delays (the server runs with -delay 1s). Loopback only;
bounded in connections (below the descriptor limit) and in time.
"""
import argparse
import selectors
import socket
import sys
import time

from benchlib import cpu_seconds, percentile, raise_descriptor_limit, rss_kib, start_server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--program", default="build/bin/reverb2")
    args = parser.parse_args()
    count = min(args.connections, raise_descriptor_limit() - 100)
    seconds = min(args.seconds, 120)

    server, port = start_server(args.program, "-delay 1s")
    try:
        time.sleep(0.2)
        base_rss = rss_kib(server.pid)
        selector = selectors.EpollSelector()
        conns = []
        for i in range(count):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.setblocking(False)
            selector.register(conn, selectors.EVENT_READ, i)
            conns.append(conn)
        time.sleep(0.5)
        idle_rss = rss_kib(server.pid)

        # Each connection shouts at its own offset within the second, so the load is even.
        start = time.time() + 0.5
        next_shout = [start + i / count for i in range(count)]
        sent_at = [{} for _ in range(count)]  # shout number -> when it was sent
        shouts = [0] * count
        partial = [b""] * count
        part_of = {b"SHOUT": 0, b"Shout": 1, b"shout": 2}  # the three echoes of "Shout N"
        errors = []
        peak_rss = idle_rss
        cpu_start = cpu_seconds(server.pid)
        end = start + seconds
        while time.time() < end + 2.5:
            now = time.time()
            if now < end:
                for i in range(count):
                    if next_shout[i] <= now:
                        sent_at[i][shouts[i]] = time.time()
                        conns[i].send(b"Shout %d\n" % shouts[i])
                        shouts[i] += 1
                        next_shout[i] += 1.0
            for key, _ in selector.select(0.002):
                i = key.data
                data = partial[i] + key.fileobj.recv(65536)
                at = time.time()
                *lines, partial[i] = data.split(b"\n")
                for line in lines:
                    word, number = line.split()
                    part, n = part_of[word], int(number)
                    errors.append(abs(at - (sent_at[i][n] + part)) * 1000)
                    if part == 2:
                        del sent_at[i][n]
            peak_rss = max(peak_rss, rss_kib(server.pid)) if int(now * 10) % 10 == 0 else peak_rss
        cpu = (cpu_seconds(server.pid) - cpu_start) / (time.time() - start)
        print(f"connections {count}, {seconds} s of a shout a second each, -delay 1s")
        print(f"memory  {(idle_rss - base_rss) * 1024 / count:.0f} B per idle connection, "
              f"{(peak_rss - base_rss) * 1024 / count:.0f} B at peak")
        print(f"cpu     {cpu * 100:.1f} % of a core")
        print(f"echoes  {len(errors)} parts of ~{3 * count * seconds}; timing error "
              f"p50 {percentile(errors, 50):.2f} ms, p99 {percentile(errors, 99):.2f} ms, "
              f"max {max(errors, default=float('nan')):.2f} ms")
    finally:
        server.terminate()
        server.wait(5)


if __name__ == "__main__":
    sys.exit(main())
