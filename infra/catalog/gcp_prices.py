"""Memorystore on-demand list prices, USD, for every region the config accepts (GCP_REGIONS).

Source, for every figure below: the Cloud Billing Catalog API (services 5AF5-2C11-D467 "Cloud
Memorystore for Redis" and A2B5-E0F1-B0F3 "Cloud Memorystore", resource group Valkey), as
saved on 2026-04-27 (its `updatedAt`, 06:51 UTC) in DoiT's public price site
gcpinstances.info: github.com/doitintl/gcpinstances.info, file
public/data/memorystore-pricing.json at commit 0133443af74238b1178f7c0208a24c73423d8623, made by
its scripts/fetch-memorystore-pricing.ts from the SKUs "Redis Capacity Basic|Standard M1..M5
<region>" (per GiB-hour) and "<Node type> Node <region>" (per node-hour). Copied by hand,
region by region, into gcp_prices.json beside this module (data, not code);
tests/plan/test_gcp_prices.py checks every accepted region is there.

Cross-check, us-central1: Infracost's golden tests, which price against the same catalog, give
the same figures - redis_instance_test.golden (commit 110923a, 2024-06-28: Basic 0.049 / 0.027 /
0.023 / 0.019 / 0.016, Standard 0.064 / 0.054 / 0.046 / 0.035 / 0.030 per GiB-hour) and
memorystore_instance_test.golden (commit 876e46a: shared-core-nano 0.0318, standard-small
0.1425, highmem-medium 0.1923, highmem-xlarge 0.8581 per node-hour).

Not here, because no verifiable source was found: Memorystore for Memcached (vCPU-hour and
GB-hour SKUs) and "Redis Standard Node Capacity" (the per-node rate of Standard instances with
read replicas). infra.catalog.pricing estimates both and never calls them exact.
"""

from __future__ import annotations

import json
from pathlib import Path

SNAPSHOT_DATE = "2026-04-27"
SNAPSHOT_SOURCE = ("Cloud Billing Catalog SKUs as saved in github.com/doitintl/"
                   "gcpinstances.info@0133443 public/data/memorystore-pricing.json")

# The tables, from gcp_prices.json:
# REDIS_BASIC_GIB_HOURLY     Memorystore for Redis, USD per GiB-hour of provisioned capacity, by
#                            capacity tier and region. SKU "Redis Capacity Basic M<n> <region>".
# REDIS_STANDARD_GIB_HOURLY  SKU "Redis Capacity Standard M<n> <region>": the primary and its one
#                            replica together.
# VALKEY_NODE_HOURLY         Memorystore for Valkey, USD per node-hour, by node type as the API
#                            spells it. SKU "<Node type> Node <region>" (resource group Valkey).
_TABLES: dict[str, dict[str, dict[str, float]]] = json.loads(
    (Path(__file__).with_name("gcp_prices.json")).read_text())
REDIS_BASIC_GIB_HOURLY = _TABLES["REDIS_BASIC_GIB_HOURLY"]
REDIS_STANDARD_GIB_HOURLY = _TABLES["REDIS_STANDARD_GIB_HOURLY"]
VALKEY_NODE_HOURLY = _TABLES["VALKEY_NODE_HOURLY"]
