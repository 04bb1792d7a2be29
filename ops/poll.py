"""Waiting with progress output: one line per poll, a clear error on timeout.

Interval and timeout come from the command line (`--poll-interval`, `--timeout`), so the tests
run with an interval of 0; `sleep` and `clock` are injectable for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ops.errors import OpsError


@dataclass(frozen=True)
class Polling:
    interval: float = 15.0
    timeout: float = 1800.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def until(polling: Polling, check: Callable[[], tuple[bool, str]], timeout_message: str) -> None:
    """Call `check` (-> (done, one-line state)) until done; print each state with the time.

    The first check runs at once; with a timeout of 0 exactly one check runs.
    """
    start = polling.clock()
    while True:
        done, state = check()
        elapsed = polling.clock() - start
        print(f"  [{elapsed:5.0f}s] {state}", flush=True)
        if done:
            return
        if elapsed >= polling.timeout:
            raise OpsError(f"timed out after {polling.timeout:g}s: {timeout_message}")
        polling.sleep(max(0.0, min(polling.interval, polling.timeout - elapsed)))
