#!/bin/sh
# Runs COMMAND... if TOOL is on PATH, else skips (exit 77, as a GoogleTest skip): a test of a tool
# that is missing is reported as skipped, and scripts/test.sh fails on a skip it does not expect,
# rather than the test vanishing at configure time.
#   tests/support/if_present.sh TOOL COMMAND...
tool=$1
shift
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "$tool is missing: scripts/setup.sh installs it"
  exit 77
fi
exec "$@"
