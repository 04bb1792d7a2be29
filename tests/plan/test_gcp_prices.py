"""GCP Memorystore prices: every accepted region has its own list price, the us-central1 column
agrees with a second source, and the plan says "exact" only for prices read from the snapshot."""

from __future__ import annotations

import pytest

from infra.catalog import gcp_prices, pricing
from infra.catalog.gcp import GCP_REGIONS
from infra.plan.render import markdown, text
from infra.plan.report import build_report, run_plan

TABLES = {
    **{f"Redis Basic {m}": prices for m, prices in gcp_prices.REDIS_BASIC_GIB_HOURLY.items()},
    **{f"Redis Standard {m}": prices
       for m, prices in gcp_prices.REDIS_STANDARD_GIB_HOURLY.items()},
    **{f"Valkey {node}": prices for node, prices in gcp_prices.VALKEY_NODE_HOURLY.items()},
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_region_the_config_accepts_has_its_own_list_price(table):
    assert set(TABLES[table]) == set(GCP_REGIONS)
    assert all(0 < price < 2 for price in TABLES[table].values())


def test_us_central1_agrees_with_infracosts_golden_tests():
    # A second source on the same catalog: Infracost's redis_instance_test.golden and
    # memorystore_instance_test.golden (monthly cost / 730 h / GB).
    assert pricing.GCP_REDIS_GB_HOURLY_USD == {
        "BASIC": {"M1": 0.049, "M2": 0.027, "M3": 0.023, "M4": 0.019, "M5": 0.016},
        "STANDARD_HA": {"M1": 0.064, "M2": 0.054, "M3": 0.046, "M4": 0.035, "M5": 0.030},
    }
    assert pricing.GCP_VALKEY_NODE_HOURLY_USD == {
        "SHARED_CORE_NANO": 0.0318, "STANDARD_SMALL": 0.1425, "HIGHMEM_MEDIUM": 0.1923,
        "HIGHMEM_XLARGE": 0.8581}


@pytest.mark.parametrize("region", sorted(GCP_REGIONS))
def test_prices_are_consistent_within_each_region(region):
    """A transcription slip would break one of these orderings."""
    basic = [gcp_prices.REDIS_BASIC_GIB_HOURLY[m][region] for m in ("M1", "M2", "M3", "M4", "M5")]
    standard = [gcp_prices.REDIS_STANDARD_GIB_HOURLY[m][region]
                for m in ("M1", "M2", "M3", "M4", "M5")]
    valkey = [gcp_prices.VALKEY_NODE_HOURLY[n][region]
              for n in ("SHARED_CORE_NANO", "STANDARD_SMALL", "HIGHMEM_MEDIUM", "HIGHMEM_XLARGE")]
    assert basic == sorted(basic, reverse=True)        # larger capacity tiers cost less per GB
    assert standard == sorted(standard, reverse=True)
    assert all(s > b for s, b in zip(standard, basic, strict=True))
    assert valkey == sorted(valkey)                     # larger nodes cost more


@pytest.mark.parametrize("region", sorted(GCP_REGIONS))
def test_redis_and_valkey_are_exact_everywhere_and_estimates_say_so(region):
    assert pricing.gcp_redis_hourly_usd("BASIC", 3, region)[1]
    assert pricing.gcp_redis_hourly_usd("STANDARD_HA", 50, region)[1]
    assert pricing.gcp_valkey_node_hourly_usd("standard-small", region)[1]
    # No verifiable source: never exact.
    assert not pricing.gcp_redis_hourly_usd("STANDARD_HA", 50, region, read_replicas=3)[1]
    assert not pricing.gcp_memcached_node_hourly_usd(1, 1, region)[1]


def test_read_replica_nodes_are_priced_per_node():
    # 20 GB (M3) with 3 read replicas in Frankfurt: 4 nodes x 20 GB x Standard/2.
    standard = gcp_prices.REDIS_STANDARD_GIB_HOURLY["M3"]["europe-west3"]
    assert pricing.gcp_redis_node_gib_hourly_usd(20, "europe-west3") == (standard / 2, False)
    assert pricing.gcp_redis_hourly_usd("STANDARD_HA", 20, "europe-west3", read_replicas=3) == (
        round(standard / 2 * 20 * 4, 4), False)
    # Each read replica adds the same amount.
    two = pricing.gcp_redis_hourly_usd("STANDARD_HA", 20, "europe-west3", read_replicas=2)[0]
    five = pricing.gcp_redis_hourly_usd("STANDARD_HA", 20, "europe-west3", read_replicas=5)[0]
    assert five - two == pytest.approx(3 * standard / 2 * 20)


def test_memcached_follows_the_regions_price_level():
    base, _ = pricing.gcp_memcached_node_hourly_usd(2, 4)
    tokyo, exact = pricing.gcp_memcached_node_hourly_usd(2, 4, "asia-northeast1")
    level = (gcp_prices.VALKEY_NODE_HOURLY["STANDARD_SMALL"]["asia-northeast1"]
             / gcp_prices.VALKEY_NODE_HOURLY["STANDARD_SMALL"]["us-central1"])
    assert tokyo == round(base * level, 4) and not exact


def test_gcp_prod_plan_marks_each_line_exact_or_estimate():
    report = build_report(run_plan("gcp-prod"))
    lines = {(c["name"], line["region"]): line for c in report["caches"] for line in c["lines"]}
    # Valkey in both regions: list prices, us-east4 at its own (Iowa-level) rate.
    assert lines[("sessions", "us-central1")]["priced_exactly"]
    assert lines[("sessions", "us-east4")]["hourly_usd_per_node"] == 0.1923
    assert lines[("sessions", "us-east4")]["priced_exactly"]
    # Redis with two read replicas: per node, estimated.
    assert not lines[("ratelimits", "us-central1")]["priced_exactly"]
    rendered = text(report)
    assert "HIGHMEM_MEDIUM             3    $421.14  exact" in rendered
    assert "$295.65  estimate" in rendered
    assert "partly estimated" in rendered
    assert "| $295.65 | estimate |" in markdown(report)
    assert report["cost"]["prices"]["as_of"] == gcp_prices.SNAPSHOT_DATE
    # The list-price total: Valkey 5 x 0.1923 + Redis 3 nodes x 5 GB x 0.054 / 2, x 730 h.
    assert report["total_monthly_usd"] == pytest.approx((5 * 0.1923 + 3 * 5 * 0.027) * 730,
                                                        abs=0.02)
