#!/usr/bin/env python3
"""Runs the command blocks of README.md, SECURITY.md and docs/*.md, as doctests do: a doc that
drifts from what the programs do fails.

Every fenced block says, in an HTML comment on the line before it, how it is checked:

  <!-- doc-test: run -->         commands, run in order as one bash script; it must exit 0
  <!-- doc-test: transcript -->  "$ COMMAND" lines and what follows each: run, and what they
                                 print (stdout and stderr) must be what the block shows
  <!-- doc-test: text -->        no commands: a synopsis, a listing, a file's lines, a log
  <!-- doc-test: not-run: WHY; checked by NAME -->
                                 cannot run here (it needs a terminal to type in, or a real
                                 /etc); NAME, a test or a script of the tree, checks it instead

The blocks of one page run in one scratch folder, in order, so a later block uses what an
earlier one made. In it, build/bin holds the programs under test and scripts the tree's scripts;
what needs root or the real /etc runs under a prefix there instead: `sudo` runs the command as
it is, /etc, /run and /usr/local/share/doc/gonet/examples are the scratch folder's own, `apt
install` checks that the package is installed, and `systemctl restart haproxy` starts HAProxy
as Debian's unit would, with the files under the prefix (`restart redis-server` too).

In a transcript a command's stdin is a terminal nobody types at (open and silent; a pipe of its
own, `printf ... | COMMAND`, ends); `COMMAND &` runs in the background (`kill %N` ends the Nth), and its lines may
come between a later command's; a line `^C` sends SIGINT to the command once it has printed the
lines before it. Lines are compared with times (12:34:56), ports the kernel picked (above
32767) and 16-digit node ids made the same.

  run_docs.py BIN_DIR SOURCE_DIR [PAGE ...]
  run_docs.py --self-test BIN_DIR SOURCE_DIR   a page that drifted must fail"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PAGES = ["README.md", "SECURITY.md", "docs/*.md"]
MARK = re.compile(r"<!-- doc-test: (?P<mode>run|transcript|text|not-run: (?P<why>.*?))\s*-->")
COMMAND_TIMEOUT = 20
LINE_TIMEOUT = 5


def normalize(line):
    line = re.sub(r"\b\d\d:\d\d:\d\d\b", "HH:MM:SS", line)
    line = re.sub(r"(?<=:)(3[2-9]\d{3}|[4-6]\d{4})\b", "PORT", line)
    line = re.sub(r"\b[0-9a-f]{16}\b", "NODEID", line)
    return line.rstrip()


class Scratch:
    """A page's folder, and the shims that put root's commands under it."""

    def __init__(self, bin_dir, source_dir):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="gonet-doc."))
        self.source = pathlib.Path(source_dir)
        (self.dir / "build").mkdir()
        (self.dir / "build" / "bin").symlink_to(pathlib.Path(bin_dir).resolve())
        (self.dir / "scripts").symlink_to(self.source / "scripts")
        (self.dir / "servers").symlink_to(self.source / "servers")
        examples = self.dir / "usr/local/share/doc/gonet/examples"
        examples.mkdir(parents=True)
        for name in ("haproxy.cfg", "redis-acl.txt"):
            text = (self.source / "servers/deploy" / name).read_text()
            (examples / name).write_text(text.replace("/etc/haproxy/", f"{self.dir}/etc/haproxy/"))
        for folder in ("etc/haproxy", "etc/default", "etc/redis", "run/haproxy", "run/redis",
                       "var/log/redis", "var/lib/redis"):
            (self.dir / folder).mkdir(parents=True)
        debian_redis = pathlib.Path("/etc/redis/redis.conf")
        if debian_redis.exists():
            text = debian_redis.read_text()
            for real in ("/run/redis", "/var/log/redis", "/var/lib/redis"):
                text = text.replace(real, f"{self.dir}{real}")
            (self.dir / "etc/redis/redis.conf").write_text(text)
        debian = pathlib.Path("/etc/haproxy/haproxy.cfg")
        if debian.exists():
            text = debian.read_text()
            # Debian's own file, as the package installs it, under the prefix.
            text = text.replace("/run/", f"{self.dir}/run/")
            (self.dir / "etc/haproxy/haproxy.cfg").write_text(text)
        self.groups = []  # process groups of the run blocks, ended with the page
        self.shims = self.dir / ".shims"
        self.shims.mkdir()
        self._shim("sudo", 'exec "$@"')
        self._shim("apt", 'shift; for p in "$@"; do dpkg-query -W -f=\'${Status}\' "$p" '
                   "2>/dev/null | grep -q 'install ok installed' || "
                   '{ echo "apt: $p is not installed" >&2; exit 1; }; done')
        self._shim("systemctl", f'''
case "$*" in
  "restart haproxy")
    [ -f "{self.dir}/haproxy.pid" ] && kill "$(cat "{self.dir}/haproxy.pid")" 2>/dev/null && sleep 0.3
    EXTRAOPTS="-S {self.dir}/run/haproxy-master.sock"
    [ -f "{self.dir}/etc/default/haproxy" ] && . "{self.dir}/etc/default/haproxy"
    # Debian's unit: haproxy -Ws -f $CONFIG -p $PIDFILE $EXTRAOPTS, here as a daemon.
    exec /usr/sbin/haproxy -D -f "{self.dir}/etc/haproxy/haproxy.cfg" \\
      -p "{self.dir}/haproxy.pid" $EXTRAOPTS ;;
  "restart redis-server")
    [ -f "{self.dir}/run/redis/redis-server.pid" ] &&
      kill "$(cat "{self.dir}/run/redis/redis-server.pid")" 2>/dev/null && sleep 0.3
    # Debian's unit: redis-server /etc/redis/redis.conf, which daemonizes.
    /usr/bin/redis-server "{self.dir}/etc/redis/redis.conf" || exit 1
    for i in $(seq 50); do [ -s "{self.dir}/run/redis/redis-server.pid" ] && exit 0; sleep 0.1; done
    echo "redis-server did not start: $(tail -3 "{self.dir}/var/log/redis/redis-server.log")" >&2
    exit 1 ;;
  *) echo "systemctl $*: not run by the doc tests" >&2; exit 1 ;;
esac''')
        self.env = dict(os.environ, PATH=f"{self.shims}:{self.dir}/build/bin:{os.environ['PATH']}",
                        HOME=str(self.dir), GONET_BIN=str(pathlib.Path(bin_dir).resolve()))

    def _shim(self, name, body):
        path = self.shims / name
        path.write_text(f"#!/bin/bash\n{body}\n")
        path.chmod(0o755)

    def rewrite(self, command):
        """The command as it runs under the prefix."""
        for real in ("/etc/haproxy", "/etc/default/haproxy", "/etc/redis", "/run/",
                     "/usr/local/share/doc/gonet"):
            command = re.sub(rf"(?<![\w/.]){re.escape(real)}", f"{self.dir}{real}", command)
        return command

    def end(self):
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGTERM)
            except ProcessLookupError:
                pass
        daemons = []
        for pid_file in (self.dir / "haproxy.pid", self.dir / "run/redis/redis-server.pid"):
            if pid_file.exists():
                daemons += [int(pid) for pid in pid_file.read_text().split() if pid.isdigit()]
        for pid in daemons:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        # Before the folder goes: Redis saves its data there as it stops, and does not stop
        # while it cannot.
        deadline = time.monotonic() + 10
        while daemons and time.monotonic() < deadline:
            daemons = [pid for pid in daemons if pathlib.Path(f"/proc/{pid}").exists() and
                       "Z" not in pathlib.Path(f"/proc/{pid}/stat").read_text().split()[2:3]]
            time.sleep(0.05)
        for pid in daemons:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


class Job:
    """A command of a transcript, its stdout and stderr as one stream of lines."""

    def __init__(self, scratch, command):
        self.process = subprocess.Popen(
            ["bash", "-c", scratch.rewrite(command)], cwd=scratch.dir, env=scratch.env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        # A terminal nobody types at: open, silent, until the command ends.
        os.set_blocking(self.process.stdout.fileno(), False)
        self.pending = b""
        self.lines = []
        self.taken = 0  # lines matched with the transcript's so far
        self.ended = False

    def poll(self):
        try:
            chunk = self.process.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            self.pending += chunk
        elif chunk == b"" and self.process.poll() is not None:
            self.ended = True
        *whole, self.pending = self.pending.split(b"\n")
        self.lines += [line.decode(errors="replace") for line in whole]
        if self.ended and self.pending:
            self.lines.append(self.pending.decode(errors="replace"))
            self.pending = b""

    def signal(self, sig):
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            if self.ended:
                return True
            time.sleep(0.02)
        return False


def run_transcript(scratch, body, where):
    """What differs between the transcript and what its commands print, or nothing."""
    steps = []  # (command, expected lines)
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        else:
            return [f"{where}: a transcript begins with a line that is no command"]
    background = []
    problems = []
    try:
        for command, expected in steps:
            command = re.sub(r"\s+#.*$", "", command)
            killed = re.fullmatch(r"kill %(\d+)", command.strip())
            if killed:
                job = background[int(killed.group(1)) - 1]
                job.signal(signal.SIGTERM)
                job.wait(LINE_TIMEOUT)
                streams = [job]
                foreground = None
            elif command.rstrip().endswith("&"):
                foreground = None
                job = Job(scratch, command.rstrip()[:-1])
                background.append(job)
                streams = background
            else:
                foreground = Job(scratch, command)
                streams = [foreground] + background
            problems += match(expected, foreground, streams, where, command)
            if killed and not problems and job.lines[job.taken:]:
                problems.append(f"{where}: `{command}`: the job printed more than the doc "
                                f"shows: {job.lines[job.taken:]!r}")
            if foreground:
                foreground.signal(signal.SIGTERM)
                foreground.wait(LINE_TIMEOUT)
            if problems:
                break
    finally:
        for job in background:
            job.signal(signal.SIGTERM)
            if not job.wait(LINE_TIMEOUT):
                job.signal(signal.SIGKILL)
    return problems


def match(expected, foreground, streams, where, command):
    """Each expected line is the next line of one of the streams (their order each kept); a ^C
    sends SIGINT to the foreground command. Then the foreground must end, with nothing more."""
    for want in expected:
        if want == "^C" and foreground:
            foreground.signal(signal.SIGINT)
            continue
        deadline = time.monotonic() + LINE_TIMEOUT
        while True:
            for job in streams:
                job.poll()
            found = next((job for job in streams if len(job.lines) > job.taken and
                          normalize(job.lines[job.taken]) == normalize(want)), None)
            if found:
                found.taken += 1
                break
            if time.monotonic() > deadline:
                seen = [line for job in streams for line in job.lines[job.taken:]]
                return [f"{where}: `{command}`: wanted {want!r}, got {seen!r}"]
            time.sleep(0.02)
    if foreground and expected[-1:] != ["^C"]:
        if not foreground.wait(COMMAND_TIMEOUT):
            return [f"{where}: `{command}` did not end after its last line"]
        extra = foreground.lines[foreground.taken:]
        if extra:
            return [f"{where}: `{command}` printed more than the doc shows: {extra!r}"]
    return []


def run_script(scratch, body, where):
    """The block as one bash script; what it leaves running in the background (servers started
    with `&`) runs on until the page's end."""
    script = "set -e\n" + "\n".join(scratch.rewrite(line) for line in body.splitlines())
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(["bash", "-c", script], cwd=scratch.dir, env=scratch.env,
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                   start_new_session=True)
        scratch.groups.append(process.pid)
        try:
            status = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            return [f"{where}: not done within 60 s"]
        output.seek(0)
        said = output.read().decode(errors="replace").strip()
    if status != 0:
        return [f"{where}: exit {status}: {said[-600:]}"]
    return []


