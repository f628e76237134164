#!/usr/bin/env python3
"""Counts the test cases in JUnit XML reports (lit's and ctest's) and prints
one line `N passed, N failed[, N skipped]`. Exits 1 if a report is missing or
any test failed."""

import sys
import xml.etree.ElementTree as ET


def count(path):
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        status = case.get("status", "")
        if case.find("failure") is not None or case.find("error") is not None \
                or status == "fail":
            failed += 1
        elif case.find("skipped") is not None or status in ("notrun", "disabled"):
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(paths):
    passed = failed = skipped = 0
    missing = []
    for path in paths:
        try:
            p, f, s = count(path)
        except (OSError, ET.ParseError) as err:
            missing.append(f"{path}: {err}")
            continue
        passed, failed, skipped = passed + p, failed + f, skipped + s
    for line in missing:
        print(f"summary: no results from {line}", file=sys.stderr)
    # A runner that produced no report counts as one failure.
    failed += len(missing)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
