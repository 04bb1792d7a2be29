"""ElastiCacheMemcachedCluster: TLS, spread across zones, its own parameter group."""

from __future__ import annotations

from dataclasses import replace

import pulumi
import pytest

from components.aws.memcached import ElastiCacheMemcachedCluster, MemcachedClusterArgs
from infra import providers

ARGS = MemcachedClusterArgs(
    cluster_id="test-fragments", engine_version="1.6.22", node_type="cache.m7g.large", nodes=3,
    port=11211, parameter_group_name="test-fragments-memcached1-6",
    parameter_group_family="memcached1.6", subnet_group_name="test-cache",
    security_group_ids=["sg-0123456789abcdef0"], parameters={"max_item_size": "10485760"},
    availability_zones=2,
)


def build(args=ARGS):
    def program():
        ElastiCacheMemcachedCluster("fragments", args, opts=pulumi.ResourceOptions(
            providers=[providers.aws_provider("us-east-1", {})]))
    return program


def test_memcached_cluster_arguments(run):
    recorder = run(build(replace(ARGS, tags={"Cache": "fragments"})))
    [cluster] = recorder.of_type("aws:elasticache/cluster:Cluster")
    inputs = cluster.inputs
    assert (inputs["engine"], inputs["engineVersion"]) == ("memcached", "1.6.22")
    assert (inputs["numCacheNodes"], inputs["azMode"], inputs["port"]) == (3, "cross-az", 11211)
    assert inputs["transitEncryptionEnabled"] is True
    assert inputs["tags"] == {"Cache": "fragments"}
    assert inputs["parameterGroupName"] == "test-fragments-memcached1-6"
    assert inputs["subnetGroupName"] == "test-cache"
    # The stack's group, which admits the cache port: without one ElastiCache puts the nodes
    # in the VPC's default security group (CreateCacheCluster, SecurityGroupIds).
    assert inputs["securityGroupIds"] == ["sg-0123456789abcdef0"]
    for absent in ("replicationGroupId", "snapshotRetentionLimit", "numCacheClusters"):
        assert absent not in inputs
    [params] = recorder.of_type("aws:elasticache/parameterGroup:ParameterGroup")
    assert params.inputs["family"] == "memcached1.6"
    assert params.inputs["parameters"] == [{"name": "max_item_size", "value": "10485760"}]


@pytest.mark.parametrize("nodes,zones,mode", [
    (1, 2, "single-az"), (2, 2, "cross-az"),
    # Nodes in one zone: the provider reads single-az back (PreferredAvailabilityZone is not
    # "Multiple"), so cross-az would be sent again on every `pulumi up`.
    (3, 1, "single-az"), (1, 1, "single-az"),
    (3, None, "cross-az"),                  # an existing subnet group: its zones are unknown
])
def test_az_mode_follows_node_and_zone_counts(run, nodes, zones, mode):
    recorder = run(build(replace(ARGS, nodes=nodes, availability_zones=zones)))
    assert recorder.of_type("aws:elasticache/cluster:Cluster")[0].inputs["azMode"] == mode


@pytest.mark.parametrize("network,mode", [
    ({"vpc_cidr": "10.40.0.0/16", "availability_zones": 1}, "single-az"),
    ({"vpc_cidr": "10.40.0.0/16", "availability_zones": 2}, "cross-az"),
    ({"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
      "allowed_cidrs": ["10.0.0.0/16"]}, "single-az"),
    ({"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0",
                                                        "subnet-0123456789abcdef1"],
      "allowed_cidrs": ["10.0.0.0/16"]}, "cross-az"),
], ids=["one-zone", "two-zones", "one-existing-subnet", "two-existing-subnets"])
def test_the_stack_spreads_memcached_nodes_only_over_several_zones(run_stack, network, mode):
    from tests.builders import aws_config

    recorder = run_stack(aws_config({"m": {"engine": "memcached", "nodes": 3}}, network=network))
    [cluster] = recorder.of_type("aws:elasticache/cluster:Cluster")
    assert (cluster.inputs["numCacheNodes"], cluster.inputs["azMode"]) == (3, mode)


def test_node_endpoints_are_exported(run_stack):
    from tests.builders import aws_config

    recorder = run_stack(aws_config({"m": {"engine": "memcached", "nodes": 2}}))
    caches = recorder.stack_outputs["caches"]
    assert caches["m"]["endpoint"].endswith(":11211")
    assert len(caches["m"]["node_endpoints"]) == 2


def test_memcached_maintenance_happens_in_its_window(run):
    """Without the window AWS picks one at random: patching (a node restart, its data lost)
    could come at peak time."""
    [cluster] = run(build()).of_type("aws:elasticache/cluster:Cluster")
    assert cluster.inputs["maintenanceWindow"] == "sun:05:00-sun:06:00"
    assert cluster.inputs["applyImmediately"] is False
    [cluster] = run(build(replace(ARGS, maintenance_window="tue:03:00-tue:04:00",
                                  apply_immediately=True))).of_type(
        "aws:elasticache/cluster:Cluster")
    assert cluster.inputs["maintenanceWindow"] == "tue:03:00-tue:04:00"
    # Unless the config asks for changes now (ModifyCacheCluster, ApplyImmediately).
    assert cluster.inputs["applyImmediately"] is True
