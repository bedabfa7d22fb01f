"""What the benchmark scripts share: starting a server on a free loopback port with the
descriptor limit raised, and reading a process's memory and CPU time."""
import os
import re
import resource
import subprocess


def raise_descriptor_limit():
    """Raises this process's open-file limit to the hard limit and returns it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def start_server(program, *flags):
    """Starts a server of the suite on a free port, its limit raised too; returns (process, port)."""
    limit = raise_descriptor_limit()
    server = subprocess.Popen(
        ["sh", "-c", f"ulimit -n {limit} && exec \"$0\" -port 0 {' '.join(flags)}", program],
        stderr=subprocess.PIPE, text=True)
    port = int(re.search(r"listening on .*:(\d+)$", server.stderr.readline()).group(1))
    return server, port


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")
