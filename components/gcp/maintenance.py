"""The weekly maintenance window, as each Memorystore product's API takes it.

Memorystore for Redis, for Valkey and for Memcached each have their own argument classes of
the same shape (a policy holding one weekly window with a start time); this builds any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

Policy = TypeVar("Policy")


class WeeklyStart(Protocol):
    """Any component's args with a weekly start: MONDAY .. SUNDAY, hour and minute in UTC."""

    @property
    def maintenance_day(self) -> str: ...

    @property
    def maintenance_hour(self) -> int: ...

    @property
    def maintenance_minute(self) -> int: ...


def weekly_maintenance_policy(policy: Callable[..., Policy], window: Callable[..., Any],
                              start_time: Callable[..., Any], when: WeeklyStart,
                              **window_extra: Any) -> Policy:
    """policy(weekly_maintenance_windows=[window(day, start_time(hours, minutes), ...)])."""
    return policy(weekly_maintenance_windows=[window(
        day=when.maintenance_day,
        start_time=start_time(hours=when.maintenance_hour, minutes=when.maintenance_minute,
                              seconds=0, nanos=0),
        **window_extra)])
