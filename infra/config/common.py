"""Building blocks shared by the AWS and GCP config rules: problems, strict models, checks.

Every check appends a `Problem` (key path + a full sentence naming the bad value and what is
allowed) instead of raising, so one run reports every mistake at once.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from infra import naming

# Private ranges a cache may admit clients from: RFC 1918 and the RFC 6598 shared space.
PRIVATE_RANGES = tuple(ipaddress.ip_network(n) for n in
                       ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_WINDOW_MINUTES = 60
_WEEKLY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-"
                     r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$")
_DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class StrictModel(BaseModel):
    """Unknown keys are errors; values are immutable once parsed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def did_you_mean(value: str, choices: Any) -> str:
    """' Did you mean 'x'?' for a near miss (ties: both), or a choice the value abbreviates."""
    options = sorted(str(c) for c in choices)
    scored = sorted(((difflib.SequenceMatcher(None, value, c).ratio(), c) for c in options),
                    key=lambda sc: -sc[0])
    best = [c for ratio, c in scored if ratio >= 0.6 and ratio == scored[0][0]][:2]
    if not best and value:
        best = [c for c in options if c.startswith(value)][:1]
    if not best:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in best) + "?"


def parse_cidr(value: str, path: str, problems: list[Problem]) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as err:
        problems.append(Problem(path, f"{value!r} is not an IPv4 CIDR block ({err})."))
        return None


def is_private(net: ipaddress.IPv4Network) -> bool:
    return any(net.subnet_of(r) for r in PRIVATE_RANGES)  # type: ignore[arg-type]


def check_allowed_cidrs(cidrs: list[str], path: str, problems: list[Problem]) -> None:
    for i, cidr in enumerate(cidrs):
        net = parse_cidr(cidr, f"{path}.{i}", problems)
        if net is not None and not is_private(net):
            problems.append(Problem(f"{path}.{i}", f"{cidr!r} is not a private range; caches "
                                    "never admit clients from the internet. Use ranges inside "
                                    "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10."))


@dataclass(frozen=True)
class WeeklyWindow:
    day: str        # mon..sun
    hour: int
    minute: int
    minutes: int    # length


def check_weekly_window(value: str, path: str, problems: list[Problem]) -> WeeklyWindow | None:
    """'ddd:hh24:mi-ddd:hh24:mi' in UTC, at least 60 minutes (ElastiCache's rule)."""
    match = _WEEKLY.match(value)
    if not match:
        problems.append(Problem(path, f"{value!r} is not a maintenance window; use "
                                      "'ddd:hh24:mi-ddd:hh24:mi' in UTC, e.g. "
                                      "'sun:05:00-sun:06:00'."))
        return None
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1) * 1440 + int(h1) * 60 + int(m1)
    end = DAYS.index(d2) * 1440 + int(h2) * 60 + int(m2)
    minutes = (end - start) % (7 * 1440)
    if minutes < MIN_WINDOW_MINUTES:
        problems.append(Problem(path, f"{value!r} lasts {minutes} minutes; a maintenance window "
                                      f"needs at least {MIN_WINDOW_MINUTES}."))
        return None
    return WeeklyWindow(d1, int(h1), int(m1), minutes)


def check_daily_window(value: str, path: str, problems: list[Problem]) -> tuple[int, int] | None:
    """'hh24:mi-hh24:mi' in UTC, at least 60 minutes; returns (start hour, start minute)."""
    match = _DAILY.match(value)
    if not match:
        problems.append(Problem(path, f"{value!r} is not a snapshot window; use 'hh24:mi-hh24:mi' "
                                      "in UTC, e.g. '03:00-04:00'."))
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    minutes = (h2 * 60 + m2 - h1 * 60 - m1) % 1440
    if minutes < MIN_WINDOW_MINUTES:
        problems.append(Problem(path, f"{value!r} lasts {minutes} minutes; a snapshot window "
                                      f"needs at least {MIN_WINDOW_MINUTES}."))
        return None
    return h1, m1


# A new VPC's range when network.vpc_cidr is unset (both clouds).
DEFAULT_VPC_CIDR = "10.40.0.0/16"


# The two profiles; each cloud's defaults per profile live in infra/catalog/<cloud>.py.
PROFILE_NAMES = ("development", "production")


def check_cache_name(name: str, prefix: str, path: str, problems: list[Problem],
                      id_limit: bool = True) -> None:
    """Name syntax for both clouds; the 40-character id limit is ElastiCache's (GCP's own
    instance-id limits are checked in config/gcp.py)."""
    if not naming.is_valid_name_part(name):
        problems.append(Problem(path, f"the cache name {name!r} is not allowed; use lowercase "
                                      "letters, digits and single hyphens, starting with a "
                                      "letter and not ending with a hyphen."))
        return
    group_id = naming.replication_group_id(prefix, name)
    if id_limit and len(group_id) > naming.REPLICATION_GROUP_ID_MAX:
        problems.append(Problem(path, f"the cache id {group_id!r} is {len(group_id)} characters; "
                                      f"ElastiCache allows {naming.REPLICATION_GROUP_ID_MAX}. "
                                      "Shorten the cache name or set name_prefix."))
