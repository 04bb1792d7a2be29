"""After a cross-region switchover (issue 11, defect 11): the secondary instance becomes the
primary and the old primary a secondary. The provider sends `cross_instance_replication_config`
in every update, so `pulumi up` would ask Memorystore for the old roles back. The secondary
ignores what a switchover changes, as the AWS writer DNS record ignores what a failover
changes; both lists come from the provider facts table."""

from __future__ import annotations

from components import fact_conditions as when
from components import provider_facts as facts
from components.resource_types import GCP_RECORD_SET, GCP_VALKEY
from tests.builders import gcp_config, valkey

VALKEY = "gcp:memorystore/instance:Instance"
RECORD = "gcp:dns/recordSet:RecordSet"
GLOBAL = {"global": {"secondary_region": "us-east4"}}


def test_the_secondary_leaves_its_replication_roles_to_switchovers(run_stack):
    rec = run_stack(gcp_config(valkey(**GLOBAL), profile="production"))
    secondary = rec.named("s-secondary-us-east4")
    assert secondary.inputs["crossInstanceReplicationConfig"]["instanceRole"] == "SECONDARY"
    # And what Memorystore syncs from the primary: "You must change the following settings on
    # the primary instance" (shards, configs, persistence, version, node type).
    assert secondary.ignore_changes == [
        "crossInstanceReplicationConfig", "engineConfigs", "engineVersion", "nodeType",
        "persistenceConfig", "shardCount"]
    # The primary sends no replication config at all: Memorystore fills it in, and a
    # switchover that turns it into a secondary plans no change either.
    primary = rec.named("s-instance")
    assert "crossInstanceReplicationConfig" not in primary.inputs
    # Only the restore sources, which apply at creation alone (issue 13).
    assert primary.ignore_changes == ["gcsSource", "managedBackupSource"]


def test_the_ignored_arguments_are_the_cloud_owned_facts():
    assert facts.ignored_arguments(GCP_VALKEY, when.CROSS_REGION_SECONDARY) == [
        "crossInstanceReplicationConfig", "engineConfigs", "engineVersion", "nodeType",
        "persistenceConfig", "shardCount"]
    assert facts.ignored_arguments(GCP_VALKEY) == []
    assert facts.ignored_arguments(GCP_RECORD_SET, when.FOLLOWS_FAILOVER) == ["rrdatas", "ttl"]


def test_the_writer_record_still_follows_the_operator_not_pulumi_up(run_stack):
    rec = run_stack(gcp_config(valkey(**GLOBAL), network={"dns": {"zone": "cache.internal"}}))
    writer = [r for r in rec.of_type(RECORD) if r.inputs["name"].startswith("s-writer.")]
    assert [r.ignore_changes for r in writer] == [["rrdatas", "ttl"]]
