"""Memorystore on-demand list prices, USD, for every region the config accepts (GCP_REGIONS).

Source, for every figure below: the Cloud Billing Catalog API (services 5AF5-2C11-D467 "Cloud
Memorystore for Redis" and A2B5-E0F1-B0F3 "Cloud Memorystore", resource group Valkey), as
saved on 2026-04-27 (its `updatedAt`, 06:51 UTC) in DoiT's public price site
gcpinstances.info: github.com/doitintl/gcpinstances.info, file
public/data/memorystore-pricing.json at commit 0133443af74238b1178f7c0208a24c73423d8623, made by
its scripts/fetch-memorystore-pricing.ts from the SKUs "Redis Capacity Basic|Standard M1..M5
<region>" (per GiB-hour) and "<Node type> Node <region>" (per node-hour). Copied by hand,
region by region; tests/plan/test_gcp_prices.py checks every accepted region is here.

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

SNAPSHOT_DATE = "2026-04-27"
SNAPSHOT_SOURCE = ("Cloud Billing Catalog SKUs as saved in github.com/doitintl/"
                   "gcpinstances.info@0133443 public/data/memorystore-pricing.json")

# Memorystore for Redis, USD per GiB-hour of provisioned capacity, by tier and capacity tier.
# SKU "Redis Capacity Basic M<n> <region>".
REDIS_BASIC_GIB_HOURLY: dict[str, dict[str, float]] = {
    "M1": {
        "us-south1": 0.058, "europe-west12": 0.053, "asia-south1": 0.063, "europe-west3": 0.053,
        "asia-northeast2": 0.065, "southamerica-east1": 0.087, "us-central1": 0.049,
        "us-east1": 0.049, "us-west1": 0.049, "northamerica-northeast1": 0.052,
        "australia-southeast1": 0.065, "me-central1": 0.05954, "us-west3": 0.057,
        "southamerica-west1": 0.07, "australia-southeast2": 0.065, "africa-south1": 0.051,
        "us-east4": 0.049, "us-west4": 0.049, "me-west1": 0.0539, "europe-west2": 0.053,
        "asia-south2": 0.063, "asia-northeast3": 0.065, "europe-west10": 0.07546,
        "europe-southwest1": 0.059, "europe-north1": 0.051, "northamerica-northeast2": 0.052,
        "europe-west8": 0.057, "us-east5": 0.049, "us-west2": 0.057, "asia-northeast1": 0.065,
        "europe-west6": 0.058, "asia-southeast1": 0.065, "europe-north2": 0.05145,
        "europe-west4": 0.051, "asia-east1": 0.064, "asia-east2": 0.063,
        "northamerica-south1": 0.05341, "europe-west1": 0.051, "europe-west9": 0.057,
        "me-central2": 0.0784, "asia-southeast2": 0.066, "europe-central2": 0.053,
    },
    "M2": {
        "europe-west8": 0.031, "us-east4": 0.027, "us-west2": 0.035, "europe-west4": 0.032,
        "northamerica-south1": 0.02943, "europe-west3": 0.034, "europe-southwest1": 0.032,
        "asia-northeast2": 0.04, "asia-northeast1": 0.04, "europe-west12": 0.034,
        "europe-west10": 0.04158, "us-south1": 0.032, "europe-west2": 0.034,
        "me-central1": 0.03281, "australia-southeast2": 0.04, "africa-south1": 0.032,
        "me-central2": 0.0432, "asia-south2": 0.037, "europe-north1": 0.032, "us-west3": 0.035,
        "europe-west6": 0.037, "europe-west1": 0.032, "us-east5": 0.027, "europe-west9": 0.031,
        "us-central1": 0.027, "us-east1": 0.027, "us-west1": 0.027,
        "australia-southeast1": 0.04, "asia-south1": 0.037, "europe-central2": 0.034,
        "northamerica-northeast2": 0.034, "us-west4": 0.027, "europe-north2": 0.02835,
        "asia-east1": 0.039, "asia-east2": 0.037, "asia-southeast2": 0.036,
        "asia-northeast3": 0.04, "northamerica-northeast1": 0.034, "southamerica-east1": 0.054,
        "southamerica-west1": 0.039, "asia-southeast1": 0.04, "me-west1": 0.0297,
    },
    "M3": {
        "asia-east1": 0.032, "asia-northeast2": 0.032, "me-central2": 0.0368,
        "europe-west10": 0.03542, "southamerica-east1": 0.042, "southamerica-west1": 0.033,
        "africa-south1": 0.026, "europe-west12": 0.027, "europe-north2": 0.02415,
        "europe-west8": 0.027, "europe-west6": 0.029, "australia-southeast1": 0.032,
        "europe-north1": 0.026, "europe-central2": 0.027, "australia-southeast2": 0.032,
        "europe-west9": 0.027, "europe-west2": 0.027, "northamerica-northeast1": 0.026,
        "us-east5": 0.023, "me-central1": 0.02795, "us-east4": 0.023, "asia-south1": 0.03,
        "europe-southwest1": 0.028, "asia-southeast2": 0.031, "us-west4": 0.023,
        "us-central1": 0.023, "us-east1": 0.023, "us-west1": 0.023, "europe-west4": 0.026,
        "europe-west3": 0.027, "asia-northeast1": 0.032, "us-west3": 0.029,
        "europe-west1": 0.026, "asia-southeast1": 0.032, "asia-northeast3": 0.032,
        "northamerica-south1": 0.02507, "northamerica-northeast2": 0.026, "us-west2": 0.029,
        "me-west1": 0.0253, "asia-south2": 0.03, "us-south1": 0.027, "asia-east2": 0.03,
    },
    "M4": {
        "africa-south1": 0.022, "australia-southeast2": 0.024, "asia-southeast2": 0.025,
        "europe-west2": 0.023, "us-east5": 0.019, "asia-northeast2": 0.024,
        "northamerica-south1": 0.02071, "europe-west12": 0.023, "us-central1": 0.019,
        "us-east1": 0.019, "us-west1": 0.019, "europe-north1": 0.022, "europe-central2": 0.023,
        "europe-west1": 0.022, "europe-west9": 0.022, "me-west1": 0.02261, "me-central2": 0.0304,
        "northamerica-northeast1": 0.021, "us-east4": 0.019, "me-central1": 0.02309,
        "europe-southwest1": 0.023, "southamerica-east1": 0.035, "asia-southeast1": 0.024,
        "asia-south1": 0.022, "asia-south2": 0.022, "southamerica-west1": 0.027,
        "asia-northeast1": 0.024, "europe-west3": 0.023, "europe-north2": 0.01995,
        "asia-east2": 0.022, "europe-west8": 0.022, "us-south1": 0.022,
        "australia-southeast1": 0.024, "asia-east1": 0.024, "us-west4": 0.019,
        "asia-northeast3": 0.024, "us-west2": 0.022, "us-west3": 0.022,
        "northamerica-northeast2": 0.021, "europe-west6": 0.025, "europe-west4": 0.022,
        "europe-west10": 0.02926,
    },
    "M5": {
        "us-west2": 0.017, "asia-south1": 0.017, "asia-northeast3": 0.019,
        "asia-southeast1": 0.019, "southamerica-west1": 0.023, "asia-northeast2": 0.019,
        "europe-southwest1": 0.019, "me-west1": 0.01872, "northamerica-south1": 0.01744,
        "us-west3": 0.017, "us-central1": 0.016, "us-east1": 0.016, "us-west1": 0.016,
        "northamerica-northeast1": 0.017, "europe-north1": 0.017, "europe-west2": 0.018,
        "europe-west4": 0.017, "us-west4": 0.016, "asia-southeast2": 0.021,
        "africa-south1": 0.017, "asia-northeast1": 0.019, "us-east4": 0.016, "us-east5": 0.016,
        "us-south1": 0.019, "asia-east1": 0.019, "australia-southeast1": 0.019,
        "europe-west8": 0.019, "europe-west1": 0.017, "me-central2": 0.0256,
        "europe-west6": 0.02, "europe-west9": 0.019, "europe-west3": 0.018,
        "southamerica-east1": 0.027, "asia-south2": 0.017, "northamerica-northeast2": 0.017,
        "me-central1": 0.01944, "europe-north2": 0.0168, "asia-east2": 0.017,
        "europe-central2": 0.018, "europe-west12": 0.018, "australia-southeast2": 0.019,
        "europe-west10": 0.02464,
    },
}

# SKU "Redis Capacity Standard M<n> <region>": the primary and its one replica together.
REDIS_STANDARD_GIB_HOURLY: dict[str, dict[str, float]] = {
    "M1": {
        "europe-north1": 0.086, "europe-west2": 0.09, "us-south1": 0.076, "europe-west6": 0.098,
        "asia-southeast2": 0.086, "europe-north2": 0.0672, "europe-west9": 0.074,
        "asia-northeast2": 0.114, "asia-east2": 0.11, "europe-west3": 0.09, "us-west3": 0.098,
        "me-west1": 0.0704, "us-central1": 0.064, "us-east1": 0.064, "us-west1": 0.064,
        "southamerica-west1": 0.092, "me-central2": 0.1024, "australia-southeast1": 0.114,
        "me-central1": 0.07776, "europe-west1": 0.086, "europe-west12": 0.09,
        "northamerica-northeast2": 0.088, "africa-south1": 0.08371, "europe-west10": 0.09856,
        "us-west4": 0.064, "southamerica-east1": 0.146, "europe-west8": 0.074,
        "asia-southeast1": 0.114, "asia-northeast1": 0.114, "europe-west4": 0.086,
        "asia-east1": 0.081, "europe-central2": 0.09, "northamerica-northeast1": 0.088,
        "europe-southwest1": 0.077, "us-east4": 0.064, "australia-southeast2": 0.114,
        "northamerica-south1": 0.06976, "asia-south2": 0.11, "us-west2": 0.098,
        "asia-northeast3": 0.114, "us-east5": 0.064, "asia-south1": 0.11,
    },
    "M2": {
        "asia-east2": 0.07, "me-central1": 0.06561, "asia-east1": 0.056, "me-central2": 0.0864,
        "australia-southeast2": 0.075, "europe-central2": 0.064,
        "northamerica-northeast1": 0.064, "europe-southwest1": 0.064, "asia-southeast2": 0.072,
        "australia-southeast1": 0.075, "us-west2": 0.067, "asia-south2": 0.07,
        "us-south1": 0.064, "asia-northeast3": 0.075, "africa-south1": 0.061,
        "europe-west1": 0.061, "europe-west3": 0.064, "us-west4": 0.054, "europe-west4": 0.061,
        "us-central1": 0.054, "us-east1": 0.054, "us-west1": 0.054, "asia-southeast1": 0.075,
        "asia-northeast2": 0.075, "northamerica-northeast2": 0.064, "europe-west12": 0.064,
        "southamerica-east1": 0.103, "asia-northeast1": 0.075, "us-east5": 0.054,
        "us-east4": 0.054, "europe-west2": 0.064, "europe-west8": 0.062, "europe-west6": 0.07,
        "europe-west9": 0.062, "northamerica-south1": 0.05886, "me-west1": 0.0594,
        "europe-west10": 0.08316, "asia-south1": 0.07, "southamerica-west1": 0.078,
        "europe-north2": 0.0567, "europe-north1": 0.061, "us-west3": 0.067,
    },
    "M3": {
        "asia-northeast1": 0.063, "asia-southeast1": 0.063, "northamerica-south1": 0.05014,
        "europe-west4": 0.05, "me-west1": 0.0506, "us-south1": 0.054, "asia-northeast2": 0.063,
        "us-west3": 0.056, "europe-north2": 0.0483, "southamerica-east1": 0.083,
        "us-west2": 0.056, "asia-east1": 0.046, "asia-southeast2": 0.062, "us-east4": 0.046,
        "northamerica-northeast1": 0.05, "us-east5": 0.046, "asia-east2": 0.058,
        "asia-south1": 0.058, "us-west4": 0.046, "europe-west8": 0.054,
        "europe-central2": 0.052, "asia-south2": 0.058, "europe-west12": 0.052,
        "australia-southeast2": 0.063, "australia-southeast1": 0.063, "africa-south1": 0.05,
        "europe-west9": 0.054, "europe-west6": 0.057, "europe-west10": 0.07084,
        "me-central1": 0.05589, "northamerica-northeast2": 0.05, "europe-west1": 0.05,
        "southamerica-west1": 0.066, "us-central1": 0.046, "us-east1": 0.046,
        "us-west1": 0.046, "europe-north1": 0.05, "europe-southwest1": 0.056,
        "asia-northeast3": 0.063, "europe-west2": 0.052, "me-central2": 0.0736,
        "europe-west3": 0.052,
    },
    "M4": {
        "us-east4": 0.035, "southamerica-east1": 0.069, "asia-south2": 0.043,
        "europe-north1": 0.043, "us-east5": 0.035, "me-west1": 0.04165, "europe-west12": 0.045,
        "us-central1": 0.035, "us-east1": 0.035, "us-west1": 0.035, "asia-east2": 0.043,
        "asia-southeast2": 0.047, "africa-south1": 0.043, "northamerica-northeast1": 0.042,
        "northamerica-south1": 0.03815, "us-west2": 0.044, "us-west4": 0.035,
        "asia-northeast3": 0.047, "us-west3": 0.044, "me-central2": 0.056,
        "europe-west9": 0.044, "europe-southwest1": 0.046, "asia-northeast2": 0.047,
        "asia-south1": 0.043, "us-south1": 0.044, "australia-southeast1": 0.047,
        "europe-north2": 0.03675, "me-central1": 0.04253, "australia-southeast2": 0.047,
        "europe-west8": 0.044, "southamerica-west1": 0.054, "europe-west2": 0.045,
        "europe-west4": 0.043, "europe-west3": 0.045, "europe-west10": 0.0539,
        "europe-west6": 0.049, "europe-central2": 0.045, "asia-northeast1": 0.047,
        "northamerica-northeast2": 0.042, "asia-southeast1": 0.047, "europe-west1": 0.043,
        "asia-east1": 0.039,
    },
    "M5": {
        "europe-southwest1": 0.038, "europe-west9": 0.038, "northamerica-northeast1": 0.034,
        "me-west1": 0.0351, "europe-west8": 0.038, "europe-west12": 0.036,
        "northamerica-south1": 0.0327, "europe-north2": 0.0315, "asia-southeast1": 0.037,
        "southamerica-west1": 0.046, "me-central2": 0.048, "europe-west10": 0.0462,
        "asia-south2": 0.034, "us-east5": 0.03, "asia-east1": 0.031, "us-west3": 0.035,
        "europe-north1": 0.035, "us-west4": 0.03, "asia-south1": 0.034, "europe-west4": 0.035,
        "us-west2": 0.035, "africa-south1": 0.035, "europe-west1": 0.035,
        "asia-northeast1": 0.037, "us-central1": 0.03, "us-east1": 0.03, "us-west1": 0.03,
        "europe-west2": 0.036, "asia-northeast3": 0.037, "northamerica-northeast2": 0.034,
        "southamerica-east1": 0.054, "europe-central2": 0.036, "australia-southeast1": 0.037,
        "asia-southeast2": 0.04, "asia-east2": 0.034, "us-south1": 0.038,
        "asia-northeast2": 0.037, "australia-southeast2": 0.037, "europe-west6": 0.039,
        "me-central1": 0.03645, "us-east4": 0.03, "europe-west3": 0.036,
    },
}

# Memorystore for Valkey, USD per node-hour. SKU "<Node type> Node <region>" (resource group
# Valkey); node types as the API spells them.
VALKEY_NODE_HOURLY: dict[str, dict[str, float]] = {
    "SHARED_CORE_NANO": {
        "asia-east1": 0.0368, "us-south1": 0.0375, "australia-southeast2": 0.0413,
        "europe-west12": 0.041, "us-east1": 0.0359, "northamerica-northeast1": 0.035,
        "northamerica-northeast2": 0.035, "us-central1": 0.0318, "europe-west2": 0.0363,
        "europe-west4": 0.0334, "me-central2": 0.0509, "asia-east2": 0.0445,
        "us-west4": 0.0358, "us-west3": 0.0382, "northamerica-south1": 0.0347,
        "asia-south2": 0.0382, "us-west2": 0.0382, "asia-northeast1": 0.0408,
        "europe-west10": 0.049, "europe-north2": 0.0334, "europe-west1": 0.035,
        "us-west1": 0.0318, "africa-south1": 0.035, "europe-west3": 0.0375,
        "asia-northeast3": 0.0408, "europe-west9": 0.0369, "southamerica-east1": 0.0505,
        "me-west1": 0.035, "asia-south1": 0.0331, "asia-southeast1": 0.0392,
        "europe-north1": 0.035, "europe-west6": 0.0445, "europe-west8": 0.0369,
        "southamerica-west1": 0.0455, "australia-southeast1": 0.0397, "me-central1": 0.0386,
        "us-east5": 0.0358, "europe-central2": 0.041, "asia-northeast2": 0.0408,
        "us-east4": 0.0318, "asia-southeast2": 0.0428, "europe-southwest1": 0.0375,
    },
    "STANDARD_SMALL": {
        "europe-west4": 0.1496, "us-east1": 0.161, "europe-west8": 0.1653,
        "europe-west10": 0.2194, "us-west1": 0.1425, "me-central1": 0.1731,
        "africa-south1": 0.1569, "europe-central2": 0.1836, "asia-southeast1": 0.1758,
        "us-west2": 0.1713, "europe-southwest1": 0.1681, "asia-south1": 0.1482,
        "europe-west6": 0.1993, "southamerica-east1": 0.2263, "europe-west12": 0.1838,
        "europe-west2": 0.1624, "northamerica-south1": 0.1553, "us-central1": 0.1425,
        "asia-northeast3": 0.183, "us-west4": 0.1605, "us-west3": 0.1713,
        "europe-north1": 0.1569, "southamerica-west1": 0.2038, "asia-east2": 0.1993,
        "australia-southeast1": 0.1781, "us-east4": 0.1425, "northamerica-northeast2": 0.1569,
        "asia-east1": 0.165, "asia-south2": 0.1712, "europe-north2": 0.1496,
        "asia-northeast1": 0.183, "us-south1": 0.1681, "me-west1": 0.1567,
        "northamerica-northeast1": 0.1569, "europe-west9": 0.1653, "europe-west1": 0.1569,
        "asia-northeast2": 0.183, "us-east5": 0.1605, "me-central2": 0.228,
        "australia-southeast2": 0.1852, "europe-west3": 0.1681, "asia-southeast2": 0.1916,
    },
    "HIGHMEM_MEDIUM": {
        "europe-west10": 0.2961, "europe-west1": 0.2117, "us-west1": 0.1923,
        "asia-northeast1": 0.247, "europe-west9": 0.2231, "us-west4": 0.2166,
        "asia-northeast3": 0.247, "us-central1": 0.1923, "europe-southwest1": 0.2269,
        "australia-southeast1": 0.2404, "asia-east1": 0.2227, "us-south1": 0.2269,
        "europe-west2": 0.2192, "europe-central2": 0.2478, "europe-west8": 0.2231,
        "southamerica-west1": 0.275, "us-east5": 0.2166, "us-west3": 0.2312,
        "us-east4": 0.1923, "europe-west3": 0.2269, "africa-south1": 0.2117,
        "asia-southeast1": 0.2372, "europe-north2": 0.2019, "me-central2": 0.3077,
        "us-east1": 0.2173, "asia-northeast2": 0.247, "europe-west4": 0.2019,
        "asia-east2": 0.269, "northamerica-northeast1": 0.2117, "northamerica-south1": 0.2096,
        "europe-north1": 0.2117, "southamerica-east1": 0.3054, "me-central1": 0.2336,
        "asia-south1": 0.2, "australia-southeast2": 0.25, "asia-southeast2": 0.2586,
        "europe-west6": 0.269, "northamerica-northeast2": 0.2117, "asia-south2": 0.231,
        "me-west1": 0.2115, "europe-west12": 0.2481, "us-west2": 0.2312,
    },
    "HIGHMEM_XLARGE": {
        "europe-southwest1": 1.0126, "europe-west12": 1.1069, "europe-west1": 0.9449,
        "us-east4": 0.8581, "australia-southeast1": 1.0726, "asia-northeast3": 1.102,
        "southamerica-east1": 1.3626, "asia-southeast1": 1.0586, "australia-southeast2": 1.1155,
        "northamerica-northeast1": 0.9449, "northamerica-south1": 0.9353, "us-west1": 0.8581,
        "us-east1": 0.9697, "europe-west10": 1.3215, "asia-east1": 0.9936,
        "asia-northeast1": 1.102, "us-central1": 0.8581, "us-south1": 1.0126,
        "europe-north1": 0.9449, "europe-central2": 1.1056, "asia-south1": 0.8924,
        "me-central2": 1.373, "northamerica-northeast2": 0.9449, "asia-east2": 1.2004,
        "asia-northeast2": 1.102, "asia-southeast2": 1.1539, "europe-west4": 0.901,
        "us-west2": 1.0315, "us-west3": 1.0315, "me-west1": 0.9439, "us-west4": 0.9665,
        "europe-west8": 0.9954, "europe-west6": 1.2004, "asia-south2": 1.0307,
        "europe-west2": 0.9782, "europe-north2": 0.901, "us-east5": 0.9665,
        "africa-south1": 0.9449, "europe-west9": 0.9954, "southamerica-west1": 1.2271,
        "me-central1": 1.0426, "europe-west3": 1.0126,
    },
}
