"""Private DNS (network.dns): rules shared by both clouds and the AWS ones."""

from __future__ import annotations

import re
from collections.abc import Sequence

from infra import naming
from infra.config.common import (
    Problem,
    check_range,
)
from infra.config.limits import STACK_LIMITS
from infra.config.schema import NetworkConfig
from infra.config.spec import AnyCacheSpec, CacheSpec, DnsSpec, GcpCacheSpec

# Private DNS (network.dns). 30 seconds: the writer record is rewritten by `python -m ops
# failover`, and clients keep writing to the demoted (read-only) primary for up to one TTL after
# that; 30 s is small next to the minutes a Global Datastore failover takes, yet long enough
# that resolvers do not look the name up on every connection. Regional names change only when a
# cache is replaced, so one short TTL for every record keeps the rule simple.
DNS_DEFAULT_TTL = 30


# ---------------------------------------------------------------------------------------------
# Private DNS (network.dns): rules shared by both clouds and the AWS ones; the GCP ones live in
# gcp_config.check_dns.
# ---------------------------------------------------------------------------------------------
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Route 53 hosted zone ids: up to 32 upper-case letters and digits (Z0123456789ABCDEFGHIJ),
# without the "/hostedzone/" prefix some APIs put in front.
_HOSTED_ZONE_ID = re.compile(r"^[A-Z0-9]{1,32}$")


def cache_dns_names(cache: AnyCacheSpec, zone: str) -> dict[str, str]:
    """The stable names of a cache, by role.

    Valkey/Redis get a reader name; a cache that spans regions (Global Datastore, Valkey
    cross-region replication) gets a writer name that follows a failover. A serverless cache
    lives in one region.
    """
    if isinstance(cache, CacheSpec):
        spans_regions = cache.global_ is not None
    elif isinstance(cache, GcpCacheSpec):
        spans_regions = bool(cache.secondary_regions)
    else:
        spans_regions = False
    return naming.dns_names(cache.name, zone, reader=cache.engine != "memcached",
                            writer=spans_regions)


def _resolve_dns(cfg: NetworkConfig, cloud: str, region: str, caches: list[AnyCacheSpec],
                 problems: list[Problem]) -> DnsSpec | None:
    """`network.dns` (and, on AWS, a secondary region's `global.network.dns`)."""
    before = len(problems)
    secondary = [(cache, cache.global_, cache.global_.network.dns) for cache in caches
                 if isinstance(cache, CacheSpec) and cache.global_ is not None
                 and cache.global_.network is not None and cache.global_.network.dns is not None]
    if cfg.dns is None:
        for cache, _, _ in secondary:
            problems.append(Problem(f"caches.{cache.name}.global.network.dns", "DNS is off for "
                                    "this stack; set network.dns (the zone every region uses) "
                                    "or remove the key."))
        return None
    zone = _check_zone_name(cfg.dns.zone, "network.dns.zone", problems)
    ttl = cfg.dns.ttl if cfg.dns.ttl is not None else DNS_DEFAULT_TTL
    check_range(ttl, STACK_LIMITS["network.dns.ttl"], "network.dns.ttl", problems)

    # Existing zones by region, with the key that named each (for the messages).
    zone_ids: dict[str, tuple[str, str]] = {}
    if cfg.dns.zone_id is not None:
        if cloud == "aws":
            _check_hosted_zone_id(cfg.dns.zone_id, "network.dns.zone_id", problems)
        zone_ids[region] = (cfg.dns.zone_id, "network.dns.zone_id")
    for cache, global_, own in secondary:
        path = f"caches.{cache.name}.global.network.dns"
        if own.zone is not None and zone is not None and own.zone.rstrip(".") != zone:
            problems.append(Problem(f"{path}.zone", f"{own.zone!r} differs from network.dns.zone "
                                    f"{zone!r}; every region's zone has the same name, so that "
                                    "one name works in every region. Remove the key."))
        if own.ttl is not None:
            problems.append(Problem(f"{path}.ttl", "applies to every region; set it under "
                                                   "network.dns.ttl and remove the key."))
        if own.zone_id is not None:
            _check_hosted_zone_id(own.zone_id, f"{path}.zone_id", problems)
            for secondary_region in global_.secondary_regions:
                zone_ids[secondary_region] = (own.zone_id, f"{path}.zone_id")
    first_region: dict[str, str] = {}
    for zone_region, (zone_id, path) in zone_ids.items():
        if zone_id in first_region:
            problems.append(Problem(path, f"{zone_id!r} is already the zone of "
                                    f"{first_region[zone_id]}; each region needs its own zone, "
                                    "because a region's names answer with that region's "
                                    "endpoints."))
        first_region.setdefault(zone_id, zone_region)

    if zone is not None:
        for each in caches:
            _check_dns_names(each, zone, problems)
        _check_names_are_unique(caches, zone, problems)
    if len(problems) > before or zone is None:
        return None
    return DnsSpec(zone=zone, ttl=ttl, zone_ids={r: z for r, (z, _) in zone_ids.items()})


