"""Shared test fixtures: run a component or the whole program under recording Pulumi mocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from infra.plan import mocks as mockcloud
from infra.stackfile import flat_stack_config


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
        pulumi.runtime.set_all_config(dict(config))
        from infra.program import main

        return run(main, stack=stack, preview=preview)

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
