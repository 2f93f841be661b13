"""Counts conformance results and prints them at the end of the run."""

from __future__ import annotations

from collections import Counter

import pytest

COUNTS: Counter = Counter()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if "conformance" not in item.nodeid:
        return
    if report.when == "call":
        COUNTS["passed" if report.passed else "skipped" if report.skipped else "failed"] += 1
    elif report.when == "setup" and report.skipped:
        COUNTS["skipped"] += 1


def pytest_terminal_summary(terminalreporter):
    if sum(COUNTS.values()):
        terminalreporter.write_line(
            f"POML conformance: {COUNTS['passed']} passed, {COUNTS['failed']} failed, "
            f"{COUNTS['skipped']} skipped (cases.jsonl, oracle/cases.jsonl, examples/)"
        )