def _check_zone_name(value: str | None, path: str, problems: list[Problem]) -> str | None:
    """A private zone name: at least two labels of letters, digits and inner hyphens."""
    if value is None:
        problems.append(Problem(path, "is required; name the private zone, e.g. "
                                      "'cache.internal'."))
        return None
    zone = value[:-1] if value.endswith(".") else value  # the root's dot is optional
    labels = zone.split(".")
    before = len(problems)
    if not all(_DNS_LABEL.match(label) for label in labels):
        problems.append(Problem(path, f"{value!r} is not a DNS name; use labels of lowercase "
                                      "letters, digits and hyphens (not first or last) joined "
                                      "by dots, e.g. 'cache.internal'."))
    elif len(labels) < 2:
        problems.append(Problem(path, f"{value!r} is a single label; use at least two, e.g. "
                                      "'cache.internal': a zone for a whole top-level domain "
                                      "would answer every name under it in the network."))
    longest = max(labels, key=len)
    if len(longest) > naming.DNS_LABEL_MAX:
        problems.append(Problem(path, f"{value!r} has a label of {len(longest)} characters; DNS "
                                      f"allows {naming.DNS_LABEL_MAX}."))
    if len(zone) > naming.DNS_NAME_MAX:
        problems.append(Problem(path, f"{value!r} is {len(zone)} characters; DNS allows "
                                      f"{naming.DNS_NAME_MAX}."))
    return zone if len(problems) == before else None


def _check_dns_names(cache: AnyCacheSpec, zone: str, problems: list[Problem]) -> None:
    """The longest record name of a cache (`<cache>-reader` / `-writer`) within DNS limits."""
    names = cache_dns_names(cache, zone)
    fqdn = max(names.values(), key=len)
    label = fqdn.split(".", 1)[0]
    if len(label) > naming.DNS_LABEL_MAX:
        problems.append(Problem(f"caches.{cache.name}", f"the DNS name {fqdn!r} has a first "
                                f"label of {len(label)} characters; DNS allows "
                                f"{naming.DNS_LABEL_MAX}. Shorten the cache name."))
    elif len(fqdn) > naming.DNS_NAME_MAX:
        problems.append(Problem(f"caches.{cache.name}", f"the DNS name {fqdn!r} is {len(fqdn)} "
                                f"characters; DNS allows {naming.DNS_NAME_MAX}. Shorten the "
                                "cache name or network.dns.zone."))


_ROLE_WORDS = {"endpoint": "endpoint", "reader_endpoint": "reader", "writer_endpoint": "writer"}


def _check_names_are_unique(caches: Sequence[AnyCacheSpec], zone: str,
                            problems: list[Problem]) -> None:
    """Cache `s` has the reader name `s-reader`: a cache named `s-reader` would claim the same
    record (one logical name twice in the program, one record twice in the zone)."""
    owners: dict[str, tuple[str, str]] = {}
    for cache in caches:
        for role, fqdn in cache_dns_names(cache, zone).items():
            if fqdn in owners:
                other, other_role = owners[fqdn]
                problems.append(Problem(f"caches.{cache.name}", f"its {_ROLE_WORDS[role]} name "
                                        f"{fqdn!r} is already the {_ROLE_WORDS[other_role]} name "
                                        f"of cache {other!r}; rename one of the two caches."))
            else:
                owners[fqdn] = (cache.name, role)


def _check_hosted_zone_id(value: str, path: str, problems: list[Problem]) -> None:
    if not _HOSTED_ZONE_ID.match(value):
        problems.append(Problem(path, f"{value!r} is not a Route 53 hosted zone id "
                                      "(Z0123456789ABCDEFGHIJ)."))
