"""Waiting with progress output: one line per poll, a clear error on timeout.

Interval and timeout come from the command line (`--poll-interval`, `--timeout`), so the tests
run with an interval of 0; `sleep` and `clock` are injectable for the same reason.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from ops.errors import OpsError, explain


@dataclass(frozen=True)
class Polling:
    interval: float = 15.0
    timeout: float = 1800.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def until(polling: Polling, check: Callable[[], tuple[bool, str]], timeout_message: str) -> None:
    """Call `check` (-> (done, one-line state)) until done; print each state with the time.

    The first check runs at once; with a timeout of 0 exactly one check runs. The change being
    waited for was accepted before the first check: when a poll fails (throttling, the network)
    or the operator interrupts, the message says so (`timeout_message`), since exit 2 otherwise
    means nothing was changed.
    """
    start = polling.clock()
    while True:
        try:
            done, state = check()
        except OpsError:
            raise
        except KeyboardInterrupt:
            _interrupted(timeout_message)
            raise
        except Exception as err:  # noqa: BLE001 - any failed poll: the change itself goes on
            raise OpsError(f"stopped waiting, a status poll failed ({explain(err)}); the change "
                           f"was accepted: {timeout_message}") from err
        elapsed = polling.clock() - start
        print(f"  [{elapsed:5.0f}s] {state}", flush=True)
        if done:
            return
        if elapsed >= polling.timeout:
            raise OpsError(f"timed out after {polling.timeout:g}s: {timeout_message}")
        try:
            polling.sleep(max(0.0, min(polling.interval, polling.timeout - elapsed)))
        except KeyboardInterrupt:
            _interrupted(timeout_message)
            raise


def _interrupted(timeout_message: str) -> None:
    print(f"stopped waiting; the change was accepted: {timeout_message}", file=sys.stderr)
