"""Building blocks shared by the AWS and GCP config rules: problems, strict models, numeric
ranges (their table is limits.py), formats, networks, windows, a cache's name, size and
description, the `global:` block and engine parameters.

Every check appends a `Problem` (key path + a full sentence naming the bad value and what is
allowed) instead of raising, so one run reports every mistake at once.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from pydantic import BaseModel, ConfigDict

from infra import naming
from infra.catalog.parameters import Param, ParameterSet, version_key

if TYPE_CHECKING:   # schema.py builds on StrictModel below
    from infra.config.schema import CacheConfig, GlobalConfig, NetworkConfig

# Private ranges a cache may admit clients from: RFC 1918 and the RFC 6598 shared space.
PRIVATE_RANGES = tuple(ipaddress.ip_network(n) for n in
                       ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
PRIVATE_RANGES_TEXT = (", ".join(str(r) for r in PRIVATE_RANGES[:-1])
                       + f" or {PRIVATE_RANGES[-1]}")
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
    """Unknown keys are errors; values are immutable once parsed; numbers are finite (JSON's
    NaN and Infinity, which Python's json accepts, are no sizes or counts)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)


def near_misses(value: str, choices: Any) -> list[str]:
    """The choices `value` most likely meant (ties: both), or one it abbreviates; none when
    nothing is close."""
    options = sorted(str(c) for c in choices)
    scored = sorted(((difflib.SequenceMatcher(None, value, c).ratio(), c) for c in options),
                    key=lambda sc: -sc[0])
    best = [c for ratio, c in scored if ratio >= 0.6 and ratio == scored[0][0]][:2]
    if not best and value:
        best = [c for c in options if c.startswith(value)][:1]
    return best


def did_you_mean(value: str, choices: Any) -> str:
    """' Did you mean 'x'?' for a near miss (ties: both), or a choice the value abbreviates."""
    best = near_misses(value, choices)
    if not best:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in best) + "?"


@dataclass(frozen=True)
class Range:
    """A simple numeric limit of a config key, low to high inclusive (infra/config/limits.py).

    `allowed` ends the message "<value> is not allowed; <allowed>.", with {low} and {high}
    standing for the limits; `shown` is how the value is written there; `whole` also refuses
    fractions."""

    low: float
    high: float
    allowed: str
    shown: str = "{value}"
    whole: bool = False


def check_range(value: float, limit: Range, path: str, problems: list[Problem]) -> bool:
    """True when `value` is within `limit`; otherwise one Problem phrased from the limit."""
    if limit.low <= value <= limit.high and (not limit.whole or float(value) == int(value)):
        return True
    problems.append(Problem(path, f"{limit.shown.format(value=value)} is not allowed; "
                                  f"{limit.allowed.format(low=limit.low, high=limit.high)}."))
    return False


def check_format(values: str | Sequence[str] | None, pattern: re.Pattern[str], path: str,
                 what: str, problems: list[Problem]) -> None:
    """A value, or each item of a list (keyed by its index), must match `pattern`; otherwise
    "<value> is not <what>."."""
    items = [(path, values)] if isinstance(values, str) else \
        [(f"{path}.{i}", v) for i, v in enumerate(values or [])]
    for where, value in items:
        if not pattern.match(value):
            problems.append(Problem(where, f"{value!r} is not {what}."))


def parse_cidr(value: str, path: str, problems: list[Problem]) -> ipaddress.IPv4Network | None:
    """An IPv4 block written `a.b.c.d/n`. Python also reads a bare address (as a /32) and a
    netmask (`/255.255.0.0`), but the value goes to the cloud as written and the AWS provider
    refuses both: its CIDR validators parse with Go's net.ParseCIDR (terraform-provider-aws
    internal/types/cidr_block.go)."""
    try:
        net = ipaddress.IPv4Network(value)
    except ValueError as err:
        problems.append(Problem(path, f"{value!r} is not an IPv4 CIDR block ({err})."))
        return None
    if str(net) != value:
        problems.append(Problem(path, f"{value!r} is not written as a CIDR block; write "
                                      f"{str(net)!r} (address/prefix length)."))
        return None
    return net


def is_private(net: ipaddress.IPv4Network) -> bool:
    return any(net.subnet_of(r) for r in PRIVATE_RANGES)  # type: ignore[arg-type]


