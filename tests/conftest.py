"""Shared test fixtures: run a component or the whole program under recording Pulumi mocks.

The program is deterministic for a given stack, mode and config, and many tests inspect the
same stacks. Whole-program runs (`run_stack`, and `infra.plan.report.run_plan`, replaced here
before any test module imports it) are therefore synthesized once per test run: the first test
to ask synthesizes, and every later one, in this worker or another (pytest-xdist), gets its own
copy of the recorded result, so no test can change what another sees. Components run through
`run` are never memoized, and a test that changes what the mocks answer asks for the
`unmemoized` fixture.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import os
import pickle
import types
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from infra.gc_tuning import tune_for_synthesis
from infra.plan import mocks as mockcloud
from infra.plan import report as plan_report

_run_plan_uncached = plan_report.run_plan
_memo = {"enabled": True}
_PLANNED: dict[str, bytes] = {}              # pickled: each caller unpickles its own copy
# The folder this test run's processes share results through (set by `_shared_synths`).
_SHARED: dict[str, Path] = {}


def _synthesized(stack: str, preview: bool, config: dict[str, str] | None) -> plan_report.Plan:
    """run_plan's result, synthesized once per test run; the caller gets its own copy."""
    if not _memo["enabled"]:
        return _run_plan_uncached(stack, preview=preview, config=config)
    key = hashlib.sha256(json.dumps([stack, preview, config], sort_keys=True).encode()
                         ).hexdigest()
    if key not in _PLANNED and "dir" not in _SHARED:
        _PLANNED[key] = pickle.dumps(_run_plan_uncached(stack, preview=preview, config=config))
    elif key not in _PLANNED:
        stored = _SHARED["dir"] / f"{key}.pickle"
        if stored.exists():
            _PLANNED[key] = stored.read_bytes()
        else:
            # No lock: a worker never waits for another; at worst both synthesize once.
            _PLANNED[key] = pickle.dumps(_run_plan_uncached(stack, preview=preview,
                                                            config=config))
            partial = stored.with_suffix(f".{os.getpid()}")
            partial.write_bytes(_PLANNED[key])
            partial.replace(stored)
    plan: plan_report.Plan = pickle.loads(_PLANNED[key])
    return plan


def _memoized_run_plan(stack: str, preview: bool = False,
                       config: dict[str, str] | None = None) -> plan_report.Plan:
    return _synthesized(stack, preview, config)


plan_report.run_plan = _memoized_run_plan


def pytest_collection_finish(session: pytest.Session) -> None:
    """The collector settings the program runs with (infra/gc_tuning.py), once every test
    module, and so both clouds' SDKs, is imported: the suite synthesizes hundreds of stacks."""
    tune_for_synthesis()


@pytest.fixture(scope="session", autouse=True)
def _no_source_positions() -> Iterator[None]:
    """Registrations carry no stack trace in this suite. The SDK walks the whole Python stack
    for each resource it registers (pytest's frames included) and turns every frame into a
    file URI, a fifth of a mock run's time; the mock monitor drops the result. The langhost
    tests (tests/stacks/test_langhost.py) run in their own processes and keep it."""
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sdk_resource, "_get_stack_trace", source_pb2.StackTrace)
        yield


# How long one pass may wait before the SDK's loop looks again at what was created meanwhile:
# an output created during the pass that fails must fail the run even while an earlier one
# has not resolved yet, as it does with the SDK's own loop.
PASS_SECONDS = 0.5


def _wait_for_all_or_first_failure(aws: Any, *, return_when: str) -> Any:
    """asyncio.wait as `_one_pass_output_wait` gives it to the SDK's wait_for_rpcs."""
    if return_when == asyncio.FIRST_COMPLETED:
        return asyncio.wait(aws, return_when=asyncio.FIRST_EXCEPTION, timeout=PASS_SECONDS)
    return asyncio.wait(aws, return_when=return_when)


@pytest.fixture(scope="session", autouse=True)
def _one_pass_output_wait() -> Iterator[None]:
    """The SDK's wait_for_rpcs waits on every pending output with FIRST_COMPLETED, awaits what
    finished (re-raising its failure) and waits on the rest again: one pass over the whole set
    for each output that finishes, so a mock run of a few hundred resources spent a third of its
    time there. Here it wakes at the first failure, when all are done, or after PASS_SECONDS;
    then, as before, it awaits what finished (re-raising a failure) and looks again at every
    pending output, those created meanwhile included. Which of two failures surfaces first, and
    how soon one among outputs created during a pass does, may differ. The langhost tests
    (tests/stacks/test_langhost.py) run in their own processes with the SDK's loop unchanged."""
    from pulumi.runtime import stack as runtime_stack

    sdk_asyncio = runtime_stack.asyncio
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime_stack, "asyncio", types.SimpleNamespace(
            **{**vars(sdk_asyncio), "wait": _wait_for_all_or_first_failure}))
        yield


@pytest.fixture(scope="session", autouse=True)
def _one_monitor_thread() -> Iterator[None]:
    """The SDK sends each registration to the monitor through the event loop's default
    executor, a pool of up to six threads; under the mocks every call is pure Python, so those
    threads only take turns on the GIL with the loop's own thread, and a stack's run spent an
    eighth of its time switching between them. Here each loop that runs a program gets its own
    one-thread executor (its own: asyncio.run shuts its loop's executor down): the calls still
    leave the loop's thread, as with a real engine, one at a time. The langhost tests
    (tests/stacks/test_langhost.py) keep the SDK's pool."""
    configured: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
    sdk_event_loop = mockcloud._event_loop

    def event_loop_with_one_monitor_thread() -> asyncio.AbstractEventLoop:
        loop = sdk_event_loop()
        if loop not in configured:
            loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="mock-monitor"))
            configured.add(loop)
        return loop

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mockcloud, "_event_loop", event_loop_with_one_monitor_thread)
        yield


@pytest.fixture(scope="session", autouse=True)
def _shared_synths(tmp_path_factory: pytest.TempPathFactory) -> None:
    """pytest's temporary folder for this run (pytest-xdist workers each have one below the
    run's own, which they share); pytest removes old runs' folders itself."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "synths"
    shared.mkdir(exist_ok=True)
    _SHARED["dir"] = shared


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
def run_stack() -> Callable[..., mockcloud.Recorder]:
    """run_stack(flat_config or stack name, preview=False): the whole program, as `pulumi up`."""

    def _run_stack(config: dict[str, str] | str, stack: str = "test",
                   preview: bool = False) -> mockcloud.Recorder:
        if isinstance(config, str):
            return _synthesized(config, preview, None).recorder
        return _synthesized(stack, preview, dict(config)).recorder

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
