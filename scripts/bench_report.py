#!/usr/bin/env python3
"""Writes tests/bench/BENCHMARKS.md (to stdout) from the JSON lines scripts/bench.sh collected.

    scripts/bench_report.py RESULTS MACHINE DATE [--quick]

The Go originals' figures are issue 9's (the Go programs are not part of this repository); the
nc, socat and ncat figures and ours come from the same run."""
import json
import statistics
import sys


def load(path):
    """The server rows by name; the netcat and TLS transfer rows by (tool, direction)."""
    rows = {}
    netcat = {}
    tls = {}
    with open(path) as results:
        for line in results:
            record = json.loads(line)
            if record["row"] == "netcat":
                netcat[(record["tool"], record["direction"])] = record
            elif record["row"] == "tls":
                tls[(record["tool"], record["direction"])] = record
            else:
                rows[record["row"]] = record
    return rows, netcat, tls


def tls_table(tls):
    """Issue 20's rows: our TLS clients beside socat's and ncat's, (work, peers, ours, target,
    met)."""
    table = []
    for ours_tool, direction, work in (
            ("netcat1", "download", "netcat1 -tls download from socat OPENSSL-LISTEN → a pipe"),
            ("netcat3", "upload", "netcat3 -tls upload, a pipe → socat OPENSSL-LISTEN")):
        ours = tls.get((ours_tool, direction))
        if ours is None:
            continue
        peers = {t: tls[(t, direction)] for t in ("socat", "ncat")
                 if (t, direction) in tls and not tls[(t, direction)].get("missing")}
        best = max((r["mb_per_s"] for r in peers.values()), default=None)

        def show(run):
            text = f"{fmt(run['mb_per_s'], 0)} ({fmt(run['cpu_s_per_gb'], 2)})"
            if run.get("lost_bytes"):
                text += f", lost {run['lost_bytes']:,} bytes"
            return text

        table.append((
            f"{work}, TLS 1.3 AES-128-GCM (MB/s, median; the client's CPU, core-s per GB)",
            " ; ".join(f"{t} {show(r)}" for t, r in peers.items()) or "–", show(ours),
            f"≥ 1.2 × best peer = {fmt(1.2 * best, 0)}" if best else "≥ 1.2 × best peer",
            bool(best and ours["mb_per_s"] >= 1.2 * best)))
    return table


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def verdict(ok):
    return "yes" if ok else "**no**"


def cluster_table(rows):
    """Issue 21's rows, from scripts/bench-cluster.sh: (work, ours, target, met)."""
    if "cluster 3 nodes x 500" not in rows:
        return []
    one, three = rows["cluster one server 500"], rows["cluster 3 nodes x 500"]
    floor = rows["cluster 3 plain servers x 500 at once"]
    crowd = rows["cluster one server 1500"]
    one_small, node_small = rows["cluster one server 10"], rows["cluster 1 node x 10"]
    three_small = rows["cluster 3 nodes x 10"]
    ping = rows["cluster redis ping"]["p50_ms"]
    hop = rows["cluster redis publish to subscriber"]["p50_ms"]
    # Paired rounds (one server, then the node, in the same minute): the median difference.
    added = statistics.median(
        node - alone for node, alone in zip(node_small["rounds_p50_ms"],
                                            one_small["rounds_p50_ms"]))
    added_three = statistics.median(
        nodes - alone for nodes, alone in zip(three_small["rounds_p50_ms"],
                                              one_small["rounds_p50_ms"]))
    rounds = lambda row: ", ".join(fmt(p, 2) for p in row["rounds_p99_ms"])
    return [
        (f"3 nodes × 500 clients, 10 senders × 10/s ({fmt(three['deliveries_per_s'], 0)} "
         "deliveries/s): missing / skipped / garbled / readers out of the one order, "
         f"{three['rounds']} rounds",
         f"{three['missing']} / {three['skipped']} / {three['garbled']} / "
         f"{three['order_mismatches']}", "0 / 0 / 0 / 0",
         three["missing"] == 0 and three["skipped"] == 0 and three["garbled"] == 0
         and three["order_mismatches"] == 0),
        ("… latency p50 / p99 (ms), median of the rounds; one server with 500 clients, rounds "
         "between them",
         f"{fmt(three['latency_p50_ms'], 2)} / {fmt(three['latency_p99_ms'], 2)} "
         f"(p99s {rounds(three)}); {fmt(one['latency_p50_ms'], 2)} / "
         f"{fmt(one['latency_p99_ms'], 2)} (p99s {rounds(one)})",
         f"p99 ≤ 3 × one server's = {fmt(3 * one['latency_p99_ms'], 2)}",
         three["latency_p99_ms"] <= 3 * one["latency_p99_ms"]),
        ("… the floors, no bus: 3 plain servers × 500 clients at once, each its own room of 10 "
         "senders × 10/s (the same work per server), p50 / worst p99 (ms); one plain server × "
         "1,500 clients, 10 senders × 10/s (the same deliveries), p50 / p99",
         f"{fmt(floor['latency_p50_ms'], 2)} / {fmt(floor['latency_p99_ms'], 2)} "
         f"(p99s {rounds(floor)}); {fmt(crowd['latency_p50_ms'], 2)} / "
         f"{fmt(crowd['latency_p99_ms'], 2)} (p99s {rounds(crowd)})", "–", True),
        ("… CPU of the servers, % of one core: 3 nodes and Redis; one server; 3 plain servers",
         f"{fmt(three['servers_cpu_pct'])}; {fmt(one['servers_cpu_pct'])}; "
         f"{fmt(floor['servers_cpu_pct'])}", "–", True),
        ("what the bus adds to a message: latency p50, one node alone in its room × 10 clients "
         f"minus one server × 10, median of {node_small['rounds']} paired rounds (ms); Redis's "
         "PUBLISH-to-subscriber hop p50 (pubsub_rtt), and its PING round trip",
         f"{fmt(added, 3)}; {fmt(hop, 3)}, {fmt(ping, 3)}", "≤ one Redis round trip (the hop)",
         added <= hop),
        ("… 3 nodes × 10 clients minus one server × 10 (three nodes woken at once on two cores)",
         fmt(added_three, 3), "–", True),
    ]