def check_private(value: str, net: ipaddress.IPv4Network, path: str,
                  problems: list[Problem]) -> bool:
    """A range the stack creates (a VPC, GCP's private services range) must be private."""
    if is_private(net):
        return True
    problems.append(Problem(path, f"{value!r} is not a private range; use part of "
                                  f"{PRIVATE_RANGES_TEXT}."))
    return False


# A new VPC's range when network.vpc_cidr is unset (both clouds).
DEFAULT_VPC_CIDR = "10.40.0.0/16"
# Each subnet takes 1/16 of a new VPC (4 bits smaller), so its prefix is /16 to /24.
SUBNET_PREFIX_BITS = 4
SUBNETS_PER_VPC = 2 ** SUBNET_PREFIX_BITS
VPC_PREFIXES = (16, 24)


def uses_existing_network(cfg: NetworkConfig, choices: str, path: str,
                          problems: list[Problem]) -> bool:
    """Whether `network:` names an existing network (vpc_id or subnet_ids) rather than a new
    one (vpc_cidr); setting both is refused, `choices` naming the two ways."""
    existing = cfg.vpc_id is not None or cfg.subnet_ids is not None
    if cfg.vpc_cidr is not None and existing:
        problems.append(Problem(path, f"set {choices}, not both."))
    return bool(existing)


def check_vpc_cidr(vpc_cidr: str, subnets: str, path: str,
                   problems: list[Problem]) -> ipaddress.IPv4Network | None:
    """A new VPC's range: an IPv4 block of /16 to /24, private. `subnets` says, in the message,
    how the cloud's subnets are carved from it. Returns the block when it parses."""
    net = parse_cidr(vpc_cidr, path, problems)
    if net is None:
        return None
    low, high = VPC_PREFIXES
    if not low <= net.prefixlen <= high:
        problems.append(Problem(path, f"{vpc_cidr!r} is a /{net.prefixlen}; use a prefix from "
                                      f"/{low} to /{high} ({subnets})."))
    # Both mistakes at once: a public /8 would otherwise be refused twice, one fix at a time.
    check_private(vpc_cidr, net, path, problems)
    return net


def check_allowed_cidrs(cidrs: list[str], path: str, problems: list[Problem]) -> None:
    for i, cidr in enumerate(cidrs):
        net = parse_cidr(cidr, f"{path}.{i}", problems)
        if net is not None and not is_private(net):
            problems.append(Problem(f"{path}.{i}", f"{cidr!r} is not a private range; caches "
                                    "never admit clients from the internet. Use ranges inside "
                                    f"{PRIVATE_RANGES_TEXT}."))


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


@dataclass(frozen=True)
class DailyWindow:
    hour: int
    minute: int
    minutes: int    # length


def check_daily_window(value: str, path: str, problems: list[Problem]) -> DailyWindow | None:
    """'hh24:mi-hh24:mi' in UTC, at least 60 minutes."""
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
    return DailyWindow(h1, m1, minutes)


def resolve_snapshots(retention: int | None, window: str | None, default_retention: int,
                      default_window: str, limit: Range, path: str, problems: list[Problem]
                      ) -> tuple[int, DailyWindow | None]:
    """`snapshot_retention_days` (the profile's when unset, within `limit`) and the start of
    `snapshot_window` (the profile's when unset), each checked at its key."""
    days = retention if retention is not None else default_retention
    check_range(days, limit, f"{path}.snapshot_retention_days", problems)
    return days, check_daily_window(window or default_window, f"{path}.snapshot_window",
                                    problems)



def check_cache_name(name: str, prefix: str, path: str, problems: list[Problem],
                     id_max: int | None = naming.REPLICATION_GROUP_ID_MAX) -> None:
    """Name syntax for both clouds, and the cache id's length where `id_max` is given:
    ElastiCache's (GCP's own instance-id limits are checked in config/gcp.py)."""
    if not naming.is_valid_name_part(name):
        problems.append(Problem(path, f"the cache name {name!r} is not allowed; use lowercase "
                                      "letters, digits and single hyphens, starting with a "
                                      "letter and not ending with a hyphen."))
        return
    group_id = naming.replication_group_id(prefix, name)
    if id_max is not None and len(group_id) > id_max:
        problems.append(Problem(path, f"the cache id {group_id!r} is {len(group_id)} characters; "
                                      f"ElastiCache allows {id_max}. "
                                      "Shorten the cache name or set name_prefix."))


