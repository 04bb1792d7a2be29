"""Network rules: ingress to cache ports only from private ranges, and no public IPs on
cache subnets.

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from components import resource_types as types
from infra.plan.checks import model as m
from infra.plan.checks.model import Context, Finding, Resource

# ---------------------------------------------------------------------------------------------
# Network: ingress only from private ranges

def is_private(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(network.version == p.version and network.subnet_of(p)  # type: ignore[arg-type]
               for p in m.PRIVATE_NETWORKS)


def _ports_reach_a_cache(protocol: Any, from_port: Any, to_port: Any,
                         cache_ports: frozenset[int] | None) -> bool:
    if cache_ports is None or str(protocol) in ("-1", "all"):
        return True
    low, high = m.as_int(from_port), m.as_int(to_port)
    if low is None and high is None:
        return True  # no port range (or an unknown one): treat as every port
    first = low if low is not None else high
    last = high if high is not None else low
    return any(first <= port <= last for port in cache_ports)  # type: ignore[operator]


def _gcp_ports_reach_a_cache(allows: Any, cache_ports: frozenset[int] | None) -> bool:
    if cache_ports is None:
        return True
    for allow in allows if isinstance(allows, Sequence) else []:
        if not isinstance(allow, Mapping):
            return True
        if str(allow.get("protocol", "all")).lower() not in ("tcp", "all", "6"):
            continue
        ports = allow.get("ports")
        if not ports or ports is m.UNKNOWN:
            return True
        for spec in ports:
            low, _, high = str(spec).partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                return True
            if any(int(low) <= port <= int(high or low) for port in cache_ports):
                return True
    return False


def _public_sources(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v and not is_private(v)]


def check_private_ingress(res: Resource, ctx: Context) -> list[Finding]:
    inputs, kind = res.inputs, res.type
    sources: list[str] = []
    port: Any = None
    if kind == types.AWS_INGRESS_RULE:
        if _ports_reach_a_cache(inputs.get("ipProtocol"), inputs.get("fromPort"),
                                inputs.get("toPort"), ctx.cache_ports):
            sources = _public_sources([inputs.get("cidrIpv4"), inputs.get("cidrIpv6")])
        port = inputs.get("fromPort")
    elif kind == types.AWS_SECURITY_GROUP_RULE and inputs.get("type") == "ingress":
        if _ports_reach_a_cache(inputs.get("protocol"), inputs.get("fromPort"),
                                inputs.get("toPort"), ctx.cache_ports):
            sources = _public_sources(m.as_list(inputs.get("cidrBlocks"))
                                      + m.as_list(inputs.get("ipv6CidrBlocks")))
        port = inputs.get("fromPort")
    elif kind in (types.AWS_SECURITY_GROUP, types.AWS_DEFAULT_SECURITY_GROUP):
        # A VPC's default security group takes the same inline rules.
        for rule in m.as_list(inputs.get("ingress")):
            if isinstance(rule, Mapping) and _ports_reach_a_cache(
                    rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"),
                    ctx.cache_ports):
                sources += _public_sources(m.as_list(rule.get("cidrBlocks"))
                                           + m.as_list(rule.get("ipv6CidrBlocks")))
    elif kind == types.GCP_FIREWALL:
        direction = inputs.get("direction") or "INGRESS"
        # Deny rules and disabled rules let nothing in; only `allows` can expose a cache.
        if direction == "INGRESS" and inputs.get("disabled") is not True \
                and _gcp_ports_reach_a_cache(m.as_list(inputs.get("allows")), ctx.cache_ports) \
                and m.as_list(inputs.get("allows")):
            sources = _public_sources(m.as_list(inputs.get("sourceRanges")))
            # No source at all ([] or [""] too): the Compute API applies an ingress rule to
            # 0.0.0.0/0. The provider refuses only a rule with none set, and its
            # diffSuppressSourceRanges hides "0.0.0.0/0" -> [] and -> "" (magic-modules
            # constants/firewall.tmpl; hashicorp/terraform-provider-google#6789, whose case
            # is [""]).
            ranges = inputs.get("sourceRanges")
            if ranges is not m.UNKNOWN and not any(r != "" for r in m.as_list(ranges)) \
                    and not any(m.is_set(inputs.get(k))
                                for k in ("sourceTags", "sourceServiceAccounts")):
                sources = ["0.0.0.0/0 (no source given: GCP's default)"]
    return [Finding("public-ingress", "critical", "network",
                    f"{res.name}: admits {cidr}, which is not a private range"
                    # A policy pack gets every number as a double (protobuf Struct).
                    + (f" (port {m.as_int(port)})" if m.as_int(port) is not None else "")
                    + "; caches must only be reachable from private networks.")
            for cidr in sources]


def check_public_subnet(res: Resource, ctx: Context) -> list[Finding]:
    if res.type == types.AWS_SUBNET and res.inputs.get("mapPublicIpOnLaunch") is True:
        return m.flag("public-subnet", "medium", "network",
                      f"{res.name}: subnet assigns public IPs on launch; cache subnets should "
                      "be private.")
    return []
