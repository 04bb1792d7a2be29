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
