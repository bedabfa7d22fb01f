#!/usr/bin/env python3
"""Checks each man page against the programs it documents: every flag a program's --help lists
is in the page, and every flag the page names is one of theirs.

    tests/man/check_man_pages.py BIN_DIR SOURCE_DIR"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from programs import PAGES  # noqa: E402


def help_flags(program):
    text = subprocess.run([program, "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"--([a-z][a-z-]+)", text))


def page_flags(page):
    with open(page) as source:
        text = source.read()
    return {name for name in re.findall(r"\bFl ([a-z][a-z-]*)", text) if len(name) > 1}


def main():
    bin_dir, source_dir = sys.argv[1:3]
    failures = []
    for page, programs in PAGES.items():
        documented = page_flags(f"{source_dir}/{page}")
        offered = set()
        for program in programs:
            flags = help_flags(f"{bin_dir}/{program}")
            offered |= flags
            for missing in sorted(flags - documented):
                failures.append(f"{page}: -{missing} of {program} --help is not in the page")
        for unknown in sorted(documented - offered):
            failures.append(f"{page}: -{unknown} is no flag of {', '.join(programs)}")
    for failure in failures:
        print(failure)
    print(f"{len(PAGES)} pages checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
