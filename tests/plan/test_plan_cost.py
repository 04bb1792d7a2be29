"""Estimated monthly cost: known configs checked against the price table in
infra/catalog/pricing.py, and against numbers worked out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infra.catalog import pricing
from infra.plan.cost import estimate
from infra.plan.report import build_report, run_plan
from tests.builders import aws_config, gcp_config, spec_of

HOURS = 730


def aws_monthly(node_type: str, engine: str, region: str, nodes: int) -> float:
    """The expected cost, computed from the table the way the price page reads."""
    hourly = pricing.AWS_NODE_HOURLY_USD[node_type]
    if engine == "valkey":
        hourly *= 1 - pricing.VALKEY_DISCOUNT
    hourly = round(hourly * pricing.AWS_REGION_MULTIPLIER.get(
        region, pricing.DEFAULT_REGION_MULTIPLIER), 4)
    return round(hourly * nodes * HOURS, 2)


def report_for(config: dict[str, str], stack: str = "test") -> dict:
    return build_report(run_plan(stack, config=config))


@pytest.fixture(scope="module")
def prod() -> dict:
    return build_report(run_plan("prod"))


@pytest.fixture(scope="module")
def dev() -> dict:
    return build_report(run_plan("dev"))


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["caches"]}


def test_dev_single_valkey_micro_node_by_hand(dev):
    # cache.t4g.micro: $0.016/h for Redis OSS; Valkey is 20 % less: 0.0128/h; x 730 h = 9.344.
    [cache] = dev["caches"]
    assert (cache["engine"], cache["node_type"], cache["nodes"]) == ("valkey", "cache.t4g.micro",
                                                                     1)
    assert cache["monthly_usd"] == 9.34
    assert dev["total_monthly_usd"] == 9.34


# The shape of Pulumi.prod.yaml, written out so the hand-computed numbers do not move when the
# stack file does.
PROD_LIKE = {
    "sessions": {"engine": "valkey", "engine_version": "8.1", "node_type": "cache.r7g.large",
                 "replicas": 2, "global": {"secondary_region": "eu-west-1",
                                           "secondary_replicas": 1}},
    "fragments": {"engine": "memcached", "node_type": "cache.m7g.large", "nodes": 3},
}


@pytest.fixture(scope="module")
def prod_like() -> dict:
    return report_for(aws_config(PROD_LIKE, profile="production",
                                 alerts={"emails": ["oncall@example.com"]}))


def test_replicas_global_secondary_and_memcached_nodes_by_hand(prod_like):
    caches = by_name(prod_like)
    sessions, fragments = caches["sessions"], caches["fragments"]
    # sessions: 1 primary + 2 replicas in us-east-1; eu-west-1 secondary: 1 shard x (1 + 1).
    assert [(line["region"], line["nodes"]) for line in sessions["lines"]] == [
        ("us-east-1", 3), ("eu-west-1", 2)]
    assert sessions["nodes"] == 5
    # By hand: r7g.large 0.219 x 0.8 = 0.1752/h; x 3 x 730 = 383.688 -> 383.69.
    # eu-west-1 at 1.10: 0.19272 -> 0.1927/h; x 2 x 730 = 281.342 -> 281.34.
    # m7g.large memcached 0.158/h x 3 x 730 = 346.02. Total 1011.05.
    assert [line["monthly_usd"] for line in sessions["lines"]] == [383.69, 281.34]
    assert sessions["monthly_usd"] == 665.03
    assert fragments["monthly_usd"] == 346.02
    assert prod_like["total_monthly_usd"] == 1011.05
    cost = prod_like["cost"]
    assert cost["by_engine"] == {"memcached": 346.02, "valkey": 665.03}
    assert cost["by_region"] == {"eu-west-1": 281.34, "us-east-1": 729.71}


def test_prod_stack_matches_the_table(prod):
    """Whatever Pulumi.prod.yaml says today, its cost follows from the table."""
    from infra.config import load_stack_config
    from infra.stackfile import flat_stack_config

    spec = load_stack_config(flat_stack_config("prod"), "prod")
    caches = by_name(prod)
    total = 0.0
    for cache in spec.caches:
        expected = aws_monthly(cache.node_type.name, cache.engine, spec.region, cache.nodes)
        for region in (cache.global_.secondary_regions if cache.global_ else ()):
            expected += aws_monthly(cache.node_type.name, cache.engine, region,
                                    cache.shards * (1 + cache.global_.secondary_replicas))
        assert caches[cache.name]["monthly_usd"] == pytest.approx(expected, abs=0.01)
        total += expected
    assert prod["total_monthly_usd"] == pytest.approx(total, abs=0.01)


def test_totals_by_engine_and_region_add_up(prod):
    cost = prod["cost"]
    assert round(sum(cost["by_region"].values()), 2) == prod["total_monthly_usd"]
    assert round(sum(cost["by_engine"].values()), 2) == prod["total_monthly_usd"]


def test_report_says_what_is_not_included_and_where_prices_come_from(prod):
    cost = prod["cost"]
    text = " ".join(cost["not_included"])
    assert "data transfer" in text and "backup storage" in text
    assert cost["prices"]["as_of"] == pricing.PRICES_AS_OF
    assert cost["hours_per_month"] == 730


def test_sharded_cache_with_two_secondary_regions():
    config = aws_config({"orders": {
        "engine": "valkey", "node_type": "cache.r7g.xlarge", "shards": 2, "replicas": 2,
        "global": {"secondary_regions": ["us-west-2", "ap-southeast-2"],
                   "secondary_replicas": 1}}}, profile="production")
    config["aws:region"] = "eu-central-1"
    [cache] = report_for(config)["caches"]
    assert [(line["region"], line["role"], line["nodes"]) for line in cache["lines"]] == [
        ("eu-central-1", "primary", 6), ("us-west-2", "global secondary", 4),
        ("ap-southeast-2", "global secondary", 4)]
    expected = (aws_monthly("cache.r7g.xlarge", "valkey", "eu-central-1", 6)
                + aws_monthly("cache.r7g.xlarge", "valkey", "us-west-2", 4)
                + aws_monthly("cache.r7g.xlarge", "valkey", "ap-southeast-2", 4))
    assert cache["monthly_usd"] == pytest.approx(expected, abs=0.01)
    assert cache["priced_exactly"] is False  # only us-east-1 is exact


def test_redis_costs_a_quarter_more_than_valkey_on_the_same_nodes():
    report = report_for(aws_config({
        "a": {"engine": "valkey", "node_type": "cache.m7g.large", "replicas": 1},
        "b": {"engine": "redis", "engine_version": "7.1", "node_type": "cache.m7g.large",
              "replicas": 1}}))
    caches = by_name(report)
    assert caches["a"]["monthly_usd"] == aws_monthly("cache.m7g.large", "valkey", "us-east-1", 2)
    assert caches["b"]["monthly_usd"] == aws_monthly("cache.m7g.large", "redis", "us-east-1", 2)
    assert caches["b"]["monthly_usd"] > caches["a"]["monthly_usd"]


# ---------------------------------------------------------------------------------------------
# GCP Memorystore pricing model (GCP stacks are still being built: functions tested directly)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("capacity", "tier"), [(1, "M1"), (4, "M1"), (5, "M2"), (10, "M2"),
                                                (35, "M3"), (36, "M4"), (100, "M4"),
                                                (101, "M5"), (300, "M5")])
def test_gcp_redis_capacity_tiers(capacity, tier):
    assert pricing.gcp_redis_capacity_tier(capacity) == tier


def test_gcp_redis_is_priced_per_gb_hour_by_tier_and_capacity():
    # BASIC 4 GB (M1 0.049/GB-h) = 0.196/h; STANDARD_HA 12 GB (M3 0.046/GB-h) = 0.552/h.
    assert pricing.gcp_redis_hourly_usd("BASIC", 4) == (0.196, True)
    assert pricing.gcp_redis_hourly_usd("STANDARD_HA", 12) == (0.552, True)
    # London's own list price, not a multiplier: Standard M2 0.064/GB-h x 5 = 0.32/h.
    assert pricing.gcp_redis_hourly_usd("STANDARD_HA", 5, "europe-west2") == (0.32, True)
    rate = pricing.GCP_REDIS_GB_HOURLY_USD["STANDARD_HA"]["M2"]
    # Three read replicas: four nodes, each half the Standard rate - an estimate.
    assert pricing.gcp_redis_hourly_usd("STANDARD_HA", 10, read_replicas=3) == (
        round(rate / 2 * 10 * 4, 4), False)
    # One replica is plain Standard: exact.
    assert pricing.gcp_redis_hourly_usd("STANDARD_HA", 10, read_replicas=1)[1] is True
    with pytest.raises(ValueError):
        pricing.gcp_redis_hourly_usd("BASIC", 301)


def test_gcp_valkey_is_priced_per_node_and_memcached_per_vcpu_and_gb():
    assert pricing.gcp_valkey_node_hourly_usd("highmem-medium") == (
        pricing.GCP_VALKEY_NODE_HOURLY_USD["HIGHMEM_MEDIUM"], True)
    # Belgium's own list price (Cloud Billing Catalog snapshot), exact.
    assert pricing.gcp_valkey_node_hourly_usd("HIGHMEM_MEDIUM", "europe-west1") == (0.2117, True)
    # A region outside the snapshot: us-central1 x 1.25, not exact.
    assert pricing.gcp_valkey_node_hourly_usd("HIGHMEM_MEDIUM", "mars-north1") == (
        round(0.1923 * 1.25, 4), False)
    # Memcached, an estimate everywhere: 2 vCPU x 0.050 + 4 GB x 0.0044 = 0.1176/h.
    assert pricing.gcp_memcached_node_hourly_usd(2, 4) == (0.1176, False)
    with pytest.raises(KeyError):
        pricing.gcp_valkey_node_hourly_usd("cache.r7g.large")


def gcp_resource(type_: str, cache: str, region: str, **inputs) -> dict:
    return {"urn": f"urn:{cache}:{region}", "type": type_, "name": f"{cache}-{region}",
            "parent": "", "custom": True, "provider_region": region, "protect": True,
            "aliased": False, "ignore_changes": [], "cache": cache, "data_holding": True,
            "inputs": inputs}


def test_gcp_caches_are_priced_from_their_memorystore_resources():
    spec = spec_of(gcp_config({"sessions": {"engine": "valkey"}, "legacy": {"engine": "redis"},
                               "pages": {"engine": "memcached"}}))
    resources = [
        gcp_resource("gcp:memorystore/instance:Instance", "sessions", "us-central1",
                     nodeType="HIGHMEM_MEDIUM", shardCount=2, replicaCount=1),
        gcp_resource("gcp:memorystore/instance:Instance", "sessions", "us-east1",
                     nodeType="HIGHMEM_MEDIUM", shardCount=2, replicaCount=0),
        gcp_resource("gcp:redis/instance:Instance", "legacy", "us-central1",
                     tier="STANDARD_HA", memorySizeGb=5, replicaCount=1),
        gcp_resource("gcp:memcache/instance:Instance", "pages", "us-central1",
                     nodeCount=3, nodeConfig={"cpuCount": 2, "memorySizeMb": 4096}),
    ]
    cost = estimate(spec, resources)
    caches = {c["name"]: c for c in cost["caches"]}
    # Valkey: 2 shards x (1 + 1) = 4 nodes + the replica region's 2 x (1 + 0) = 2 nodes.
    assert caches["sessions"]["nodes"] == 6
    assert caches["sessions"]["monthly_usd"] == pytest.approx(
        round(0.1923 * 4 * HOURS, 2) + round(0.2173 * 2 * HOURS, 2), abs=0.01)
    # Redis STANDARD_HA 5 GB: M2 0.054/GB-h x 5 = 0.27/h x 730 = 197.10.
    assert caches["legacy"]["monthly_usd"] == pytest.approx(197.10, abs=0.01)
    # Memcached: 3 nodes x (2 x 0.050 + 4 x 0.0044) = 3 x 0.1176/h x 730 = 257.54.
    assert caches["pages"]["monthly_usd"] == pytest.approx(257.54, abs=0.01)
    assert cost["prices"]["as_of"] == pricing.GCP_PRICES_AS_OF


def test_gcp_spec_without_resources_falls_back_to_its_attributes_or_says_unpriced():
    # GcpCacheSpecs with these sizes; a bare spec has no sizes at all.
    loaded = spec_of(gcp_config({"s": {"engine": "valkey"}, "r": {"engine": "redis"},
                                 "p": {"engine": "memcached"}, "m": {"engine": "memcached"}}))
    by_name = {cache.name: cache for cache in loaded.caches}
    valkey = replace(by_name["s"], node_type="STANDARD_SMALL", shards=1, replicas=2,
                     secondary_regions=("us-east1",), secondary_replicas=1)
    redis = replace(by_name["r"], memory_gb=12, replicas=1)
    memcached = replace(by_name["p"], nodes=2, vcpus=1, memory_mb=2048, memory_gb=0)
    bare = replace(by_name["m"], nodes=0, vcpus=0, memory_mb=0, memory_gb=0)
    spec = replace(loaded, caches=(valkey, redis, memcached, bare))
    cost = estimate(spec, [])
    caches = {c["name"]: c for c in cost["caches"]}
    # Valkey standard-small: 3 nodes here at 0.1425/node-h + 2 in us-east1 at 0.161.
    assert caches["s"]["nodes"] == 5
    assert caches["s"]["monthly_usd"] == round(0.1425 * 3 * HOURS, 2) + round(
        0.161 * 2 * HOURS, 2)
    # Redis STANDARD_HA 12 GB: M3 0.046 x 12 = 0.552/h x 730 = 402.96.
    assert caches["r"]["monthly_usd"] == 402.96
    # Memcached: 2 nodes x (1 x 0.050 + 2 GB x 0.0044) = 2 x 0.0588/h x 730 = 85.85.
    assert caches["p"]["monthly_usd"] == 85.85
    assert caches["m"]["monthly_usd"] is None
    assert cost["unpriced"] == ["m: node vCPU/memory unknown"]


def test_gcp_prod_stack_is_priced_per_memorystore_instance():
    report = build_report(run_plan("gcp-prod"))
    caches = by_name(report)
    sessions = caches["sessions"]
    # Valkey highmem-medium: 1 shard x (1 + 2) in us-central1, 1 x (1 + 1) in us-east4.
    assert [(line["region"], line["nodes"]) for line in sessions["lines"]] == [
        ("us-central1", 3), ("us-east4", 2)]
    assert sessions["lines"][0]["monthly_usd"] == round(
        pricing.GCP_VALKEY_NODE_HOURLY_USD["HIGHMEM_MEDIUM"] * 3 * HOURS, 2)
    hourly_east4, exact = pricing.gcp_valkey_node_hourly_usd("HIGHMEM_MEDIUM", "us-east4")
    assert (hourly_east4, exact) == (0.1923, True)
    assert sessions["lines"][1]["monthly_usd"] == round(hourly_east4 * 2 * HOURS, 2)
    assert sessions["priced_exactly"]
    ratelimits = caches["ratelimits"]
    hourly, exact = pricing.gcp_redis_hourly_usd("STANDARD_HA", 5, read_replicas=2)
    assert ratelimits["monthly_usd"] == pytest.approx(hourly * HOURS, abs=0.01)
    # Read replicas are billed per node, a rate the snapshot lacks: estimated, and said so.
    assert not exact and not ratelimits["priced_exactly"]
    assert "half the Standard rate" in ratelimits["lines"][0]["note"]
    assert not report["cost"]["priced_exactly"]
    assert "network egress and cross-region replication traffic" in report["cost"][
        "not_included"]


def test_a_valkey_node_type_without_a_sourced_price_is_unpriced_not_guessed():
    # Google's newer node types (highcpu-medium, ...) have no price in the catalog's source
    # yet: the plan says so instead of borrowing another type's price.
    spec = spec_of(gcp_config({"s": {"engine": "valkey", "node_type": "highcpu-medium"}}))
    resources = [gcp_resource("gcp:memorystore/instance:Instance", "s", "us-central1",
                              nodeType="HIGHCPU_MEDIUM", shardCount=1, replicaCount=1)]
    cost = estimate(spec, resources)
    [cache] = cost["caches"]
    assert (cache["nodes"], cache["monthly_usd"]) == (2, None)
    assert cost["unpriced"] == ["s: no price for Valkey node type 'HIGHCPU_MEDIUM'"]
