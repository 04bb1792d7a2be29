"""Fixtures for the config tests; the shared ones (run, run_stack, attempt) live in
tests/conftest.py and the config builders in tests/builders.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def refused(attempt) -> Callable[[dict[str, str], str], None]:
    """refused(flat_config, problem): the program stops on a ConfigError that lists the
    problem as one of its lines, and nothing was registered."""

    def _refused(config: dict[str, str], expected: str) -> None:
        message, recorder = attempt(config)
        assert f"  - {expected}" in message.splitlines(), message
        assert recorder.registrations == []

    return _refused
