"""Shared test fixtures: run a component or the whole program under recording Pulumi mocks.

The program is deterministic for a given config, stack and mode, and many tests inspect the
same shipped stacks. Whole-program runs are therefore memoized for the session: the first test
to ask synthesizes, later ones get a deep copy of the recorded result (a copy, so no test can
change what another sees). `infra.plan.report.run_plan` is memoized the same way, before any
test module imports it. Components run through `run` are never memoized, and a test that
changes what the mocks answer asks for the `unmemoized` fixture.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from infra.plan import mocks as mockcloud
from infra.plan import report as plan_report
from infra.stackfile import flat_stack_config

_RECORDED: dict[tuple[str, bool, str], mockcloud.Recorder] = {}
_PLANNED: dict[tuple[str, bool, str], plan_report.Plan] = {}
_run_plan_uncached = plan_report.run_plan
_memo = {"enabled": True}


def _key(stack: str, preview: bool, config: dict[str, str] | None) -> tuple[str, bool, str]:
    return stack, preview, json.dumps(config, sort_keys=True)


def _memoized_run_plan(stack: str, preview: bool = False,
                       config: dict[str, str] | None = None) -> plan_report.Plan:
    key = _key(stack, preview, config)
    if not _memo["enabled"]:
        return _run_plan_uncached(stack, preview=preview, config=config)
    if key not in _PLANNED:
        _PLANNED[key] = _run_plan_uncached(stack, preview=preview, config=config)
    return copy.deepcopy(_PLANNED[key])


plan_report.run_plan = _memoized_run_plan


@pytest.fixture
def unmemoized():
    """Whole-program runs in this test synthesize afresh and are not remembered."""
    _memo["enabled"] = False
    yield
    _memo["enabled"] = True


@pytest.fixture
def run() -> Callable[..., mockcloud.Recorder]:
    """run(program, stack="test", preview=False) -> Recorder of everything registered."""

    def _run(program: Callable[[], Any], stack: str = "test",
             preview: bool = False) -> mockcloud.Recorder:
        recorder = mockcloud.install(stack, preview=preview)
        mockcloud.run_program(program)
        return recorder

    return _run


@pytest.fixture
def run_stack(run) -> Callable[..., mockcloud.Recorder]:
    """run_stack(flat_config or stack name, preview=False): the whole program, as `pulumi up`."""

    def _run_stack(config: dict[str, str] | str, stack: str = "test",
                   preview: bool = False) -> mockcloud.Recorder:
        if isinstance(config, str):
            stack, config = config, flat_stack_config(config)
        key = _key(stack, preview, config)
        if key not in _RECORDED or not _memo["enabled"]:
            pulumi.runtime.set_all_config(dict(config))
            from infra.program import main

            recorder = run(main, stack=stack, preview=preview)
            if not _memo["enabled"]:
                return recorder
            _RECORDED[key] = recorder
        return copy.deepcopy(_RECORDED[key])

    return _run_stack


@pytest.fixture
def attempt() -> Callable[..., tuple[str, mockcloud.Recorder]]:
    """attempt(flat_config) -> (error message, recorder) for configs that must be refused."""

    def _attempt(config: dict[str, str]) -> tuple[str, mockcloud.Recorder]:
        from infra.config import ConfigError

        recorder = mockcloud.install("test")
        pulumi.runtime.set_all_config(dict(config))
        from infra.program import main

        with pytest.raises(ConfigError) as caught:
            mockcloud.run_program(main)
        return str(caught.value), recorder

    return _attempt
