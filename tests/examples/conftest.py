"""Fixtures for the examples' tests.

- The shipped stacks' outputs as `pulumi stack output --json [--show-secrets]` prints them,
  from the offline plan run in-process (never hard-coded: a change to the exports shows here).
- fakeredis with Lua, where a real server adds nothing.
- `product_store`: the catalog's database, in memory, for the cache-aside and API tests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from infra.plan.secrets import is_secret
from infra.stackfile import flat_stack_config, stack_names

SHIPPED_STACKS = stack_names()
MASKED = "[secret]"


def cli_json(value: Any, show_secrets: bool = True) -> Any:
    """The program's recorded stack outputs as the CLI prints them with --json: secrets
    revealed (--show-secrets) or "[secret]", whole numbers as JSON integers."""
    if isinstance(value, dict):
        if is_secret(value):
            return cli_json(value["value"], show_secrets) if show_secrets else MASKED
        return {key: cli_json(item, show_secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [cli_json(item, show_secrets) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.fixture
def plan_variant() -> Callable[..., dict[str, Any]]:
    """plan_variant(stack, cache, **changes): the outputs (--show-secrets shape) of a shipped
    stack with one cache's keys changed, e.g. plan_variant("dev", "sessions", shards=2)."""
    from infra.plan.report import run_plan

    def _plan(stack: str, cache: str, **changes: Any) -> dict[str, Any]:
        flat = flat_stack_config(stack)
        caches = json.loads(flat["managed-cache:caches"])
        caches[cache].update(changes)
        flat["managed-cache:caches"] = json.dumps(caches)
        recorded = run_plan(stack, config=flat).recorder.stack_outputs
        return json.loads(json.dumps(cli_json(recorded)))

    return _plan


@pytest.fixture(scope="session")
def raw_outputs() -> dict[str, dict[str, Any]]:
    """Every shipped stack's recorded outputs (secrets still wrapped), planned once."""
    from infra.plan.report import run_plan

    return {stack: run_plan(stack).recorder.stack_outputs for stack in SHIPPED_STACKS}


# The users the shipped stacks do not have: a password user and an IAM user.
RBAC_USERS = {"app": {"access": "on ~* +@all -@dangerous"},
              "reporting": {"access": "on ~* +@read", "iam": True}}


@pytest.fixture(scope="session")
def rbac_outputs() -> dict[str, Any]:
    """The `dev` stack's outputs (--show-secrets shape) with RBAC_USERS on its replication group
    `sessions` and on a serverless cache `bursty`, planned once."""
    from infra.plan.report import run_plan

    flat = flat_stack_config("dev")
    caches = json.loads(flat["managed-cache:caches"])
    caches["sessions"]["aws"] = {"users": RBAC_USERS}
    caches["bursty"] = {"engine": "valkey", "aws": {"users": RBAC_USERS},
                        "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}}
    flat["managed-cache:caches"] = json.dumps(caches)
    recorded = run_plan("dev", config=flat).recorder.stack_outputs
    return json.loads(json.dumps(cli_json(recorded)))


@pytest.fixture(scope="session")
def outputs(raw_outputs) -> dict[str, dict[str, Any]]:
    """`pulumi stack output --json --show-secrets` for every shipped stack."""
    return {stack: json.loads(json.dumps(cli_json(value))) for stack, value in
            raw_outputs.items()}


@pytest.fixture(scope="session")
def masked_outputs(raw_outputs) -> dict[str, dict[str, Any]]:
    """`pulumi stack output --json` (no --show-secrets) for every shipped stack."""
    return {stack: json.loads(json.dumps(cli_json(value, show_secrets=False)))
            for stack, value in raw_outputs.items()}


@pytest.fixture
def fake_server():
    fakeredis = pytest.importorskip("fakeredis")
    pytest.importorskip("lupa", reason="fakeredis needs lupa for Lua scripts (fakeredis[lua])")
    return fakeredis.FakeServer()


@pytest.fixture
def fake_redis(fake_server):
    """An async fake Redis client (bytes responses, as the catalog uses)."""
    import fakeredis

    return fakeredis.FakeAsyncRedis(server=fake_server)


class ProductStore:
    """Products in memory with versions, counting reads and writes. `gate` pauses a read after
    it has read the row (`read_done` is then set), the moment a slow reader is exposed to a
    concurrent update; `fail` makes reads raise after that."""

    def __init__(self, rows: dict[int, dict[str, Any]]):
        self.rows = rows
        self.reads = 0
        self.writes = 0
        self.gate: asyncio.Event | None = None
        self.read_done = asyncio.Event()
        self.fail: Exception | None = None

    async def ping(self) -> None:
        if self.fail is not None:
            raise self.fail

    async def fetch(self, product_id: int) -> dict[str, Any] | None:
        self.reads += 1
        row = self.rows.get(product_id)
        snapshot = dict(row) if row else None
        self.read_done.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return snapshot

    async def update(self, product_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        self.writes += 1
        row = self.rows.get(product_id)
        if row is None:
            return None
        row.update(changes, version=row["version"] + 1)
        return dict(row)


@pytest.fixture
def product_store() -> Callable[..., ProductStore]:
    """product_store(count=10): products 1..count, product i at 100 * i cents, version 1;
    product_store(rows={...}): exactly these rows (by id)."""

    def _store(count: int = 10, rows: dict[int, dict[str, Any]] | None = None) -> ProductStore:
        if rows is None:
            rows = {i: {"id": i, "price_cents": 100 * i, "version": 1}
                    for i in range(1, count + 1)}
        return ProductStore(rows)

    return _store


@pytest.fixture(autouse=True)
def current_event_loop_kept():
    """asyncio.run() leaves the main thread with no current event loop; Pulumi's mocks, which
    the plan fixtures and the rest of the suite use, need one. Put a fresh one back."""
    yield
    policy = asyncio.get_event_loop_policy()
    try:
        policy.get_event_loop()
    except RuntimeError:
        policy.set_event_loop(policy.new_event_loop())
