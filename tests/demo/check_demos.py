#!/usr/bin/env python3
"""Runs the demo scripts with the programs of a build and checks what they promise.

    tests/demo/check_demos.py clocks BIN_DIR SOURCE_DIR
        scripts/demo.sh -once: a table of New York, London and Tokyo whose times are those
        cities' times now; exit 0, no process it started left.
    tests/demo/check_demos.py scripted BIN_DIR SOURCE_DIR
        Three scripted runs: two clients on two different nodes, behind HAProxy with TLS, each
        sees the other's line; the script exits 0 and leaves no process it started.
    tests/demo/check_demos.py ctrl-c BIN_DIR SOURCE_DIR
        The interactive demo: a client joins with the command it prints and hears itself; Ctrl-C
        (SIGINT to the script's process group, as a terminal sends it) ends the script and every
        process it started, and the client sees its connection end."""
import os
import re
import select
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

RUNS = 3
SECONDS = 30


def start_demo(bin_dir, source_dir, *args, script="cluster-demo.sh"):
    """The demo in a session of its own, so that its process group is its alone."""
    env = dict(os.environ, GONET_BIN=bin_dir)
    return subprocess.Popen([os.path.join(source_dir, "scripts", script), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                            start_new_session=True)


def run_demo(bin_dir, source_dir, *args, script="cluster-demo.sh"):
    """A demo run to its end: its stdout, and what was wrong with how it ended."""
    problems = []
    demo = start_demo(bin_dir, source_dir, *args, script=script)
    try:
        out, err = demo.communicate(timeout=SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(demo.pid, signal.SIGKILL)
        out, err = demo.communicate()
        problems.append(f"not done in {SECONDS} s")
    if demo.returncode != 0:
        problems.append(f"exit {demo.returncode}, stderr {err!r}")
    if left := outlived(demo.pid):
        problems.append(f"processes of the demo outlived it: {', '.join(left)}")
    return out, problems


def processes_of(pgid):
    """The processes of the group pgid, zombies aside (they are not running), as
    {(PID, START TIME): "PID (NAME) STATE"}; the start time tells a PID used again apart."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return {}
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                name, rest = stat.read().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = rest.split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found[(pid, fields[19])] = f"{pid} ({name}) {fields[0]}"
    return found


def outlived(pgid, before=None):
    """What is left of the group pgid once its leader has exited: at once, of the processes
    there before (all, without a before); within 5 s, of the others. A sanitizer build's leak
    checker runs in a clone of the program that the script cannot wait for; if the program is
    killed during the check (Ctrl-C reaches it, then the script's SIGTERM), the clone outlives
    it until its SIGKILL (PR_SET_PDEATHSIG) lands."""
    left = processes_of(pgid)
    problems = [left[key] for key in left if before is None or key in before]
    deadline = time.monotonic() + 5
    while left and not problems and time.monotonic() < deadline:
        time.sleep(0.05)
        left = processes_of(pgid)
    return problems or list(left.values())


class Lines:
    """The lines of a pipe as they come, each waited for until a deadline. Reads the descriptor
    itself: a buffered reader would hold lines that select() then does not see."""

    def __init__(self, stream):
        self.fd = stream.fileno()
        self.pending = b""

    def next(self, deadline):
        """The next line, or None at the end of the pipe or the deadline."""
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode() + "\n"


def clocks_problems(bin_dir, source_dir):
    zones = {"NewYork": "America/New_York", "London": "Europe/London", "Tokyo": "Asia/Tokyo"}
    out, problems = run_demo(bin_dir, source_dir, "-once", script="demo.sh")
    now = datetime.now().astimezone()
    lines = out.splitlines()
    if len(lines) != 2 or lines[0].split() != list(zones):
        return problems + [f"not a table of {', '.join(zones)} and one row: {out!r}"]
    for city, shown in zip(zones, lines[1].split()):
        # The row was printed at most SECONDS ago; a time of day that far from the city's now
        # (either way round midnight) is wrong.
        there = now.astimezone(ZoneInfo(zones[city]))
        try:
            clock = datetime.strptime(shown, "%H:%M:%S").time()
        except ValueError:
            problems.append(f"{city}: {shown!r} is not HH:MM:SS")
            continue
        apart = min(abs((datetime.combine(there.date() + timedelta(days=d), clock,
                                          there.tzinfo) - there).total_seconds())
                    for d in (-1, 0, 1))
        if apart > SECONDS:
            problems.append(f"{city}: {shown}, but it is {there:%H:%M:%S} there")
    return problems


def scripted_problems(bin_dir, source_dir):
    problems = []
    for run in range(1, RUNS + 1):
        out, ended = run_demo(bin_dir, source_dir, "--scripted")
        problems += [f"run {run}: {problem}" for problem in ended]
        who = re.search(r"^== alice is (\S+) on (chat\d), bob is (\S+) on (chat\d)$", out, re.M)
        if not who:
            problems.append(f"run {run}: no line saying where the clients are in {out!r}")
            continue
        alice, alice_node, bob, bob_node = who.groups()
        if alice_node == bob_node:
            problems.append(f"run {run}: both clients on {alice_node}")
        saw = dict(re.findall(r"^== what (alice|bob) saw\n((?:(?!==).*\n)*)", out, re.M))
        if f"{bob}: hello from another node\n" not in saw.get("alice", ""):
            problems.append(f"run {run}: alice did not hear bob: {saw.get('alice')!r}")
        if f"{alice}: hi back\n" not in saw.get("bob", ""):
            problems.append(f"run {run}: bob did not hear alice: {saw.get('bob')!r}")
    return problems


def ctrl_c_problems(bin_dir, source_dir):
    problems = []
    demo = start_demo(bin_dir, source_dir)
    deadline = time.monotonic() + SECONDS
    demo_lines = Lines(demo.stdout)
    join = None
    while join is None:
        line = demo_lines.next(deadline)
        if line is None:
            break
        found = re.match(r"== join the room: (.*?)   \(Ctrl-C", line)
        join = found and found.group(1).split()
    client = None
    try:
        if not join:
            return [f"no '== join the room' line from the demo in {SECONDS} s"]
        client = subprocess.Popen(join, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        client_lines = Lines(client.stdout)
        you = client_lines.next(deadline) or ""
        if not you.startswith("You are "):
            return [f"the joining client's first line: {you!r}"]
        name = you[len("You are "):].rstrip("\n")
        client.stdin.write("anyone here?\n")
        client.stdin.flush()
        heard = []
        while (line := client_lines.next(deadline)) not in (None, f"{name}: anyone here?\n"):
            heard.append(line)
        if line is None:
            problems.append(f"the client did not hear its own line; it heard {heard!r}")
        before = processes_of(demo.pid)
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=10)
        except subprocess.TimeoutExpired:
            problems.append("the demo still runs 10 s after Ctrl-C")
        if demo.returncode not in (None, 130):
            problems.append(f"the demo exited {demo.returncode} after Ctrl-C; want 130")
        if left := outlived(demo.pid, before):
            problems.append(f"processes of the demo outlived its Ctrl-C: {', '.join(left)}")
        while (line := client_lines.next(deadline)) is not None:
            pass
        try:
            client.stdin.close()
            client.wait(timeout=5)
        except (BrokenPipeError, subprocess.TimeoutExpired) as error:
            problems.append(f"the client did not end with the demo: {error!r}")
    finally:
        if client and client.poll() is None:
            client.kill()
        if demo.poll() is None or processes_of(demo.pid):
            os.killpg(demo.pid, signal.SIGKILL)
        demo.wait()
    return problems


def main():
    mode, bin_dir, source_dir = sys.argv[1:4]
    problems = {"clocks": clocks_problems, "scripted": scripted_problems,
                "ctrl-c": ctrl_c_problems}[mode](bin_dir, source_dir)
    for problem in problems:
        print(problem)
    print(f"demo, {mode}: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
