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


@pytest.mark.parametrize("nodes,mode", [(1, "single-az"), (2, "cross-az")])
def test_az_mode_follows_node_count(run, nodes, mode):
    from dataclasses import replace

    recorder = run(build(replace(ARGS, nodes=nodes)))
    assert recorder.of_type("aws:elasticache/cluster:Cluster")[0].inputs["azMode"] == mode


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
