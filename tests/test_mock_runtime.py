"""The suite's in-process runs keep the SDK's contract for outputs (tests/conftest.py lets
wait_for_rpcs wake once per pass over the pending outputs instead of once per output that
finishes): a run returns only after every output, including those created while others
resolve, and an output that fails makes the run fail with its error."""

from __future__ import annotations

import asyncio
import time

import pulumi
import pytest


def test_a_run_waits_for_outputs_created_while_others_resolve(run):
    resolved: list[int] = []

    def step(value: int) -> None:
        resolved.append(value)
        if value % 100 < 99:                 # each chain creates 99 outputs, one by one
            pulumi.Output.from_input(value + 1).apply(step)

    def program() -> None:
        for start in range(0, 2000, 100):
            pulumi.Output.from_input(start).apply(step)

    run(program)
    assert sorted(resolved) == list(range(2000))


def test_an_output_that_fails_fails_the_run(run):
    def fail_on_the_last(value: int) -> int:
        if value == 99:
            raise ValueError("the hundredth output failed")
        return value

    def program() -> None:
        for value in range(100):
            pulumi.Output.from_input(value).apply(fail_on_the_last)

    with pytest.raises(ValueError, match="the hundredth output failed"):
        run(program)


def test_a_run_waits_for_outputs_that_resolve_later(run):
    resolved: list[int] = []

    def program() -> None:
        for i in range(50):
            pulumi.Output.from_input(asyncio.sleep(0.001 * i, result=i)).apply(resolved.append)

    run(program)
    assert sorted(resolved) == list(range(50))


def test_a_failure_after_a_success_still_fails_the_run(run):
    async def fail_late() -> int:
        await asyncio.sleep(0.05)
        raise ValueError("the slow output failed")

    def program() -> None:
        pulumi.Output.from_input(1).apply(lambda value: value)
        pulumi.Output.from_input(fail_late()).apply(lambda value: value)

    with pytest.raises(ValueError, match="the slow output failed"):
        run(program)


def test_a_failure_created_during_a_pass_surfaces_while_another_output_is_pending(run):
    """The SDK wakes at each finished output and so sees a failure created meanwhile; the
    suite's one-pass wait must not sit on an output that is still pending instead."""
    async def slow() -> int:
        await asyncio.sleep(3)
        return 1

    def fail_soon(value: int) -> int:
        raise ValueError("created during the pass, failed")

    def start_a_failing_output(value: int) -> int:
        pulumi.Output.from_input(value).apply(fail_soon)    # nothing waits on it but the run
        return value

    def program() -> None:
        pulumi.Output.from_input(slow()).apply(lambda value: value)
        pulumi.Output.from_input(asyncio.sleep(0.01, result=1)).apply(start_a_failing_output)

    started = time.perf_counter()
    with pytest.raises(ValueError, match="created during the pass, failed"):
        run(program)
    assert time.perf_counter() - started < 2.5


def test_a_run_that_failed_part_way_leaves_nothing_for_the_next_run(run):
    # The language host exits after a failure; in one process the pending registrations of a
    # failed run would resume in the next run's loop and land in its recorder.
    import pulumi_random as random

    from infra.plan.mocks import _event_loop

    def failing() -> None:
        refused = pulumi.Output.from_input(1).apply(_refuse)
        random.RandomPassword("waits-for-the-failure", length=refused,
                              opts=pulumi.ResourceOptions(provider=random.Provider("r")))

    with pytest.raises(pulumi.RunError, match="refused"):
        run(failing)
    recorder = run(lambda: None)
    assert [t for t in asyncio.all_tasks(_event_loop()) if not t.done()] == []
    assert recorder.registrations == []


def _refuse(_: int) -> int:
    raise pulumi.RunError("refused")
