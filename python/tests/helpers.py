"""Helpers of the package's own tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

#: The repository root (python/tests/../..).
REPO = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, exited but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def gone_within(pid: int, seconds: float) -> bool:
    """Waits up to `seconds` for `pid` to exit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return not alive(pid)