def cluster_tail(rows):
    """Why the nodes' p99 is what it is on this machine, from this run's figures."""
    one, three = rows["cluster one server 500"], rows["cluster 3 nodes x 500"]
    floor = rows["cluster 3 plain servers x 500 at once"]
    crowd = rows["cluster one server 1500"]
    target = 3 * one["latency_p99_ms"]
    beyond = [name for name, row in (("three plain servers", floor), ("one server with 1,500", crowd))
              if row["latency_p99_ms"] > target]
    verdict = (f"{' and '.join(beyond)} {'miss' if len(beyond) > 1 else 'misses'} the 3 × "
               "target without any bus"
               if beyond else "both floors meet the 3 × target, and the nodes add what misses it")
    return [
        "The tail: 1,500 deliveries of every message share this machine's two cores with the "
        "generator reading them, whoever makes them. Without a bus, three plain servers doing "
        "each node's work at once reach p99 "
        f"{fmt(floor['latency_p99_ms'], 2)} ms and one server delivering to all 1,500 reaches "
        f"{fmt(crowd['latency_p99_ms'], 2)} ms, against the nodes' "
        f"{fmt(three['latency_p99_ms'], 2)} ms and a target of {fmt(target, 2)}: {verdict}. "
        "The plain servers' messages come at moments of their own, where one room's message "
        "reaches the three nodes at the same instant (that is what one order means) and their "
        "writes contend at once; a server alone with 1,500 clients has that burst too. On three "
        "machines the nodes would not share cores.",
        "",
    ]


def cluster_arithmetic(rows):
    """On paper: a room of 50,000 across 20 nodes, from this run's figures."""
    three, one = rows["cluster 3 nodes x 500"], rows["cluster one server 500"]
    per_delivery_us = three["servers_cpu_pct"] / 100 * 1e6 / three["deliveries_per_s"]
    alone_us = one["servers_cpu_pct"] / 100 * 1e6 / one["deliveries_per_s"]
    nodes, room, senders, rate = 20, 50_000, 10, 10
    per_node = room // nodes
    messages = senders * rate
    deliveries = messages * per_node
    cores = deliveries * per_delivery_us / 1e6
    name_bytes = 22  # "ID NAME" and a tab, for an address name
    beat = per_node * name_bytes
    beats_out = nodes * nodes * beat
    return [
        f"On paper, a room of {room:,} across {nodes} nodes ({per_node:,} clients each), "
        f"{senders} senders × {rate}/s: every node delivers every message to its own clients, "
        f"{messages} × {per_node:,} = {deliveries:,} deliveries a second; at this run's cost "
        f"({fmt(per_delivery_us, 2)} µs of CPU per delivery, the three nodes and Redis together; "
        f"one server alone, {fmt(alone_us, 2)} µs) that is {fmt(cores, 2)} cores a node, about "
        "what one server with that many clients would need: the bus adds little per delivery, "
        "since each node sends only to its own clients. Redis's load per "
        f"message is one PUBLISH in and {nodes} writes out ({messages * nodes:,} a second), "
        "nothing. What grows is the heartbeat: each node lists its clients every second "
        f"(about {name_bytes} bytes each, {beat / 1e3:,.0f} kB a beat), and Redis sends every "
        f"beat to every node: {nodes} × {nodes} × {beat / 1e3:,.0f} kB = "
        f"{beats_out / 1e6:,.0f} MB a second out of Redis, growing with nodes × room. That is "
        "where it saturates first (a single Redis writes a few hundred MB a second); the cure "
        "is heartbeats that carry changes and a digest, with the full list only on request, "
        "which this design leaves for later.",
        "",
    ]


