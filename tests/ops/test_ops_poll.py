"""Waiting for a change AWS has accepted: an interrupt or a failed poll says it goes on."""

from __future__ import annotations

import pytest

from ops.errors import OpsError
from ops.poll import Polling, until

FAST = Polling(interval=0, timeout=60, sleep=lambda _: None)


@pytest.mark.parametrize("during", ["poll", "sleep"])
def test_an_interrupt_while_waiting_says_the_change_was_accepted(capsys, during):
    def interrupt(*_):
        raise KeyboardInterrupt

    polling = Polling(interval=1, timeout=60, sleep=interrupt) if during == "sleep" else FAST
    check = (lambda: (False, "modifying")) if during == "sleep" else interrupt
    with pytest.raises(KeyboardInterrupt):
        until(polling, check, "the failover may still complete; check with status")
    assert capsys.readouterr().err == ("stopped waiting; the change was accepted: the failover "
                                       "may still complete; check with status\n")


def test_a_refusal_from_the_check_itself_is_passed_on_unchanged():
    def refuse():
        raise OpsError("the group disappeared")

    with pytest.raises(OpsError, match="^the group disappeared$"):
        until(FAST, refuse, "unused")


class _Clock:
    """Time that passes only when the poller sleeps."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def test_polls_are_an_interval_apart_and_the_last_wait_ends_at_the_timeout(capsys):
    clock = _Clock()
    polling = Polling(interval=15, timeout=30.5, sleep=clock.sleep, clock=clock)
    checks = []

    def never_done():
        checks.append(clock.now)
        assert len(checks) < 10, "polling without waiting"
        return False, "modifying"

    with pytest.raises(OpsError, match="^timed out after 30.5s: still modifying$"):
        until(polling, never_done, "still modifying")
    assert clock.sleeps == [15, 15, 0.5]
    assert checks == [0, 15, 30, 30.5]


def test_a_timeout_of_zero_runs_exactly_one_check(capsys):
    clock = _Clock()
    checks = []

    def never_done():
        checks.append(clock.now)
        assert len(checks) < 10, "polling past the timeout"
        return False, "modifying"

    with pytest.raises(OpsError, match="^timed out after 0s"):
        until(Polling(interval=0, timeout=0, sleep=clock.sleep, clock=clock), never_done, "x")
    assert checks == [0]
