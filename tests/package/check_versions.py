#!/usr/bin/env python3
"""Checks that every program prints `NAME (gonet) VERSION` for --version and exits 0, VERSION
being CMake's project version: the one place the version is written.

    tests/package/check_versions.py BIN_DIR VERSION"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from programs import PROGRAMS  # noqa: E402


def version_problems(bin_dir, version):
    """What is wrong with the --version of each program in bin_dir, one line each."""
    problems = []
    for program in PROGRAMS:
        want = f"{program} (gonet) {version}\n"
        try:
            run = subprocess.run([os.path.join(bin_dir, program), "--version"],
                                 capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired) as error:
            problems.append(f"{program} --version: {error}")
            continue
        if (run.returncode, run.stdout, run.stderr) != (0, want, ""):
            problems.append(f"{program} --version: exit {run.returncode}, stdout {run.stdout!r}, "
                            f"stderr {run.stderr!r}; want exit 0 and {want!r}")
    return problems


def main():
    bin_dir, version = sys.argv[1:3]
    problems = version_problems(bin_dir, version)
    for problem in problems:
        print(problem)
    print(f"{len(PROGRAMS)} programs checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
