"""Start-up figures of the installed wheel (`cargo xtask wheel bench`; not a test).

- a server's start: `Server().start()` until its admin API answers, and `stop()`;
- the `eventmock` fixture's cost per test once its process runs (reset + journal emptied);
- a pytest session of N tests using the fixture against N tests without it.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eventmock import Server

ROUNDS = 10
RESETS = 200
TESTS = 40


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def cold_starts() -> None:
    starts, stops = [], []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        server = Server().start()
        t1 = time.perf_counter()
        server.stop()
        t2 = time.perf_counter()
        starts.append(t1 - t0)
        stops.append(t2 - t1)
    print(f"server start (spawn -> admin API answers), median of {ROUNDS}: {ms(statistics.median(starts))}"
          f" (min {ms(min(starts))}, max {ms(max(starts))})")
    print(f"server stop (graceful), median of {ROUNDS}: {ms(statistics.median(stops))}")


def warm_resets() -> None:
    with Server() as server:
        times = []
        for _ in range(RESETS):
            t0 = time.perf_counter()
            server.reset()
            server.clear_requests()
            times.append(time.perf_counter() - t0)
    print(f"fixture per test on a running server (reset + journal cleared), median of {RESETS}:"
          f" {ms(statistics.median(times))}")


def session(with_fixture: bool, directory: Path) -> float:
    arg = "eventmock" if with_fixture else ""
    body = "".join(f"def test_{i}({arg}):\n    pass\n\n" for i in range(TESTS))
    path = directory / ("test_with.py" if with_fixture else "test_without.py")
    path.write_text(body, encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                   check=True, capture_output=True)
    return time.perf_counter() - t0


def sessions() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(session(False, Path(tmp)), session(True, Path(tmp))) for _ in range(3)]
    without = statistics.median(r[0] for r in runs)
    with_ = statistics.median(r[1] for r in runs)
    print(f"pytest, {TESTS} empty tests (median of 3 sessions): {ms(without)} without the fixture,"
          f" {ms(with_)} with it: {ms((with_ - without) / TESTS)} per test including one server start")


if __name__ == "__main__":
    cold_starts()
    warm_resets()
    sessions()
