#!/usr/bin/env python3
"""Fails when ctest skipped a test that the variant's list does not expect to skip.

    check_skips.py REPORT LIST

REPORT is ctest's --output-junit file; LIST names one test a line, '#' starting a comment (why
it is expected). A skip is a test that could not run here: a machine where Redis failed to
install must not pass quietly. A listed test that ran is fine: another machine may have more.
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ElementTree


def expected(path):
    names = set()
    for line in pathlib.Path(path).read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(name)
    return names


def why(testcase):
    """GoogleTest's skip message (the lines after "FILE:LINE: Skipped"), else the test's last
    line of output, else ctest's reason."""
    out = testcase.findtext("system-out") or ""
    said = re.search(r": Skipped\n(.*?)\n\[  SKIPPED \]", out, re.S)
    if said and said.group(1).strip():
        return " / ".join(said.group(1).strip().splitlines())
    if out.strip():
        return out.strip().splitlines()[-1]
    skipped = testcase.find("skipped")
    return skipped.get("message", "no reason given") if skipped is not None else "no reason given"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_skips.py REPORT LIST")
    report, listed = sys.argv[1], sys.argv[2]
    try:
        cases = ElementTree.parse(report).getroot().iter("testcase")
    except (OSError, ElementTree.ParseError) as error:
        sys.exit(f"check_skips: no test report: {error}")
    allowed = expected(listed)
    skipped = {case.get("name"): case for case in cases if case.get("status") == "notrun"}
    unexpected = sorted(set(skipped) - allowed)
    for name in sorted(set(skipped) & allowed):
        print(f"skipped as expected: {name}: {why(skipped[name])}")
    for name in unexpected:
        print(f"SKIPPED, not expected by {listed}: {name}: {why(skipped[name])}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
