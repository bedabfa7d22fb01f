#!/usr/bin/env python3
"""Checks each man page against the programs it documents: every flag a program's --help lists
is in the page, and every flag the page names is one of theirs; a flag said to be one program's
only ("(clock2 only)") is that program's alone. And each page, as mandoc and groff draw it, has
its quotes in pairs: no quote opened inside another, none left open.

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


def only_flags(page):
    """{flag: program} for each flag the page says is one program's only."""
    with open(page) as source:
        text = source.read()
    return dict(re.findall(r"^\.It Fl ([a-z][a-z-]*)[^\n]*\n\.Pq Nm ([a-z0-9]+) only$", text, re.M))


def quoting_problems(page):
    """Where a drawn page opens a quote inside another, or closes one never opened."""
    problems = []
    for name, command in (("mandoc", ["mandoc", "-Tutf8", page]),
                          ("groff", ["groff", "-mandoc", "-Tutf8", page])):
        try:
            drawn = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        except FileNotFoundError:
            continue  # groff is not on every machine; mandoc is (scripts/setup.sh)
        drawn = re.sub(r".\x08", "", drawn)  # overstrikes: bold and underline
        for paragraph in re.split(r"\n\s*\n", drawn):
            depth = 0
            for char in paragraph:
                if char == "\u2018":
                    depth += 1
                elif char == "\u2019":
                    depth -= 1
                if depth > 1 or depth < 0:
                    problems.append(f"{page} in {name}: quotes garbled in "
                                    f"{' '.join(paragraph.split())[:120]!r}")
                    break
    return problems


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
        for flag, owner in only_flags(f"{source_dir}/{page}").items():
            takers = [p for p in programs if flag in help_flags(f"{bin_dir}/{p}")]
            if takers != [owner]:
                failures.append(f"{page}: -{flag} is said to be {owner}'s only, but "
                                f"{', '.join(takers) or 'none'} take it")
        failures += quoting_problems(f"{source_dir}/{page}")
    for failure in failures:
        print(failure)
    print(f"{len(PAGES)} pages checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
