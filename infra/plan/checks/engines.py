"""Engine rules: versions out of (standard) support, and what Memcached cannot do.

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

import re
from datetime import date

from components import resource_types as types
from infra.plan.checks import model as m
from infra.plan.checks.model import Context, Finding, Resource

# Redis OSS on ElastiCache: end of standard support, after which caches are enrolled in paid
# Extended Support from the first day of the next month (AWS policy, read 2025-10):
#   docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support.html
#     "the ElastiCache end of standard support date for Redis OSS 4.0.10 is January 31, 2026
#      ... Starting ... February 1, 2026, ElastiCache automatically charges you for Extended
#      Support"; available up to 3 years (v4/v5 until January 31, 2029), then auto-upgrade.
#   docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support-charges.html
#     "... Redis OSS version 6 past the end of standard support date of January 31, 2027,
#      those caches will again incur Extended Support charges starting on February 1, 2027."
#   aws.amazon.com/blogs/database/introducing-extended-support-for-amazon-elasticache-
#     version-4-and-version-5-for-redis-oss
# Redis OSS 7 and Valkey have no announced end of standard support.
REDIS_OSS_END_OF_STANDARD_SUPPORT: dict[int, date] = {
    4: date(2026, 1, 31),
    5: date(2026, 1, 31),
    6: date(2027, 1, 31),
}
# Memorystore for Memcached is deprecated: "will be shut down on January 31, 2029. After
# February 1, 2027, you can't create Memorystore for Memcached instances in new projects"
# (docs.cloud.google.com/memorystore/docs/memcached/reference/rest/v1/
#  projects.locations.instances/create, banner, last updated 2025-07-09).
GCP_MEMCACHED_NEW_INSTANCES_END = date(2027, 2, 1)
GCP_MEMCACHED_SHUTDOWN = date(2029, 1, 31)
# ElastiCache for Memcached supports TLS from 1.6.12 ("adds support for Memcached version
# 1.6.12 and encryption in-transit", docs.aws.amazon.com/AmazonElastiCache/latest/mem-ug/
# supported-engine-versions-mc.html).
MEMCACHED_TLS_SINCE = (1, 6, 12)


# ---------------------------------------------------------------------------------------------
# What Memcached cannot do (advice: no setting fixes it)

def check_memcached_limits(res: Resource, ctx: Context) -> list[Finding]:
    name = res.name
    if res.type == types.AWS_CLUSTER and not m.is_group_member(res) \
            and m.engine_name(res) == "memcached":
        return [
            Finding("memcached-no-encryption-at-rest", "info", "encryption-at-rest",
                    f"{name}: ElastiCache Memcached clusters cannot encrypt data at rest; keep "
                    "secrets and personal data out of it."),
            Finding("memcached-no-auth", "low", "auth",
                    f"{name}: Memcached has no AUTH; its security group is the only gate."),
            Finding("memcached-no-backups", "info", "backups",
                    f"{name}: Memcached has no snapshots; treat its contents as disposable."),
        ]
    if res.type == types.AWS_SERVERLESS_CACHE and m.engine_name(res) == "memcached":
        return m.flag("memcached-no-auth", "low", "auth",
                      f"{name}: Memcached has no AUTH; its security group is the only gate.")
    if res.type == types.GCP_MEMCACHED:
        return m.flag("memcached-no-auth", "low", "auth",
                      f"{name}: Memorystore for Memcached has no authentication or TLS; the "
                      "network is the only gate.")
    return []


# ---------------------------------------------------------------------------------------------
# Engine versions out of support

def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def engine_support(cloud: str, engine: str, version: str, subject: str,
                   today: date) -> list[Finding]:
    """Support status of an engine version, named after `subject` (a cache or a resource)."""
    engine, version = engine.lower(), str(version or "")
    if cloud == "gcp" and engine == "memcached":
        return m.flag("gcp-memcached-deprecated", "medium", "deprecation",
                      f"{subject}: Google stops new Memorystore for Memcached instances in "
                      f"new projects after {GCP_MEMCACHED_NEW_INSTANCES_END.isoformat()}; plan a "
                      "move to Memorystore for Valkey (engine: valkey).")
    if cloud == "aws" and engine == "memcached" and version[:1].isdigit() \
            and _version_tuple(version) < MEMCACHED_TLS_SINCE:
        return m.flag("memcached-version-without-tls", "medium", "deprecation",
                      f"{subject}: Memcached {version} predates 1.6.12, the first ElastiCache "
                      "Memcached with TLS; upgrade (a new cluster: upgrades flush the cache).")
    if cloud != "aws" or engine != "redis" or not version[:1].isdigit():
        return []
    end = REDIS_OSS_END_OF_STANDARD_SUPPORT.get(int(version.split(".")[0]))
    if end is None:
        return []
    charges_from = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    if today > end:
        severity, when = "high", f"has incurred Extended Support charges since {charges_from}"
    elif (end - today).days <= 365:
        severity, when = "medium", (f"leaves standard support on {end}; Extended Support "
                                    f"charges start {charges_from}")
    else:
        severity, when = "low", f"leaves standard support on {end}"
    return m.flag("redis-extended-support", severity, "extended-support",
                  f"{subject}: Redis OSS {version} {when}. Upgrade to Valkey (in place, "
                  "cheaper per node) or a supported Redis OSS version.")


def engine_of(res: Resource) -> tuple[str, str, str] | None:
    """(cloud, engine, version) a resource runs, when it decides them itself."""
    inputs = res.inputs
    if res.type in (types.AWS_REPLICATION_GROUP, types.AWS_CLUSTER,
                    types.AWS_GLOBAL_REPLICATION_GROUP) \
            and not (m.is_global_secondary(res) or m.is_group_member(res)):
        version = inputs.get("engineVersion")
        return "aws", m.engine_name(res), version if isinstance(version, str) else ""
    if res.type == types.AWS_SERVERLESS_CACHE:
        version = inputs.get("majorEngineVersion")
        return "aws", m.engine_name(res), version if isinstance(version, str) else ""
    if res.type == types.GCP_MEMCACHED:
        return "gcp", "memcached", str(inputs.get("memcacheVersion") or "")
    return None


def check_engine_support(res: Resource, ctx: Context) -> list[Finding]:
    engine = engine_of(res)
    return engine_support(*engine, res.name, ctx.today) if engine else []