def crowd_table(rows):
    """Issue 18's rows: (work, ncat, ours, target, met)."""
    if "crowd chat" not in rows:
        return []

    def ncat(name, show, arrivals=False):
        """ncat's figure, or that it quit; on an arrivals row, how many it never announced."""
        run = rows.get(name)
        if run is None:
            return "–"
        if run.get("peer_quit"):
            return f"quit: `{run.get('peer_said', '')}`"
        if arrivals and run.get("arrivals_missing", 0) > 0:
            return f"{show(run)} ({run['arrivals_missing']:,} arrivals never heard)"
        return show(run)

    def lost(run):
        return f"{run['missing']:,} missing, {run.get('arrivals_missing', 0):,} arrivals unheard"

    def per_delivery_us(run, key="server_cpu_pct"):
        return run[key] / 100 * 1e6 / run["deliveries_per_s"]

    crowd, storm = rows["crowd chat"], rows["storm chat"]
    one, two = rows["loops1 chat"], rows["loops2 chat"]
    churn, names = rows["churn chat"], rows["names chat"]
    floor = per_delivery_us(one, "server_kernel_pct")
    table = [
        (f"{crowd['conns']:,} clients arriving within {fmt(crowd['arrive_secs'], 0)} s: every "
         "arrival heard by everyone (s from the first connect)",
         ncat("crowd ncat", lambda r: fmt(r["arrival_secs"], 2) if r["arrival_secs"] >= 0
              else "never", arrivals=True), fmt(crowd["arrival_secs"], 2),
         "≤ 2", 0 <= crowd["arrival_secs"] <= 2),
        (f"… then {crowd['senders']} senders × {fmt(crowd['rate'], 0)}/s: missing / skipped; "
         "latency p50 / p99 (ms)",
         ncat("crowd ncat", lambda r: f"{r['missing']:,} / –; {fmt(r['latency_p50_ms'], 2)} / "
                                      f"{fmt(r['latency_p99_ms'], 2)}"),
         f"{crowd['missing']} / {crowd['skipped']}; {fmt(crowd['latency_p50_ms'], 2)} / "
         f"{fmt(crowd['latency_p99_ms'], 2)}", "0 / 0; p99 ≤ 50",
         crowd["missing"] == 0 and crowd["skipped"] == 0 and crowd["latency_p99_ms"] <= 50),
        (f"a storm of {storm['conns']:,} arrivals at once: the newcomer's `You are` (ms)",
         ncat("storm ncat", lambda r: fmt(r["newcomer_greeted_ms"], 0), arrivals=True),
         fmt(storm["newcomer_greeted_ms"], 0), "≤ 1,000",
         0 <= storm["newcomer_greeted_ms"] <= 1000),
        ("… server CPU for the whole storm, until every arrival is heard (core-seconds)",
         ncat("storm ncat", lambda r: fmt(r["arrival_cpu_secs"], 2)),
         fmt(storm["arrival_cpu_secs"], 2), "≤ 3", storm["arrival_cpu_secs"] <= 3),
        (f"{one['conns']:,} clients, {one['senders']} senders × {fmt(one['rate'], 0)}/s: latency "
         "p99, 1 loop / `-threads 2` (ms)",
         ncat("loops ncat", lambda r: fmt(r["latency_p99_ms"], 2)),
         f"{fmt(one['latency_p99_ms'], 2)} / {fmt(two['latency_p99_ms'], 2)}",
         f"2 loops ≤ 0.6 × 1 loop = {fmt(0.6 * one['latency_p99_ms'], 2)}",
         two["latency_p99_ms"] <= 0.6 * one["latency_p99_ms"]),
        ("… server CPU per delivery, 1 loop / 2 loops (µs); the floor: the kernel's µs per "
         "delivery, 1 loop",
         ncat("loops ncat", lambda r: fmt(per_delivery_us(r), 2)),
         f"{fmt(per_delivery_us(one), 2)} / {fmt(per_delivery_us(two), 2)}; floor "
         f"{fmt(floor, 2)}", "2 loops ≤ 1 loop; 1 loop ≤ 1.1 × floor",
         per_delivery_us(two) <= per_delivery_us(one) and per_delivery_us(one) <= 1.1 * floor),
        ("… missing / skipped / garbled, 1 loop / 2 loops",
         ncat("loops ncat", lambda r: f"{r['missing']:,} / – / {r['garbled']:,}"),
         f"{one['missing']} / {one['skipped']} / {one['garbled']}; {two['missing']} / "
         f"{two['skipped']} / {two['garbled']}", "0",
         all(r[k] == 0 for r in (one, two) for k in ("missing", "skipped", "garbled"))),
        (f"churn: {fmt(churn['churn_per_s'], 0)} connect/close cycles a second beside a "
         f"{churn['conns']:,}-client room, {churn['senders']} senders × "
         f"{fmt(churn['rate'], 0)}/s: server CPU (% of one core)",
         ncat("churn ncat", lambda r: fmt(r["server_cpu_pct"])), fmt(churn["server_cpu_pct"]),
         "< 100", churn["server_cpu_pct"] < 100),
        ("… the room's messages: missing; latency p50 / p99 (ms)",
         ncat("churn ncat", lambda r: f"{r['missing']:,}; {fmt(r['latency_p50_ms'], 2)} / "
                                      f"{fmt(r['latency_p99_ms'], 2)}"),
         f"{churn['missing']}; {fmt(churn['latency_p50_ms'], 2)} / "
         f"{fmt(churn['latency_p99_ms'], 2)}", "0; p99 ≤ 100",
         churn["missing"] == 0 and churn["latency_p99_ms"] <= 100),
    ]
    # Issue 30: churn as a hostile client makes it, connect and close at once, as fast as 8 at a
    # time can, from one address or 64, beside rooms of two sizes; chat's -max-accept-rate 1000
    # keeps the rest in the listen queue.
    for room in ("small", "big"):
        for source in ("one", "many"):
            run = rows.get(f"hostile churn {room} {source} chat")
            if run is None:
                continue
            table.append((
                f"churn from {'one address' if source == 'one' else '64 addresses'}, "
                f"{run['churn_workers']} at a time connecting "
                f"and closing at once, beside a {run['conns']:,}-client room, {run['senders']} "
                f"senders × {fmt(run['rate'], 0)}/s: cycles/s (as the clients see them); a "
                "sender's own line p50 / p99 (ms); server CPU (% of one core)",
                ncat(f"hostile churn {room} {source} ncat",
                     lambda r: f"{fmt(r['churn_per_s'], 0)}/s; {fmt(r['latency_p50_ms'], 2)} / "
                               f"{fmt(r['latency_p99_ms'], 2)} (all lines); "
                               f"{fmt(r['server_cpu_pct'])} %"),
                f"{fmt(run['churn_per_s'], 0)}/s; {fmt(run['own_p50_ms'], 2)} / "
                f"{fmt(run['own_p99_ms'], 2)}; {fmt(run['server_cpu_pct'])} %",
                "p99 ≤ 100; ≤ 100 %",
                run["own_p99_ms"] <= 100 and run["server_cpu_pct"] <= 100))
    table += [
        (f"`-names`: {names['conns']} clients sending 64 KiB names, never reading: server VmRSS "
         "growth at the peak (MiB)", "– (no names)", fmt(names["server_rss_growth_mib"]), "≤ 64",
         names["server_rss_growth_mib"] <= 64),
    ]
    return table