def check_sizing_keys(node_type: str | None, memory_gb: float | None, unit: str, path: str,
                      problems: list[Problem]) -> bool:
    """A cache is sized by node_type or by memory_gb (a positive number of `unit`), not both.
    False when a problem was reported and no node type can be picked."""
    if node_type is not None and memory_gb is not None:
        problems.append(Problem(path, "set node_type or memory_gb, not both."))
        return False
    if memory_gb is not None and memory_gb <= 0:
        problems.append(Problem(f"{path}.memory_gb", f"{memory_gb} is not allowed; use a "
                                                     f"positive number of {unit}."))
        return False
    return True


class ProfileDefaults(Protocol):
    """What both clouds' profile defaults say about a cache's protection and secret."""

    @property
    def deletion_protection(self) -> bool: ...

    @property
    def connection_secret(self) -> bool: ...


class ProfileChoices(TypedDict):
    deletion_protection: bool
    secret: bool


def profile_choices(cfg: CacheConfig, defaults: ProfileDefaults) -> ProfileChoices:
    """deletion_protection and secret: the cache's own setting, else its profile's."""
    return ProfileChoices(
        deletion_protection=cfg.deletion_protection if cfg.deletion_protection is not None
        else defaults.deletion_protection,
        secret=cfg.secret if cfg.secret is not None else defaults.connection_secret)


def resolve_description(description: str | None, prefix: str, name: str, detail: str,
                        path: str, problems: list[Problem], why: str = "") -> str:
    """The description as written, which must not be empty (`why` says why, if the cloud
    requires one), else `managed-cache <prefix>/<cache>` and the detail in brackets."""
    if description is not None and not description.strip():
        problems.append(Problem(f"{path}.description", f"must not be empty{why}."))
    return description or f"managed-cache {prefix}/{name}" + (f" ({detail})" if detail else "")


# ---------------------------------------------------------------------------------------------
# `global:` (AWS Global Datastore / Memorystore for Valkey cross-region replication)
# ---------------------------------------------------------------------------------------------
def secondary_regions(cfg: GlobalConfig, limit: Range, path: str,
                      problems: list[Problem]) -> list[str]:
    """secondary_region or secondary_regions (not both), as many as `limit` allows."""
    if cfg.secondary_region is not None and cfg.secondary_regions is not None:
        problems.append(Problem(path, "set secondary_region or secondary_regions, not both."))
    regions: list[str] = cfg.secondary_regions if cfg.secondary_regions is not None else (
        [cfg.secondary_region] if cfg.secondary_region is not None else [])
    check_range(len(regions), limit, path, problems)
    return regions


def check_secondary(cfg: GlobalConfig, i: int, secondary: str, region: str, known: Collection[str],
                    unknown: str, path: str, problems: list[Problem]) -> str | None:
    """The key path of the i-th secondary region when it is a `known` region other than the
    primary `region`; None when a problem was reported (`unknown` names what it is not)."""
    key = f"{path}.secondary_regions.{i}" if cfg.secondary_regions is not None \
        else f"{path}.secondary_region"
    if secondary not in known:
        problems.append(Problem(key, f"{secondary!r} is not {unknown}."
                                + did_you_mean(secondary, known)))
    elif secondary == region:
        problems.append(Problem(key, f"{secondary!r} is the primary region; a secondary must "
                                     "be another region."))
    else:
        return key
    return None