def checked_elsewhere(source, why, where):
    """A not-run block must name what checks it, and that must exist in the tree."""
    named = re.search(r"checked by `?([\w.*/-]+)`?", why)
    if not named:
        return [f"{where}: not-run without 'checked by NAME'"]
    name = named.group(1)
    if (source / name).exists():
        return []
    registered = (source / "tests/CMakeLists.txt").read_text()
    wanted = re.escape(name).replace(r"\*", r"[\w.]*")
    if re.search(rf"add_test\(NAME {wanted}\b", registered):
        return []
    test = name.split(".")
    if len(test) == 2:
        suite, case = test
        pattern = re.compile(rf"TEST(_F)?\({re.escape(suite)},\s*" +
                             (r"\w+" if case == "*" else re.escape(case)) + r"\)")
        for path in (source / "tests").rglob("*.cpp"):
            if pattern.search(path.read_text(errors="replace")):
                return []
    return [f"{where}: checked by {name}, which is no test or file of the tree"]


def fenced_blocks(text):
    """(line number, the line before the fence, body) of each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")),
                       len(lines))
            yield i + 1, lines[i - 1] if i > 0 else "", "\n".join(lines[i + 1:end]) + "\n"
            i = end + 1
        else:
            i += 1


def check_page(bin_dir, source, page):
    text = page.read_text(encoding="utf-8")
    scratch = Scratch(bin_dir, source)
    problems = []
    blocks = 0
    try:
        for line, before, body in fenced_blocks(text):
            blocks += 1
            where = f"{page.relative_to(source) if source in page.parents else page}:{line}"
            mark = MARK.search(before)
            if not mark:
                problems.append(f"{where}: the block does not say how it is checked "
                                "(<!-- doc-test: ... --> on the line before)")
            elif mark.group("mode") == "run":
                problems += run_script(scratch, body, where)
            elif mark.group("mode") == "transcript":
                problems += run_transcript(scratch, body, where)
            elif mark.group("mode") == "text":
                if any(line.startswith("$ ") for line in body.splitlines()):
                    problems.append(f"{where}: a text block with commands in it")
            else:
                problems += checked_elsewhere(source, mark.group("why"), where)
    finally:
        scratch.end()
    return blocks, problems


def self_test(bin_dir, source):
    """A doc that drifted fails: the README with one word of a transcript's output changed, and
    with a block's mark taken away, each fails with one problem."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="gonet-doc-self."))
    readme = (source / "README.md").read_text(encoding="utf-8")
    drifts = {
        "a word changed": readme.replace("clock2: listening on 127.0.0.1:8020",
                                         "clock2: listening at 127.0.0.1:8020"),
        "a mark taken away": readme.replace("<!-- doc-test: transcript -->", "", 1),
    }
    failed = 0
    try:
        for what, text in drifts.items():
            assert text != readme, what
            page = folder / "README.md"
            page.write_text(text, encoding="utf-8")
            _, problems = check_page(bin_dir, source, page)
            print(f"{what}: {problems}")
            failed += len(problems) == 1
        return 0 if failed == len(drifts) else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    if sys.argv[1] == "--self-test":
        return self_test(sys.argv[2], pathlib.Path(sys.argv[3]).resolve())
    bin_dir, source = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    names = sys.argv[3:] or PAGES
    pages = [page for name in names for page in sorted(source.glob(name))]
    failures = 0
    total = 0
    for page in pages:
        blocks, problems = check_page(bin_dir, source, page)
        total += blocks
        for problem in problems:
            print(problem)
        failures += len(problems)
    print(f"{total} blocks in {len(pages)} pages, {failures} problems")
    return 1 if failures or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