def main():
    path, machine, date = sys.argv[1:4]
    quick = "--quick" in sys.argv
    rows, netcat, tls = load(path)
    clock_rows = sorted((r for r in rows if r.startswith("clock2 ") and "1000" not in r), key=len)
    big = rows[clock_rows[0]]
    big2 = rows[clock_rows[1]]
    small = rows["clock2 1000"]
    small2 = rows["clock2 1000 -threads 2"]
    churn = rows["churn clock2"]
    reverb = next(v for k, v in rows.items() if k.startswith("reverb2 "))
    chats = sorted((v for k, v in rows.items() if k.startswith("chat ")), key=lambda r: r["conns"])

    def peers(direction):
        found = {t: netcat[(t, direction)].get("mb_per_s") for t in ("nc", "socat", "ncat")
                 if (t, direction) in netcat and not netcat[(t, direction)].get("missing")}
        best = max(found.values()) if found else None
        return found, best

    down_peers, down_best = peers("download")
    up_peers, up_best = peers("upload")
    ours_down = netcat.get(("netcat1", "download"), {}).get("mb_per_s")
    ours_up = netcat.get(("netcat3", "upload"), {}).get("mb_per_s")

    def gone(run):
        return run["failed"] + run["dropped"] + run["silent"]

    table = [
        (f"clock2, {big['conns']:,} clients, {big['secs']} s: failed + dropped + silent "
         "(1 loop / 2 loops)",
         "0", "–", f"{gone(big)} / {gone(big2)}", "0", gone(big) + gone(big2) == 0),
        ("… tick staleness p50 / p99, 1 loop (ms)", "545 / 973", "–",
         f"{fmt(big['stale_p50_ms'])} / {fmt(big['stale_p99_ms'])}", "≤ 60 / ≤ 135",
         big["stale_p50_ms"] <= 60 and big["stale_p99_ms"] <= 135),
        ("… tick staleness p50 / p99, `-threads 2` (ms)", "–", "–",
         f"{fmt(big2['stale_p50_ms'])} / {fmt(big2['stale_p99_ms'])}",
         f"p99 ≤ 0.85 × 1 loop = {fmt(0.85 * big['stale_p99_ms'])}",
         big2["stale_p99_ms"] <= 0.85 * big["stale_p99_ms"]),
        ("… one tick's burst, first to last arrival, p50: 1 loop / 2 loops (ms)", "–", "–",
         f"{fmt(big['burst_p50_ms'])} / {fmt(big2['burst_p50_ms'])}", "(the floor: see below)",
         True),
        ("… memory (VmRSS growth per client, KiB)", "5.8", "–",
         fmt(big["server_kib_per_client"], 2), "≤ 1.5", big["server_kib_per_client"] <= 1.5),
        ("… server CPU, % of one core (1 loop; of it in the kernel)", "19.4", "–",
         f"{fmt(big['server_cpu_pct'])} ({fmt(big.get('server_kernel_pct'))})",
         "≤ 10", big["server_cpu_pct"] <= 10),
        ("clock2, 1,000 clients: staleness p99, 1 loop / 2 loops (ms)", "990", "–",
         f"{fmt(small['stale_p99_ms'])} / {fmt(small2['stale_p99_ms'])}", "≤ 5 with `-threads 2`",
         small2["stale_p99_ms"] <= 5),
        (f"connection churn ({churn['workers']} workers): rate, server CPU per connection",
         "9,900/s, ~90 µs", "–",
         f"{fmt(churn['per_second'], 0)}/s, {fmt(churn['server_us_per_conn'])} µs; "
         f"{fmt(churn['server_most_descriptors'])} descriptors held at most",
         "≥ 9,900/s; ≤ 40 µs",
         churn["per_second"] >= 9900 and churn["server_us_per_conn"] <= 40),
        (f"reverb2, {reverb['conns']:,} connections × 1 line/s, 1 s delay: echo timing error p99 "
         "(ms)", "1.91", "–", fmt(reverb["error_p99_ms"], 2), "≤ 0.5",
         reverb["error_p99_ms"] <= 0.5),
        ("… garbled / missing echo parts", "–", "–", f"{reverb['garbled']} / {reverb['missing']}",
         "0 / 0", reverb["garbled"] == 0 and reverb["missing"] == 0),
        ("… memory per connection (KiB, at peak) / CPU (%; of it in the kernel)", "16.4 / 21.3",
         "–",
         f"{fmt(reverb['server_kib_per_conn'], 2)} / {fmt(reverb['server_cpu_pct'])} "
         f"({fmt(reverb.get('server_kernel_pct'))})",
         "≤ 4 / ≤ 10", reverb["server_kib_per_conn"] <= 4 and reverb["server_cpu_pct"] <= 10),
        ("netcat1 download → a pipe (MB/s, median)", "1,262",
         " ; ".join(f"{t} {fmt(v, 0)}" for t, v in down_peers.items()) or "–", fmt(ours_down, 0),
         f"≥ 2 × best peer = {fmt(2 * down_best, 0)}" if down_best else "≥ 2 × best peer",
         bool(ours_down and down_best and ours_down >= 2 * down_best)),
        ("netcat3 upload, a pipe → loopback (MB/s, median)", "1,931",
         " ; ".join(f"{t} {fmt(v, 0)}" for t, v in up_peers.items()) or "–", fmt(ours_up, 0),
         f"≥ 1.5 × best peer = {fmt(1.5 * up_best, 0)}" if up_best else "≥ 1.5 × best peer",
         bool(ours_up and up_best and ours_up >= 1.5 * up_best)),
    ]

    # chat (issue 11): the Go figures are its measurements of the book's chat with a generator
    # like chatload; a load that saturates has no target but its own.
    for chat, go, targets in zip(chats, [("0", "0.8 / 2.4", "19.7 / 19"),
                                         ("0", "4,100 / 6,800", "– / 100")],
                                 [(2, 4, 10), (100, None, 60)]):
        p99, kib, cpu = targets
        rate = f"{chat['senders']} senders × {fmt(chat['rate'], 0)}/s"
        table += [
            (f"chat, {chat['conns']:,} clients, {rate} ({fmt(chat['deliveries_per_s'], 0)} "
             "deliveries/s): missing / skipped / garbled", go[0], "–",
             f"{chat['missing']} / {chat['skipped']} / {chat['garbled']}", "0 / 0 / 0",
             chat["missing"] == 0 and chat["skipped"] == 0 and chat["garbled"] == 0),
            ("… fan-out latency p50 / p99 (ms)", go[1], "–",
             f"{fmt(chat['latency_p50_ms'], 2)} / {fmt(chat['latency_p99_ms'], 2)}",
             f"p99 ≤ {p99}", chat["latency_p99_ms"] <= p99),
            ("… memory per client (KiB) / CPU (%)", go[2], "–",
             f"{fmt(chat['server_kib_per_conn'], 2)} / {fmt(chat['server_cpu_pct'])}",
             f"≤ {kib} / ≤ {cpu}" if kib else f"– / ≤ {cpu}",
             (kib is None or chat["server_kib_per_conn"] <= kib) and chat["server_cpu_pct"] <= cpu),
        ]

    crowd_rows = crowd_table(rows)

    # The PROXY protocol's cost (issue 20): churn against clock2 -proxy-protocol, each connection
    # sending its header; beside it clock2 without the flag given the same bytes as input (what
    # reading them costs in any case), and the plain churn above (no header at all).
    proxied, floor = rows.get("churn clock2 -proxy-protocol"), rows.get("churn clock2 header as input")
    if proxied and floor:
        table.append((
            "churn with `-proxy-protocol`, a v2 header per connection: rate, server CPU per "
            "connection", "–", "–",
            f"{fmt(proxied['per_second'], 0)}/s, {fmt(proxied['server_us_per_conn'])} µs; "
            f"without the flag, the header read as input: {fmt(floor['per_second'], 0)}/s, "
            f"{fmt(floor['server_us_per_conn'])} µs; no header: {fmt(churn['per_second'], 0)}/s",
            "rate within 5 % of without the flag",
            proxied["per_second"] >= 0.95 * floor["per_second"]))

    # Issue 31: a client that reads the time and then closes, beside one that closes unread.
    unread = rows.get("churn clock2, closing unread")
    if unread:
        table.append((
            "churn: a client that reads the time, then closes / one that closes unread: rate, "
            "server CPU per connection, descriptors held at most", "–", "–",
            f"{fmt(churn['per_second'], 0)}/s, {fmt(churn['server_us_per_conn'])} µs, "
            f"{fmt(churn['server_most_descriptors'])} / {fmt(unread['per_second'], 0)}/s, "
            f"{fmt(unread['server_us_per_conn'])} µs, {fmt(unread['server_most_descriptors'])}",
            "rate and CPU within 10 %",
            churn["per_second"] >= 0.9 * unread["per_second"] and
            churn["server_us_per_conn"] <= 1.1 * unread["server_us_per_conn"]))

    out = []
    out.append("# Benchmarks")
    out.append("")
    out.append(f"Made by `scripts/bench.sh{' --quick' if quick else ''}` on {date}: {machine}. "
               "The load generators (`tests/bench/`) run on the same machine as the server; "
               "every timing is the kernel's receive time (`SO_TIMESTAMPNS`), so the "
               "generator's own scheduling does not count. The Go originals' figures are "
               "issue 9's and issue 11's, measured on this kind of machine (issue 9's on an Intel "
               "Xeon host; a small loopback send costs more on some hosts than on others, so "
               "compare ours with the peers of the same run); nc, socat and ncat ran in the same "
               "run as ours.")
    if quick:
        out.append("")
        out.append("**A --quick run: small counts and short runs, to check the scripts; these "
                   "figures are not the ones the targets are about.**")
    out.append("")
    out.append("| work | Go original | nc / socat / ncat | ours | target | met |")
    out.append("|---|---|---|---|---|---|")
    for work, go, peer, ours, target, ok in table:
        out.append(f"| {work} | {go} | {peer} | {ours} | {target} | {verdict(ok)} |")
    out.append("")
    cluster_rows = cluster_table(rows)
    if cluster_rows:
        out.append("## One room across servers (`chat -redis`)")
        out.append("")
        at = rows["cluster 3 nodes x 500"].get("at", "the run above")
        out.append("`scripts/bench-cluster.sh` (measured at " + at + "): Redis on a Unix socket, "
                   "three chat nodes and three plain chat servers, all on this machine's two "
                   "cores with chatload, which spreads its clients over the nodes (`-addrs`) and "
                   "checks that every reader who got every message got them in one order. The "
                   "loads run in interleaved rounds (the host's neighbours move a tail by 2× "
                   "from one run to the next) and each figure is the median of its rounds; the "
                   "1,500 clients' generator shares the two cores with the three nodes and "
                   "Redis.")
        out.append("")
        out.append("| work | ours | target | met |")
        out.append("|---|---|---|---|")
        for work, ours, target, ok in cluster_rows:
            out.append(f"| {work} | {ours} | {target} | {verdict(ok)} |")
        out.append("")
        out.extend(cluster_tail(rows))
        out.extend(cluster_arithmetic(rows))
    tls_rows = tls_table(tls)
    if tls_rows:
        out.append("## TLS in the clients")
        out.append("")
        out.append("socat's OPENSSL-LISTEN is the server both ways, limited to TLS 1.3 with "
                   "TLS_AES_128_GCM_SHA256 so that every client negotiates the same; socat's "
                   "and ncat's own TLS clients ran in the same run. The server shares the two "
                   "cores with the client, so beside each rate is the client's own CPU time per "
                   "GB (user + system), which is what a client can change.")
        out.append("")
        out.append("| work | socat / ncat | ours | target | met |")
        out.append("|---|---|---|---|---|")
        for work, peer, ours, target, ok in tls_rows:
            out.append(f"| {work} | {peer} | {ours} | {target} | {verdict(ok)} |")
        out.append("")
    # What one send costs the kernel here: on loopback the receiver's processing runs inside the
    # sender's system call, so it is the floor of every tick and echo figure.
    def kernel_us(run, sends_per_second):
        pct = run.get("server_kernel_pct")
        return None if pct is None else pct / 100 * 1e6 / sends_per_second
    tick_us = kernel_us(big, big["conns"])
    echo_us = kernel_us(reverb, 3 * reverb["conns"])
    if crowd_rows:
        out.append("## chat under crowds, storms and churn, on one loop and two")
        out.append("")
        out.append("Issue 18's loads, each on a fresh server; Debian's `ncat --chat` in the same run"
                   " where it can run (it has no names, does not echo a line to its sender, and "
                   "puts `<userN> ` before a read's lines only: chatload `-ncat` reads it so).")
        out.append("")
        out.append("| work | ncat --chat | ours | target | met |")
        out.append("|---|---|---|---|---|")
        for work, peer, ours, target, ok in crowd_rows:
            out.append(f"| {work} | {peer} | {ours} | {target} | {verdict(ok)} |")
        out.append("")
        one, two = rows["loops1 chat"], rows["loops2 chat"]
        out.append(
            "ncat --chat announces every arrival and lists who is there to each newcomer, but a "
            "burst of connections loses it: clients that connect at once are never announced "
            "(\"arrivals never heard\"), nor sent the others' lines (\"missing\"), and at a "
            "churn of connect/close cycles it quits (`getpeername ... QUITTING`). Its CPU "
            "figures are for the little it delivered.")
        out.append("")
        out.append(
            f"Two event loops: a message to {one['conns']:,} clients is a round of "
            f"{one['conns']:,} sends on one loop and two rounds of about half that, one per "
            "loop, on two. The p99 is the end of a round, so two loops would halve it if each "
            "had a core of its own; here the generator reads every delivery on the same two "
            f"cores (its reading woken by each send), and two loops mostly take turns with it: "
            f"p50 {fmt(one['latency_p50_ms'], 2)} → {fmt(two['latency_p50_ms'], 2)} ms, p99 "
            f"{fmt(one['latency_p99_ms'], 2)} → {fmt(two['latency_p99_ms'], 2)} ms. The CPU "
            "per delivery is the kernel's per send, whatever the loops: the floor, in the table.")
        out.append("")
    out.append("## The floor of the tick figures")
    out.append("")
    out.append(
        f"A tick at {big['conns']:,} clients is a burst of {big['conns']:,} small sends, one "
        "system call per client from one pass of the clock's loop (no wake, no coroutine "
        "resumed per client). Its length, first to last arrival, was "
        f"{fmt(big['burst_p50_ms'])} ms with one event loop and {fmt(big2['burst_p50_ms'])} ms "
        "with two (median over the seconds measured). The server spent "
        f"{fmt(big.get('server_kernel_pct'))} % of a core in the kernel, "
        f"{fmt(tick_us)} µs per tick sent: on loopback the receiver's TCP processing and the "
        "wake-up of its reader run inside the sender's system call. So the burst, and with it "
        "the p99 (a tick's staleness is about half its burst on average and the whole burst at "
        "worst) and the CPU, are this machine's kernel cost of a small loopback send times the "
        "clients, whatever the server does in user space "
        f"({fmt(big['server_cpu_pct'] - (big.get('server_kernel_pct') or 0))} % here). "
        "The generator reads on the same two cores, so two loops mostly take turns with it "
        "instead of overlapping; with the generator on another machine each loop would send its "
        "half on a core of its own, and the burst would shrink towards half the one-loop "
        f"figure, about {fmt(big['burst_p50_ms'] / 2)} ms. The same arithmetic bounds the "
        f"1,000-client row: {fmt(small['burst_p50_ms'])} ms of burst with one loop.")
    if big["stale_p99_ms"] > 2 * big["burst_p50_ms"]:
        out.append("")
        out.append(
            f"In this run the one-loop p99 ({fmt(big['stale_p99_ms'])} ms) is far above the burst,"
            " so some ticks waited for something other than the server's sending: look at the "
            "generator first (an earlier clockload dialled every client from 127.0.0.1, and "
            "Linux's search for a free ephemeral port then blocked its loop for seconds).")
    out.append("")
    out.append("## The floor of the echo figures")
    out.append("")
    out.append(
        f"reverb2 at {reverb['conns']:,} connections writes {3 * reverb['conns']:,} echo parts a "
        f"second and reads {reverb['conns']:,} lines, each part due at its own moment, so the "
        "server wakes for nearly every one of them. It spent "
        f"{fmt(reverb.get('server_kernel_pct'))} % of a core in the kernel "
        f"({fmt(echo_us)} µs per part written, reads and wake-ups included) and "
        f"{fmt(reverb['server_cpu_pct'] - (reverb.get('server_kernel_pct') or 0))} % in user "
        "space. The sends alone cost about what the 10 % target allows; what is left is the "
        "price of waking on time, which only coarser timers (later echoes) would lower.")
    out.append("")
    for chat in chats[:1]:
        per = kernel_us(chat, chat["deliveries_per_s"])
        message_ms = None if per is None else per * chat["conns"] / 1000
        out.append("## The floor of the chat figures")
        out.append("")
        out.append(
            f"chat at {chat['conns']:,} clients delivers {fmt(chat['deliveries_per_s'], 0)} "
            "messages a second, each one `send` to one client's socket (a client that keeps up "
            "takes it straight from the broadcaster). The server spent "
            f"{fmt(chat.get('server_kernel_pct'))} % of a core in the kernel, {fmt(per)} µs per "
            f"delivery, and {fmt(chat['server_cpu_pct'] - (chat.get('server_kernel_pct') or 0))} % "
            "in user space. One message to every client is a burst of "
            f"{chat['conns']:,} sends, about {fmt(message_ms)} ms at that cost: the last "
            "receivers of a message wait that long, which is the floor of the p99, as the "
            "kernel's cost per send is the floor of the CPU.")
        out.append("")
    out.append("## Connection churn")
    out.append("")
    out.append(
        f"{fmt(churn['per_second'], 0)} connections a second, each: connect, read the first line, "
        f"close. At most {fmt(churn['server_most_descriptors'])} descriptors were held: a client "
        "that closes sends a FIN, which looks like `nc -N`'s half-close (that client keeps its "
        "ticks, as in Go) until the next tick provokes the reset, so a clock server holds about a "
        "second's worth of closed connections. Past the descriptor limit it pauses accepting for "
        "100 ms rather than spinning (`DescriptorExhaustion.*`).")
    out.append("")
    out.append("## How each row is made")
    out.append("")
    out.append("Each server row starts a fresh server (`TZ=UTC build-release/bin/PROGRAM -port 0`)"
               " and points a generator at it, with `-pid` for the server's memory and CPU:")
    out.append("")
    out.append("```")
    out.append(f"clockload -addr 127.0.0.1:PORT -conns {big['conns']} -secs N -pid PID      "
               "# clock2, and clock2 -threads 2")
    out.append("churn -addr 127.0.0.1:PORT -workers 16 -secs N -pid PID")
    out.append(f"reverbload -addr 127.0.0.1:PORT -conns {reverb['conns']} -rate 1 -delay 1s "
               "-secs N -pid PID   # reverb2 -delay 1s")
    for chat in chats:
        out.append(f"chatload -addr 127.0.0.1:PORT -conns {chat['conns']} -senders "
                   f"{chat['senders']} -rate {fmt(chat['rate'], 0)} -secs N -pid PID   # chat")
    if "crowd chat" in rows:
        crowd, storm, churn = rows["crowd chat"], rows["storm chat"], rows["churn chat"]
        out.append(f"chatload -addr 127.0.0.1:PORT -conns {crowd['conns']} -arrive 1s -senders 10 "
                   "-rate 5 -secs N -pid PID   # chat; and -ncat against ncat --chat")
        out.append(f"chatload -addr 127.0.0.1:PORT -conns {storm['conns']} -storm -senders 0 "
                   "-pid PID   # chat; and -ncat")
        out.append("chatload -addr 127.0.0.1:PORT -conns 500 -senders 10 -rate 10 -secs N -pid PID"
                   "   # chat, chat -threads 2; and -ncat")
        out.append(f"chatload -addr 127.0.0.1:PORT -conns {churn['conns']} -senders 10 -rate 5 "
                   f"-churn {fmt(churn['churn_per_s'], 0)} -secs N -pid PID   # chat; and -ncat")
        out.append(f"namesflood -addr 127.0.0.1:PORT -conns {rows['names chat']['conns']} "
                   "-secs N -pid PID   # chat -names")
        out.append("ncat -l --chat --max-conns 20000 127.0.0.1 PORT   # the peer")
    out.append("scripts/bench-netcat.sh build-release/bin SIZE RUNS  # 2 GiB each way, median of 5")
    out.append("scripts/bench-tls.sh build-release/bin SIZE RUNS     # 1 GiB each way, median of 5")
    out.append("churn -addr 127.0.0.1:PORT -workers 16 -secs N -pid PID -proxy-v2   "
               "# clock2 -proxy-protocol, and plain clock2")
    out.append("```")
    out.append("")
    out.append("## Scale")
    out.append("")
    out.append("| clock2 (1 loop), clients | staleness p50 / p99 (ms) | KiB per client | CPU % |")
    out.append("|---|---|---|---|")
    for name, r in sorted(((k, v) for k, v in rows.items() if k.startswith("sweep clock2")),
                          key=lambda kv: kv[1]["conns"]):
        out.append(f"| {r['conns']:,} | {fmt(r['stale_p50_ms'])} / {fmt(r['stale_p99_ms'])} | "
                   f"{fmt(r['server_kib_per_client'], 2)} | {fmt(r['server_cpu_pct'])} |")
    out.append("")
    out.append("| reverb2, connections × 1 line/s | echo error p50 / p99 (ms) | KiB per connection"
               " | CPU % |")
    out.append("|---|---|---|---|")
    for name, r in sorted(((k, v) for k, v in rows.items() if k.startswith("sweep reverb2")),
                          key=lambda kv: kv[1]["conns"]):
        out.append(f"| {r['conns']:,} | {fmt(r['error_p50_ms'], 2)} / {fmt(r['error_p99_ms'], 2)}"
                   f" | {fmt(r['server_kib_per_conn'], 2)} | {fmt(r['server_cpu_pct'])} |")
    out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
