"""The suite's in-process runs keep the SDK's contract for outputs (tests/conftest.py lets
wait_for_rpcs wake once per pass over the pending outputs instead of once per output that
finishes): a run returns only after every output, including those created while others
resolve, and an output that fails makes the run fail with its error."""

from __future__ import annotations

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
