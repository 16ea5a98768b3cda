"""Reporting for the security suite: the run's summary says how many authorization-matrix cells
(HTTP routes and WebSocket actions, actor by actor) ran and how they ended."""

from __future__ import annotations

from collections import Counter

import pytest

MATRIX_TESTS = ("::test_http_cell[", "::test_socket_cell[")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcomes: dict[str, str] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if any(test in nodeid for test in MATRIX_TESTS) and outcomes.get(nodeid, "passed") == "passed":
                outcomes[nodeid] = outcome
    if outcomes:
        counts = Counter(outcomes.values())
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        terminalreporter.write_line(f"authorization matrix: {len(outcomes)} cells ({detail})")
