#!/usr/bin/env python3
"""Holds N loopback clients on a clock server and prints what it costs per client.

    scripts/bench_clock.py [--clients 5000] [--seconds 10] [--threads 1] [--program build/bin/clock2]

Prints the server's resident memory per client, its CPU share while ticking, and how late each
tick lands after its second boundary (p50/p99/max over every client's every tick). Loopback only;
the client count is capped below the per-process descriptor limit and the run is bounded in time.
"""
import argparse
import selectors
import socket
import sys
import time

from benchlib import cpu_seconds, percentile, raise_descriptor_limit, rss_kib, start_server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--program", default="build/bin/clock2")
    args = parser.parse_args()
    clients = min(args.clients, raise_descriptor_limit() - 100)
    seconds = min(args.seconds, 120)

    server, port = start_server(args.program, f"-threads {args.threads}")
    try:
        time.sleep(0.2)
        base_rss = rss_kib(server.pid)

        selector = selectors.EpollSelector()
        for _ in range(clients):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.setblocking(False)
            selector.register(conn, selectors.EVENT_READ)
        # Let every first line come, then measure whole seconds of ticks.
        settle = time.time() + 2
        while time.time() < settle:
            for key, _ in selector.select(0.1):
                key.fileobj.recv(4096)
        loaded_rss = rss_kib(server.pid)
        cpu_start, wall_start = cpu_seconds(server.pid), time.time()
        lateness = []
        end = wall_start + seconds
        while time.time() < end:
            for key, _ in selector.select(0.1):
                data = key.fileobj.recv(4096)
                now = time.time()
                for _ in range(data.count(b"\n")):
                    lateness.append((now - int(now)) * 1000)
        cpu = (cpu_seconds(server.pid) - cpu_start) / (time.time() - wall_start)
        expected = clients * seconds
        print(f"clients {clients}, threads {args.threads}, {seconds} s of ticks")
        print(f"memory  {(loaded_rss - base_rss) * 1024 / clients:.0f} B per client "
              f"(RSS {base_rss} KiB idle, {loaded_rss} KiB loaded)")
        print(f"cpu     {cpu * 100:.1f} % of a core")
        print(f"ticks   {len(lateness)} of ~{expected}; late after the boundary: "
              f"p50 {percentile(lateness, 50):.1f} ms, p99 {percentile(lateness, 99):.1f} ms, "
              f"max {max(lateness, default=float('nan')):.1f} ms")
    finally:
        server.terminate()
        server.wait(5)


if __name__ == "__main__":
    sys.exit(main())
