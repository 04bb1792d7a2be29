"""The caches must fit the addresses of the subnets the stack creates (AWS): every node takes
one, a serverless cache one in each subnet, and AWS keeps 5 of every subnet. A /24 over two
zones is two /28 subnets: 2 x (16 - 5) = 22 usable addresses."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from tests.builders import aws_config

SMALL = {"vpc_cidr": "10.0.0.0/24"}          # 2 zones (the development default): 22 usable
HELD = ("22 usable addresses in us-east-1 (2 subnets of /28, each 16 addresses less the 5 AWS "
        "reserves)")
GLOBAL = {"node_type": "cache.r7g.large", "shards": 4, "replicas": 1,
          "global": {"secondary_region": "eu-west-1", "secondary_replicas": 5}}
SERVERLESS = {"engine": "valkey", "serverless": {"max_data_gb": 10,
                                                 "max_ecpu_per_second": 5000}}


@pytest.mark.parametrize(("caches", "expected"), [
    ({"m": {"engine": "memcached", "nodes": 30}},
     f"network.vpc_cidr: '10.0.0.0/24' leaves {HELD}, and the caches there take 30 (caches.m: "
     "30 nodes); use a /23 or a shorter prefix, e.g. '10.0.0.0/23'."),
    ({"s": {"shards": 4, "replicas": 5}},
     f"network.vpc_cidr: '10.0.0.0/24' leaves {HELD}, and the caches there take 24 (caches.s: "
     "24 nodes); use a /23 or a shorter prefix, e.g. '10.0.0.0/23'."),
    # Each cache's nodes count; a serverless cache takes an address in each of its subnets.
    ({"s": {"shards": 2, "replicas": 5}, "m": {"engine": "memcached", "nodes": 9},
      "x": SERVERLESS},
     f"network.vpc_cidr: '10.0.0.0/24' leaves {HELD}, and the caches there take 23 (caches.s: "
     "12 nodes; caches.m: 9 nodes; caches.x: 2 addresses, its endpoint in each subnet); use a "
     "/23 or a shorter prefix, e.g. '10.0.0.0/23'."),
], ids=["memcached-30-nodes", "4-shards-of-6-nodes", "every-cache-counts"])
def test_caches_past_the_usable_addresses_are_refused(refused, caches, expected):
    refused(aws_config(caches, network=SMALL), expected)


@pytest.mark.parametrize("caches", [
    {"m": {"engine": "memcached", "nodes": 22}},
    {"s": {"shards": 2, "replicas": 5}, "m": {"engine": "memcached", "nodes": 8},
     "x": SERVERLESS},
], ids=["22-nodes", "nodes-and-a-serverless-endpoint"])
def test_caches_that_just_fit_are_accepted(caches):
    spec = load_stack_config(aws_config(caches, network=SMALL), "test")
    assert spec.warnings == ()


def test_no_prefix_fits_says_what_else_to_change(refused):
    caches = {f"c{i}": {"shards": 83, "replicas": 5} for i in range(9)}   # 9 x 498 nodes
    refused(aws_config(caches, network={"vpc_cidr": "10.0.0.0/16", "availability_zones": 1}),
            "network.vpc_cidr: '10.0.0.0/16' leaves 4091 usable addresses in us-east-1 (1 "
            "subnet of /20, each 4096 addresses less the 5 AWS reserves), and the caches there "
            "take 4482 (" + "; ".join(f"caches.c{i}: 498 nodes" for i in range(9)) + "); even a "
            "/16 leaves only 4091: use more availability zones or fewer nodes.")


def test_a_secondary_region_vpc_with_the_primarys_prefix_is_refused_at_the_primarys_key(
        refused):
    # The secondary's VPC is the /24 after the primary's: its 4 shards of 1 + 5 nodes do not
    # fit, while the primary's 4 shards of 1 + 1 do.
    refused(aws_config({"s": GLOBAL}, network=SMALL),
            "network.vpc_cidr: '10.0.1.0/24' (the VPC of eu-west-1, which takes this prefix) "
            "leaves 22 usable addresses in eu-west-1 (2 subnets of /28, each 16 addresses less "
            "the 5 AWS reserves), and the caches there take 24 (caches.s: 24 nodes); use a /23 "
            "or a shorter prefix, e.g. '10.0.0.0/23'.")


def test_a_secondary_region_vpc_of_its_own_is_refused_at_its_own_key(refused):
    cache = {**GLOBAL, "global": {**GLOBAL["global"], "network": {"vpc_cidr": "10.9.0.0/24"}}}
    refused(aws_config({"s": cache}, network={"vpc_cidr": "10.0.0.0/16"}),
            "caches.s.global.network.vpc_cidr: '10.9.0.0/24' leaves 22 usable addresses in "
            "eu-west-1 (2 subnets of /28, each 16 addresses less the 5 AWS reserves), and the "
            "caches there take 24 (caches.s: 24 nodes); use a /23 or a shorter prefix, e.g. "
            "'10.9.0.0/23'.")


def test_a_secondary_region_counts_its_own_replicas():
    # 4 shards of 1 + 1 nodes in the secondary region fit its /24 as they fit the primary's.
    cache = {**GLOBAL, "global": {"secondary_region": "eu-west-1"}}
    spec = load_stack_config(aws_config({"s": cache}, network=SMALL), "test")
    assert spec.secondary_networks["eu-west-1"].vpc_cidr == "10.0.1.0/24"


def test_auto_scaling_maxima_past_the_usable_addresses_are_a_warning():
    # 2 shards of 1 + 1 nodes fit; at 12 shards the scaler would need 24 addresses.
    cache = {"node_type": "cache.r7g.large", "shards": 2, "replicas": 1,
             "autoscaling": {"shards": {"min": 2, "max": 12}}}
    spec = load_stack_config(aws_config({"s": cache}, network=SMALL), "test")
    assert spec.warnings == (
        "network.vpc_cidr: at the auto scaling maxima the caches in us-east-1 take 24 addresses "
        "(caches.s: 24 nodes at its scaler's maximum), past the 22 usable in '10.0.0.0/24' (2 "
        "subnets of /28, each 16 addresses less the 5 AWS reserves); registering the maxima "
        "succeeds, but a scale-out past 22 fails: use a /23 or a shorter prefix, e.g. "
        "'10.0.0.0/23', or lower the maxima.",)
    within = {**cache, "autoscaling": {"shards": {"min": 2, "max": 11}}}
    assert load_stack_config(aws_config({"s": within}, network=SMALL), "test").warnings == ()


def test_an_existing_vpc_is_not_checked():
    # Its subnets' free addresses are unknown offline.
    network = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
               "allowed_cidrs": ["10.0.0.0/16"]}
    spec = load_stack_config(aws_config({"m": {"engine": "memcached", "nodes": 40}},
                                        network=network), "test")
    assert spec.network.vpc_cidr is None


def test_addresses_are_reported_with_every_other_problem(attempt):
    message, recorder = attempt(aws_config({"m": {"engine": "memcached", "nodes": 30},
                                            "s": {"replicas": 9}},
                                           network=SMALL, alerts={"emails": ["oncall"]}))
    lines = message.splitlines()
    assert lines[0] == "The config of stack 'test' has 3 problems; nothing was created:", message
    assert "  - alerts.emails.0: 'oncall' is not an e-mail address." in lines
    assert any(line.startswith("  - caches.s.replicas: 9 is not allowed") for line in lines)
    assert (f"  - network.vpc_cidr: '10.0.0.0/24' leaves {HELD}, and the caches there take 30 "
            "(caches.m: 30 nodes); use a /23 or a shorter prefix, e.g. '10.0.0.0/23'.") in lines
    assert recorder.registrations == []