def check_each_once(values: Sequence[str], path: str, problems: list[Problem]) -> None:
    """A list of sources (CIDRs, security groups): each once, as each becomes a rule of its
    own and EC2 refuses a second identical rule (InvalidPermission.Duplicate)."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            problems.append(Problem(f"{path}.{i}", f"{value!r} is listed twice; list it once."))
        seen.add(value)


def check_listed_once(regions: list[str], path: str, problems: list[Problem]) -> None:
    if len(set(regions)) != len(regions):
        problems.append(Problem(path, "a secondary region is listed twice."))


def secondary_replicas(cfg: GlobalConfig, replicas: int, limit: Range, path: str,
                       problems: list[Problem]) -> tuple[int, bool]:
    """Replicas per shard in each secondary region (the primary's unless set), and whether
    the count is within `limit`."""
    count: int = cfg.secondary_replicas if cfg.secondary_replicas is not None else replicas
    return count, check_range(count, limit, f"{path}.secondary_replicas", problems)


# ---------------------------------------------------------------------------------------------
# Engine parameters, both clouds: one check driven by infra/catalog/parameters.py.
# ---------------------------------------------------------------------------------------------
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_PERCENT = re.compile(r"^(\d+)%$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(b|k|kb|m|mb|g|gb)?$", re.IGNORECASE)
_ALLOWED_LIST_MAX = 20      # list every allowed name when there are at most this many


def check_cache_parameters(params: Mapping[str, Any], pset: ParameterSet | None,
                           version: str | None, cloud: str, path: str, problems: list[Problem],
                           limits: Mapping[str, tuple[float, float, str]] | None = None
                           ) -> dict[str, str]:
    """A cache's `parameters` (check_parameters); cluster-enabled is the program's, set from
    shards and <cloud>.cluster_mode."""
    return check_parameters(
        params, pset, version, f"{path}.parameters", problems,
        managed={"cluster-enabled": f"is set from shards (and {cloud}.cluster_mode); remove it "
                                    "from parameters."},
        limits=limits)


def check_parameters(params: Mapping[str, Any], pset: ParameterSet | None, version: str | None,
                     path: str, problems: list[Problem], *,
                     managed: Mapping[str, str] | None = None,
                     limits: Mapping[str, tuple[float, float, str]] | None = None
                     ) -> dict[str, str]:
    """Each parameter checked against its target's data: the name exists there and may be set,
    the engine version has it, and the value is in its set or range.

    `pset` is None when the engine version is unknown (already reported): only the value types
    are checked then. `managed` names parameters the program sets itself, with the message
    that says where they come from; `limits` narrows a range from other settings, as
    (low, high, why). Returns the values spelled as the cloud takes them, sorted by name.
    """
    managed = managed or {}
    limits = limits or {}
    out: dict[str, str] = {}
    for key, value in params.items():
        where = f"{path}.{key}"
        if key in managed:
            problems.append(Problem(where, managed[key]))
        elif value is None or not isinstance(value, (str, int, float)):
            problems.append(Problem(where, f"{value!r} is not allowed; a parameter value is a "
                                           "string, number or boolean."))
        elif pset is not None:
            message = _name_problem(key, pset, version)
            param = pset.params.get(key, Param())
            if message is None:
                text, message = _parameter_value(value, param, pset, limits.get(key))
            if message is not None:
                problems.append(Problem(where, message))
            else:
                out[key] = text
    return dict(sorted(out.items()))


def _name_problem(key: str, pset: ParameterSet, version: str | None) -> str | None:
    param = pset.params.get(key)
    if param is None:
        if key in pset.renamed:
            return (f"is not a parameter of {pset.label}; it is named "
                    f"{pset.renamed[key]!r} there.")
        if pset.complete:
            names = sorted(pset.params)
            allowed = f" Allowed: {', '.join(names)}." if len(names) <= _ALLOWED_LIST_MAX else ""
            return f"is not a parameter of {pset.label}." + did_you_mean(key, names) + allowed
        newer = version is not None and version_key(version) > pset.engine_names_upto
        if key not in pset.engine_names and not newer:
            return (f"is not a parameter of {pset.label}: the engine has no such setting."
                    + did_you_mean(key, pset.engine_names))
        return None
    if not param.settable:
        return f"cannot be set in {pset.label}: {param.why}. Remove it from parameters."
    if param.since and version is not None and version_key(version) < param.since:
        since = ".".join(map(str, param.since))
        return (f"needs engine_version {since} or later in {pset.label}; "
                f"engine_version is {version!r}.")
    return None


def _parameter_value(value: str | int | float, param: Param, pset: ParameterSet,
                     limit: tuple[float, float, str] | None) -> tuple[str, str | None]:
    """(the value as the cloud spells it, None) or ("", the problem)."""
    text, problem = _spelt_value(value, param, pset, limit)
    if problem is None and text == "" and not pset.empty_values:
        default = " (no notifications)" if param.kind == "flags" else ""
        return "", (f"{value!r} cannot be kept in {pset.label}: ElastiCache reports an empty "
                    "parameter without a value, so the provider would set it again on every "
                    "`pulumi up`. Remove the key; unset, the parameter keeps the family's "
                    f"default{default}.")
    return text, problem


def _spelt_value(value: str | int | float, param: Param, pset: ParameterSet,
                 limit: tuple[float, float, str] | None) -> tuple[str, str | None]:
    true_false = pset.true_false
    if isinstance(value, bool):
        # YAML 1.1 turns `yes` into true: spell it the target's way (yes/no, 1/0, true/false).
        if param.kind in ("bool", "text"):
            return true_false[0] if value else true_false[1], None
        return "", f"{value!r} is not allowed; use {_allowed(param, pset, limit)}."
    text = str(value).strip()
    if param.kind in ("bool", "enum"):
        choices = true_false if param.kind == "bool" else param.choices
        for choice in choices:
            if text.lower() == choice.lower():
                return choice, None
        return "", (f"{value!r} is not allowed; use {_allowed(param, pset, limit)}."
                    + did_you_mean(text, choices))
    if param.kind == "flags":
        bad = "".join(sorted({c for c in text if c not in param.choices}))
        if isinstance(value, str) and not bad:
            return text, None
        what = f": {bad!r} is not an event class" if bad else ""
        return "", f"{value!r} is not allowed{what}; use {_allowed(param, pset, limit)}."
    if param.kind in ("int", "float"):
        number = _number(value, text, whole=param.kind == "int")
        if number is not None and _in_range(number, param, limit):
            return (str(number) if param.kind == "int" else text), None
        return "", f"{value!r} is not allowed; use {_allowed(param, pset, limit)}."
    if param.kind in ("percent", "memory", "memory-or-percent"):
        percent = _PERCENT.match(text)
        if param.kind != "memory" and percent and 0 <= int(percent[1]) <= 100:
            return text, None
        if param.kind != "percent" and _MEMORY.match(text):
            return text, None
        return "", f"{value!r} is not allowed; use {_allowed(param, pset, limit)}."
    return text, None


def _number(value: str | int | float, text: str, whole: bool) -> int | float | None:
    """The number in a value, or None; whole numbers stay exact (no float round trip)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = value
    elif _INTEGER.match(text):
        return int(text)
    elif _NUMBER.match(text):
        number = float(text)
    else:
        return None
    if whole:
        return int(number) if number.is_integer() else None
    return number


def _in_range(number: int | float, param: Param, limit: tuple[float, float, str] | None) -> bool:
    if number in param.also:
        return True
    low, high = (limit[0], limit[1]) if limit else (param.low, param.high)
    low_open = param.low_open and not limit      # limits are inclusive
    if low is not None and (number <= low if low_open else number < low):
        return False
    if high is not None and number > high:
        return False
    return param.step is None or number % param.step == 0


def _allowed(param: Param, pset: ParameterSet, limit: tuple[float, float, str] | None) -> str:
    """What a parameter accepts, as the end of 'use ...'."""
    true_false = pset.true_false
    if param.kind == "bool":
        return f"{true_false[0]} or {true_false[1]}"
    if param.kind == "enum":
        return "one of " + ", ".join(param.choices)
    if param.kind == "flags":
        return ("any of the event classes " + " ".join(param.choices)
                + ' (a string such as "Ex")' + (', or "" for none' if pset.empty_values else ""))
    if param.kind == "percent":
        return "a whole percentage from 0% to 100%, e.g. '10%'"
    if param.kind in ("memory", "memory-or-percent"):
        sizes = "bytes, or a size in b, k, kb, m, mb, g or gb, e.g. '2gb'"
        return sizes + (", or a percentage such as '10%'" if param.kind != "memory" else "")
    noun = "a whole number" if param.kind == "int" else "a number"
    low, high = (limit[0], limit[1]) if limit else (param.low, param.high)
    if low is not None and high is not None:
        text = f"{noun} from {_plain(low)} to {_plain(high)}"
    elif low is not None:
        text = (f"{noun} above {_plain(low)}" if param.low_open and not limit
                else f"{noun} of {_plain(low)} or more")
    elif high is not None:
        text = f"{noun} up to {_plain(high)}"
    else:
        text = noun
    if param.step:
        text += f" in multiples of {param.step}"
    if param.also:
        text = ", ".join(map(str, param.also)) + ", or " + text
    return text + (f" ({limit[2]})" if limit else "")


def _plain(number: float) -> str:
    """1073741824.0 -> '1073741824', 0.2 * 5 -> '1'; no exponent notation in messages."""
    return str(int(number)) if float(number).is_integer() else f"{number:.10g}"
