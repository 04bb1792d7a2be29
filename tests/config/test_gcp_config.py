"""GCP Memorystore config rules: every refused config names the key, the bad value and what is
allowed, and nothing is registered. What valid configs resolve to is in
test_gcp_resolution.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import (
    GCP_BARE_NETWORK,
    KMS,
    SUBNET,
    gcp_config,
    memcached,
    redis,
    refusal_cases,
    valkey,
)

REFUSED = [
    # --- network -------------------------------------------------------------------------
    ("zones", gcp_config(network={"availability_zones": 3}),
     "network.availability_zones: Memorystore spreads nodes over zones itself (Valkey zone "
     "distribution, Redis STANDARD_HA); remove the key (caches.<name>.gcp.zone pins one zone)."),
    ("allowed-cidrs", gcp_config(network={"allowed_cidrs": ["10.0.0.0/8"]}),
     "network.allowed_cidrs: Memorystore has no per-instance firewall: every client in the VPC "
     "network can connect; remove the key and control access with the network, TLS and "
     "AUTH/IAM."),
    ("security-groups", gcp_config(network={"allowed_security_group_ids": ["sg-0123456789"]}),
     "network.allowed_security_group_ids: security groups exist on AWS only; remove the key."),
    ("new-and-existing", gcp_config(network={"vpc_cidr": "10.1.0.0/16", "vpc_id": "shared"}),
     "network: set vpc_cidr (a new VPC network) or vpc_id (an existing network, with "
     "subnet_ids for Valkey), not both."),
    ("subnets-without-network",
     gcp_config(network={"subnet_ids": [SUBNET.format("us-central1")]}),
     "network.subnet_ids: needs vpc_id: subnets belong to an existing network."),
    ("bad-network", gcp_config(network={"vpc_id": "Shared_VPC"}),
     "network.vpc_id: 'Shared_VPC' is not a VPC network; use its name or "
     "projects/<project>/global/networks/<name>."),
    ("aws-subnet", gcp_config(network={"vpc_id": "shared", "subnet_ids": ["subnet-0123"]}),
     "network.subnet_ids.0: 'subnet-0123' is not a subnetwork path; use projects/<project>/"
     "regions/<region>/subnetworks/<name> (the region says where Valkey endpoints live)."),
    ("vpc-too-big", gcp_config(network={"vpc_cidr": "10.0.0.0/12"}),
     "network.vpc_cidr: '10.0.0.0/12' is a /12; use a prefix from /16 to /24 (each region's "
     "subnet takes 1/16 of it)."),
    ("vpc-public", gcp_config(network={"vpc_cidr": "8.8.0.0/16"}),
     "network.vpc_cidr: '8.8.0.0/16' is not a private range; use part of 10.0.0.0/8, "
     "172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10."),
    ("psa-overlaps",
     gcp_config(network={"vpc_cidr": "10.40.0.0/16", "gcp": {"psa_range": "10.40.128.0/20"}}),
     "network.gcp.psa_range: '10.40.128.0/20' overlaps vpc_cidr '10.40.0.0/16'; the private "
     "services range must be outside the network's subnets."),
    ("psa-public", gcp_config(network={"gcp": {"psa_range": "9.9.0.0/20"}}),
     "network.gcp.psa_range: '9.9.0.0/20' is not a private range; use part of 10.0.0.0/8, "
     "172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10."),
    ("psa-too-small", gcp_config(network={"gcp": {"psa_range": "10.60.0.0/26"}}),
     "network.gcp.psa_range: a /26 is not allowed; use a prefix from /16 to /24 for the private "
     "services access range."),
    ("psa-range-and-size",
     gcp_config(network={"gcp": {"psa_range": "10.60.0.0/20", "psa_prefix_length": 20}}),
     "network.gcp: set psa_range (a fixed range) or psa_prefix_length (Google picks the range), "
     "not both."),
    ("psa-size-unused", gcp_config(network={"vpc_id": "shared", "gcp": {
        "create_psa_connection": False, "psa_prefix_length": 16}}),
     "network.gcp: psa_range, psa_prefix_length and psa_existing_ranges only apply when "
     "create_psa_connection is true."),
    ("new-vpc-without-policy",
     gcp_config(network={"gcp": {"create_service_connection_policy": False}}),
     "network.gcp: a new VPC network has no private services access and no connection policy "
     "yet; leave create_psa_connection and create_service_connection_policy true."),
    # A network named without its project is in the stack's project (gcp:project).
    ("subnet-outside-the-stack-project", gcp_config(valkey(), network={
        "vpc_id": "shared",
        "subnet_ids": ["projects/host-proj/regions/us-central1/subnetworks/clients"]}),
     "network.subnet_ids.0: is in project 'host-proj' but the network is in 'acme-cache'; a "
     "subnet belongs to its network's project (the Shared VPC host)."),
    ("gcp-typo", gcp_config(network={"gcp": {"psa_prefx_length": 20}}),
     "network.gcp.psa_prefx_length: is not a known key. Did you mean 'psa_prefix_length'? "
     "Allowed keys here: create_psa_connection, create_service_connection_policy, "
     "psa_existing_ranges, psa_prefix_length, psa_range."),
    ("valkey-region-without-subnet",
     gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}}),
                network={"vpc_id": "shared", "subnet_ids": [SUBNET.format("us-central1")]}),
     "network.subnet_ids: has no subnet in us-east4; Valkey caches (s) need one there for their "
     "Private Service Connect endpoints (or set network.gcp.create_service_connection_policy: "
     "false if the network already has a gcp-memorystore policy in that region)."),
    ("region-typo", gcp_config(**{"gcp:region": "us-central"}),
     "gcp:region: 'us-central' is not a GCP region Memorystore is offered in. Did you mean "
     "'us-central1'?"),
    ("prefix-too-long-for-the-network", gcp_config(valkey(), name_prefix="p" * 40),
     "name_prefix: '" + "p" * 40 + "' makes the network resource name '" + "p" * 40
     + "-memorystore-us-central1' 64 characters; Google Cloud allows at most 63 there. Use a "
     "prefix of at most 39 characters."),
    # Without Valkey no connection policy is named: the new network's firewall is the longest.
    ("prefix-too-long-for-the-firewall", gcp_config(redis(), name_prefix="p" * 41),
     "name_prefix: '" + "p" * 41 + "' makes the network resource name '" + "p" * 41
     + "-cache-deny-all-ingress' 64 characters; Google Cloud allows at most 63 there. Use a "
     "prefix of at most 40 characters."),
    ("no-project", {k: v for k, v in gcp_config().items() if k != "gcp:project"},
     "gcp:project: is required for cloud 'gcp'; set it with `pulumi config set gcp:project "
     "<value>`."),
    # --- Valkey ---------------------------------------------------------------------------
    ("valkey-version", gcp_config(valkey(engine_version="8.1")),
     "caches.s.engine_version: '8.1' is not a Memorystore for Valkey version; use one of 7.2, "
     "8.0, 9.0, 9.1. Did you mean '8.0' or '9.1'?"),
    ("valkey-api-version", gcp_config(valkey(engine_version="VALKEY_8_0")),
     "caches.s.engine_version: 'VALKEY_8_0' is not a Memorystore for Valkey version; use one of "
     "7.2, 8.0, 9.0, 9.1. Write it as '8.0'."),
    ("valkey-aws-node", gcp_config(valkey(node_type="cache.r7g.large")),
     "caches.s.node_type: 'cache.r7g.large' is not a Memorystore for Valkey node type; use one "
     "of shared-core-nano, custom-pico, custom-micro, custom-mini, standard-small, "
     "highmem-medium, highcpu-medium, standard-large, highmem-xlarge, highmem-2xlarge."),
    ("valkey-node-and-memory", gcp_config(valkey(node_type="highmem-medium", memory_gb=4)),
     "caches.s: set node_type or memory_gb, not both."),
    ("valkey-memory", gcp_config(valkey(memory_gb=100)),
     "caches.s.memory_gb: 100.0 GB does not fit one Memorystore for Valkey node (the largest, "
     "highmem-xlarge, holds 46.4 GB); use shards to spread the data."),
    ("valkey-backups-at-hour-0", gcp_config(valkey(snapshot_window="00:00-01:00")),
     "caches.s.snapshot_window: '00:00-01:00' starts at hour 0, which the provider cannot send "
     "to Memorystore for Valkey; start it at 01:00 or later, e.g. '01:00-02:00'."),
    ("valkey-shards", gcp_config(valkey(shards=300)),
     "caches.s.shards: 300 is not allowed; Memorystore for Valkey has 1 to 250 shards."),
    # Memorystore for Valkey quotas: "Usage units per instance: 250", shards x (1 + replicas).
    ("valkey-past-250-nodes", gcp_config(valkey(shards=126, replicas=1)),
     "caches.s.shards: 126 shards of 2 nodes (1 primary, 1 replica) make 252 nodes; a "
     "Memorystore for Valkey instance holds at most 250 (usage units), e.g. 125 shards with 1 "
     "replica."),
    ("valkey-250-shards-with-a-replica", gcp_config(valkey(shards=250, replicas=1)),
     "caches.s.shards: 250 shards of 2 nodes (1 primary, 1 replica) make 500 nodes; a "
     "Memorystore for Valkey instance holds at most 250 (usage units), e.g. 125 shards with 1 "
     "replica."),
    ("valkey-replicas", gcp_config(valkey(replicas=6)),
     "caches.s.replicas: 6 is not allowed; Memorystore for Valkey allows 0 to 5 replicas per "
     "shard."),
    ("valkey-cluster-disabled", gcp_config(valkey(shards=2, gcp={"cluster_mode": False})),
     "caches.s.gcp.cluster_mode: false does not fit shards: 2; mode CLUSTER_DISABLED has "
     "exactly one shard."),
    ("valkey-retention", gcp_config(valkey(snapshot_retention_days=400)),
     "caches.s.snapshot_retention_days: 400 is not allowed; Memorystore for Valkey keeps "
     "automated backups 1 to 365 days (0 turns them off)."),
    ("valkey-retention-negative", gcp_config(valkey(snapshot_retention_days=-1)),
     "caches.s.snapshot_retention_days: -1 is not allowed; Memorystore for Valkey keeps "
     "automated backups 1 to 365 days (0 turns them off)."),
    ("valkey-backup-hour", gcp_config(valkey(snapshot_window="03:30-04:30")),
     "caches.s.snapshot_window: '03:30-04:30' does not start on the hour; Memorystore for "
     "Valkey starts automated backups at a full hour, e.g. '03:00-04:00'."),
    ("valkey-final-snapshot", gcp_config(valkey(final_snapshot=True)),
     "caches.s.final_snapshot: Memorystore for Valkey takes no backup when an instance is "
     "deleted; remove the key (automated backups follow snapshot_retention_days)."),
    ("valkey-nodes", gcp_config(valkey(nodes=3)),
     "caches.s.nodes: Memorystore for Valkey is sized with shards, replicas and node_type; "
     "nodes is for memcached only."),
    ("valkey-id-too-short", gcp_config({"a": {}}, name_prefix="x"),
     "caches.a: the instance id 'x-a' is not allowed; Memorystore for Valkey ids are 4 to 63 "
     "lowercase letters, digits and hyphens. Lengthen the cache name or name_prefix."),
    ("valkey-three-secondaries", gcp_config(valkey(**{"global": {
        "secondary_regions": ["us-east1", "us-east4", "us-west1"]}})),
     "caches.s.global: 3 secondary regions is not allowed; Memorystore for Valkey cross-region "
     "replication has 1 to 2 secondaries."),
    ("valkey-secondary-is-primary",
     gcp_config(valkey(**{"global": {"secondary_region": "us-central1"}})),
     "caches.s.global.secondary_region: 'us-central1' is the primary region; a secondary must "
     "be another region."),
    ("valkey-secondary-typo", gcp_config(valkey(**{"global": {"secondary_region": "us-east-4"}})),
     "caches.s.global.secondary_region: 'us-east-4' is not a GCP region Memorystore is offered "
     "in. Did you mean 'us-east4'?"),
    # The secondary's id is the primary's plus "-<region code>": 'p' * 57 + "-s-use4" is 64.
    ("valkey-secondary-id-64-characters",
     gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}}), name_prefix="p" * 57,
                network=GCP_BARE_NETWORK),
     "caches.s.global.secondary_region: the secondary instance id would be longer than 63 "
     "characters; shorten the cache name."),
    ("valkey-secondary-network", gcp_config(valkey(**{"global": {
        "secondary_region": "us-east4", "network": {"vpc_cidr": "10.41.0.0/16"}}})),
     "caches.s.global.network: a GCP VPC network spans every region: the secondary's subnet "
     "comes from network.vpc_cidr or network.subnet_ids; remove the key."),
    ("valkey-secondary-replicas", gcp_config(valkey(**{"global": {
        "secondary_region": "us-east4", "secondary_replicas": 6}})),
     "caches.s.global.secondary_replicas: 6 is not allowed; use 0 to 5 replicas per shard."),
    ("valkey-secondary-past-250-nodes", gcp_config(valkey(shards=50, replicas=1, **{"global": {
        "secondary_region": "us-east4", "secondary_replicas": 5}})),
     "caches.s.global.secondary_replicas: 50 shards of 6 nodes (1 primary, 5 replicas) make 300 "
     "nodes in each secondary region; a Memorystore for Valkey instance holds at most 250 "
     "(usage units), so use at most 4 replicas per shard there."),
    ("valkey-kms-and-global", gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}},
                                                gcp={"kms_key": KMS.format("us-central1")})),
     "caches.s.gcp.kms_key: a Cloud KMS key is regional and cross-region secondaries would need "
     "their own; remove the key or the global block."),
    ("service-accounts-empty", gcp_config(valkey(gcp={"client_service_accounts": []})),
     "caches.s.gcp.client_service_accounts: is empty; list service accounts or remove the key."),
    ("kms-format", gcp_config(valkey(gcp={"kms_key": "arn:aws:kms:us-east-1:1:key/x"})),
     "caches.s.gcp.kms_key: 'arn:aws:kms:us-east-1:1:key/x' is not a Cloud KMS key; use "
     "projects/<project>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>."),
    ("kms-region", gcp_config(redis(gcp={"kms_key": KMS.format("europe-west1")})),
     "caches.s.gcp.kms_key: the key is in europe-west1, not us-central1; Memorystore needs a key "
     "in the instance's own region."),
    ("kms-same-names-in-another-project", gcp_config({
        "a": {"engine": "valkey", "gcp": {"kms_key": KMS.format("us-central1")}},
        "b": {"engine": "valkey", "gcp": {"kms_key": KMS.format("us-central1").replace(
            "acme-cache", "acme-keys")}}}),
     "caches.b.gcp.kms_key: 'projects/acme-keys/locations/us-central1/keyRings/cache/cryptoKeys/"
     "valkey' has the location, key ring and key names of 'projects/acme-cache/locations/"
     "us-central1/keyRings/cache/cryptoKeys/valkey' (cache a), in another project; the stack "
     "names each key's grant after those three, so use a key that differs in one of them."),
    ("zone", gcp_config(valkey(gcp={"zone": "us-east1-b"})),
     "caches.s.gcp.zone: 'us-east1-b' is not a zone of us-central1; use one that "
     "`gcloud compute zones list --filter=region:us-central1` lists."),
    ("window-too-short", gcp_config(valkey(maintenance_window="sun:05:00-sun:05:30")),
     "caches.s.maintenance_window: 'sun:05:00-sun:05:30' lasts 30 minutes; a maintenance window "
     "needs at least 60."),
    # Valkey and Redis windows are fixed at one hour (duration is output-only): a longer one
    # would be cut to its first hour. They start on the hour (Valkey answers "Invalid start
    # time, only hours are supported"). The suggestion keeps the start's hour, across midnight
    # and the week's end too.
    ("valkey-window-long", gcp_config(valkey(maintenance_window="sun:05:00-sun:09:00")),
     "caches.s.maintenance_window: 'sun:05:00-sun:09:00' lasts 240 minutes; a Memorystore for "
     "Valkey maintenance window starts on the hour and lasts exactly one hour, e.g. "
     "'sun:05:00-sun:06:00'."),
    ("redis-window-long", gcp_config(redis(maintenance_window="sun:23:30-mon:01:00")),
     "caches.s.maintenance_window: 'sun:23:30-mon:01:00' lasts 90 minutes; a Memorystore for "
     "Redis maintenance window starts on the hour and lasts exactly one hour, e.g. "
     "'sun:23:00-mon:00:00'."),
    ("valkey-window-off-the-hour", gcp_config(valkey(maintenance_window="wed:22:30-wed:23:30")),
     "caches.s.maintenance_window: 'wed:22:30-wed:23:30' starts at 22:30; a Memorystore for "
     "Valkey maintenance window starts on the hour and lasts exactly one hour, e.g. "
     "'wed:22:00-wed:23:00'."),
    ("redis-window-off-the-hour", gcp_config(redis(maintenance_window="sat:23:15-sun:00:15")),
     "caches.s.maintenance_window: 'sat:23:15-sun:00:15' starts at 23:15; a Memorystore for "
     "Redis maintenance window starts on the hour and lasts exactly one hour, e.g. "
     "'sat:23:00-sun:00:00'."),
    ("window-format", gcp_config(redis(maintenance_window="sunday 05:00")),
     "caches.s.maintenance_window: 'sunday 05:00' is not a maintenance window; use "
     "'ddd:hh24:mi-ddd:hh24:mi' in UTC, e.g. 'sun:05:00-sun:06:00'."),
    ("rdb-period", gcp_config(valkey(gcp={"rdb_snapshot_hours": 3})),
     "caches.s.gcp.rdb_snapshot_hours: 3 is not allowed; use one of 1, 6, 12, 24."),
    ("persistence", gcp_config(valkey(gcp={"persistence": "always"})),
     "caches.s.gcp.persistence: 'always' is not allowed; use 'disabled', 'rdb' or 'aof'."),
    ("cluster-enabled", gcp_config(valkey(parameters={"cluster-enabled": "yes"})),
     "caches.s.parameters.cluster-enabled: is set from shards (and gcp.cluster_mode); remove it "
     "from parameters."),
    ("alarm-override", gcp_config(valkey(alarms={"memory_warning_percent": 150})),
     "caches.s.alarms.memory_warning_percent: 150 is not allowed; a percentage is 1 to 100."),
    # An alert above the most clients a node accepts could never fire (Memorystore quotas).
    ("connections-at-node-cap", gcp_config(valkey(node_type="shared-core-nano",
                                                   alarms={"max_connections": 5000})),
     "caches.s.alarms.max_connections: 5000 is not allowed; a shared-core-nano node "
     "(maxclients 5000) accepts at most 5000 clients, so the alert (above the threshold) could "
     "never fire. Use 1 to 4999."),
    ("connections-above-maxclients", gcp_config(valkey(
        node_type="standard-small", parameters={"maxclients": "20000"},
        alarms={"max_connections": 25000})),
     "caches.s.alarms.max_connections: 25000 is not allowed; a standard-small node with "
     "maxclients 20000 accepts at most 20000 clients, so the alert (above the threshold) could "
     "never fire. Use 1 to 19999."),
    ("redis-connections-at-cap", gcp_config(redis(alarms={"max_connections": 65000})),
     "caches.s.alarms.max_connections: 65000 is not allowed; a Memorystore for Redis node "
     "accepts at most 65000 clients, so the alert (above the threshold) could never fire. Use "
     "1 to 64999."),
    # Redis 6.x with TLS takes fewer clients by capacity tier (about-in-transit-encryption).
    ("redis6-tls-connections", gcp_config(redis(engine_version="6.x", memory_gb=5,
                                                gcp={"tls": True},
                                                alarms={"max_connections": 3000})),
     "caches.s.alarms.max_connections: 3000 is not allowed; a 5 GB Memorystore for Redis 6.x "
     "instance with TLS accepts at most 2500 clients, so the alert (above the threshold) could "
     "never fire. Use 1 to 2499."),
    # The 4 GB edge of the smallest tier takes that tier's limit.
    ("redis6-tls-connections-at-tier-edge", gcp_config(redis(
        engine_version="6.x", memory_gb=4, gcp={"tls": True}, alarms={"max_connections": 1000})),
     "caches.s.alarms.max_connections: 1000 is not allowed; a 4 GB Memorystore for Redis 6.x "
     "instance with TLS accepts at most 1000 clients, so the alert (above the threshold) could "
     "never fire. Use 1 to 999."),
    ("memcached-connections-at-cap", gcp_config(memcached(alarms={"max_connections": 65000})),
     "caches.s.alarms.max_connections: 65000 is not allowed; a Memorystore for Memcached node "
     "accepts at most 65000 clients, so the alert (above the threshold) could never fire. Use "
     "1 to 64999."),
    ("maxclients-above-node-type", gcp_config(valkey(node_type="standard-small",
                                                      parameters={"maxclients": "40000"})),
     "caches.s.parameters.maxclients: 40000 is above the 32000 clients a standard-small node "
     "takes (Memorystore for Valkey quotas, Max clients); use 1 to 32000."),
    # No Memorystore alert policy reads these: refused, not silently unused.
    ("unwatched-host-cpu", gcp_config(valkey(alarms={"host_cpu_percent": 80})),
     "caches.s.alarms.host_cpu_percent: is not watched on Memorystore for Valkey: no alarm "
     "reads it (docs/alarms.md). Remove it."),
    ("unwatched-memcached-warning", gcp_config(memcached(alarms={"memory_warning_percent": 70})),
     "caches.s.alarms.memory_warning_percent: is not watched on Memorystore for Memcached: no "
     "alarm reads it (docs/alarms.md). Remove it."),
    ("aws-block", gcp_config(valkey(aws={"port": 7000})),
     "caches.s.aws: options for aws do not apply to a stack on gcp; remove the block."),
    # --- Redis ----------------------------------------------------------------------------
    ("redis-version", gcp_config(redis(engine_version="7.1")),
     "caches.s.engine_version: '7.1' is not a Memorystore for Redis version; use one of 6.x, "
     "7.0, 7.2. Did you mean '7.0' or '7.2'?"),
    ("redis-memory-small", gcp_config(redis(memory_gb=0.5)),
     "caches.s.memory_gb: 0.5 is not allowed; Memorystore for Redis takes a whole number of GB "
     "from 1 to 300."),
    ("redis-memory-large", gcp_config(redis(memory_gb=400)),
     "caches.s.memory_gb: 400.0 is not allowed; Memorystore for Redis takes a whole number of "
     "GB from 1 to 300."),
    ("redis-memory-fraction", gcp_config(redis(memory_gb=2.5)),
     "caches.s.memory_gb: 2.5 is not allowed; Memorystore for Redis takes a whole number of GB "
     "from 1 to 300."),
    ("redis-read-replicas-memory", gcp_config(redis(memory_gb=2, replicas=2)),
     "caches.s.memory_gb: 2.0 is not allowed with read replicas; they need at least 5 GB."),
    ("redis-standard-ha-one-replica",
     gcp_config(redis(memory_gb=5, replicas=2, gcp={"read_replicas": False})),
     "caches.s.replicas: 2 is not allowed without read replicas; a STANDARD_HA instance has "
     "exactly 1 replica. Remove gcp.read_replicas: false or set replicas to 1."),
    ("redis-basic-read-replicas", gcp_config(redis(replicas=0, gcp={"read_replicas": True})),
     "caches.s.gcp.read_replicas: true does not fit replicas: 0; the BASIC tier has no "
     "replicas. Set replicas to 1 to 5."),
    ("redis-replicas", gcp_config(redis(replicas=6, memory_gb=5)),
     "caches.s.replicas: 6 is not allowed; Memorystore for Redis has 0 (BASIC tier), 1 "
     "(STANDARD_HA) or up to 5 with read replicas."),
    ("redis-shards", gcp_config(redis(shards=2)),
     "caches.s.shards: 2 is not allowed; Memorystore for Redis has one shard. Use engine "
     "'valkey' with shards to spread the data."),
    ("redis-id-41-characters", gcp_config(redis(), name_prefix="p" * 39),
     "caches.s: the instance name '" + "p" * 39 + "-s' is not allowed; Memorystore for Redis "
     "names are 2 to 40 lowercase letters, digits and hyphens, starting with a letter."),
    ("redis-nodes", gcp_config(redis(nodes=2)),
     "caches.s.nodes: Memorystore for Redis is sized with memory_gb and replicas; nodes is for "
     "memcached only."),
    ("redis-aof", gcp_config(redis(gcp={"persistence": "aof"})),
     "caches.s.gcp.persistence: 'aof' is not allowed; Memorystore for Redis has RDB "
     "persistence only. Use 'rdb' or 'disabled', or engine 'valkey' for AOF."),
    # --- Memcached ------------------------------------------------------------------------
    ("memcached-nodes", gcp_config(memcached(nodes=21)),
     "caches.s.nodes: 21 is not allowed; Memorystore for Memcached has 1 to 20 nodes."),
    ("memcached-odd-vcpus", gcp_config(memcached(gcp={"vcpus": 3})),
     "caches.s.gcp.vcpus: 3 is not allowed; a Memorystore for Memcached node has 1 vCPU or an "
     "even number up to 32."),
    ("memcached-many-vcpus", gcp_config(memcached(gcp={"vcpus": 34})),
     "caches.s.gcp.vcpus: 34 is not allowed; a Memorystore for Memcached node has 1 vCPU or an "
     "even number up to 32."),
    ("memcached-memory-per-vcpu", gcp_config(memcached(gcp={"vcpus": 4}, memory_gb=2)),
     "caches.s.memory_gb: 2.0 GB per node is not allowed with 4 vCPU; Memorystore for Memcached "
     "takes 3.6 to 32 GB per node (at least max(1, 0.9 x vCPU), at most 8 per vCPU and 256)."),
    ("memcached-memory-max", gcp_config(memcached(gcp={"vcpus": 1}, memory_gb=9)),
     "caches.s.memory_gb: 9.0 GB per node is not allowed with 1 vCPU; Memorystore for Memcached "
     "takes 1 to 8 GB per node (at least max(1, 0.9 x vCPU), at most 8 per vCPU and 256)."),
    ("memcached-window-short", gcp_config(memcached(maintenance_window="sun:05:00-sun:06:00")),
     "caches.s.maintenance_window: 'sun:05:00-sun:06:00' lasts 60 minutes; a Memorystore for "
     "Memcached maintenance window lasts 3 to 8 hours, e.g. 'sun:05:00-sun:08:00'."),
    ("memcached-window-long", gcp_config(memcached(maintenance_window="sun:05:00-sun:14:00")),
     "caches.s.maintenance_window: 'sun:05:00-sun:14:00' lasts 540 minutes; a Memorystore for "
     "Memcached maintenance window lasts 3 to 8 hours, e.g. 'sun:05:00-sun:08:00'."),
    ("memcached-id-41-characters", gcp_config(memcached(), name_prefix="p" * 39),
     "caches.s: the instance name '" + "p" * 39 + "-s' is not allowed; Memorystore for "
     "Memcached names are 2 to 40 lowercase letters, digits and hyphens, starting with a "
     "letter."),
    ("memcached-description-81", gcp_config(memcached(description="d" * 81)),
     "caches.s.description: is 81 characters; Memorystore for Memcached shows at most 80."),
    ("memcached-version", gcp_config(memcached(engine_version="1.6.22")),
     "caches.s.engine_version: '1.6.22' is not a Memorystore for Memcached version; use one of "
     "1.5, 1.6.15. Did you mean '1.6.15'?"),
]


# A key the product has no counterpart for: one message, "caches.s.<key>: Memorystore for
# <Product> has no <what>; remove the key", plus " or use engine 'valkey'" for Redis and Memcached.
LACKING = [
    # (engine, key, a value for it, what the product has no)
    ("valkey", "description", "sessions", "description field (use gcp.labels)"),
    ("valkey", "gcp.vcpus", 2, "vCPU setting (pick a node_type)"),
    ("valkey", "gcp.read_replicas", True,
     "read replicas mode (replicas of a Valkey instance serve reads already)"),
    ("redis", "node_type", "standard-small", "node types (it is sized with memory_gb, 1 to 300)"),
    ("redis", "global", {"secondary_region": "us-east4"}, "cross-region replication"),
    ("redis", "snapshot_window", "03:00-04:00",
     "automated backups (gcp.persistence: rdb keeps RDB snapshots)"),
    ("redis", "snapshot_retention_days", 7,
     "automated backups (gcp.persistence: rdb keeps RDB snapshots)"),
    ("redis", "final_snapshot", True,
     "final snapshot on deletion (export the RDB file to Cloud Storage first)"),
    ("redis", "gcp.cluster_mode", True, "cluster mode"),
    ("redis", "gcp.vcpus", 2, "vCPU setting (it is sized with memory_gb)"),
    ("memcached", "replicas", 1, "replication"),
    ("memcached", "shards", 2, "shards (it spreads keys over nodes instead)"),
    ("memcached", "global", {"secondary_region": "us-east4"}, "cross-region replication"),
    ("memcached", "snapshot_window", "03:00-04:00", "snapshots"),
    # Memcached has no snapshots at all: false is refused too (Redis takes false, below).
    ("memcached", "final_snapshot", False, "snapshots"),
    ("memcached", "node_type", "standard-small",
     "node types (size nodes with memory_gb and gcp.vcpus)"),
    ("memcached", "gcp.tls", True, "in-transit encryption"),
    ("memcached", "gcp.auth", True, "authentication"),
    ("memcached", "gcp.persistence", "rdb", "persistence"),
]
PRODUCT = {"valkey": "Memorystore for Valkey", "redis": "Memorystore for Redis",
           "memcached": "Memorystore for Memcached"}


def lacking(engine: str, key: str, value: Any, what: str) -> tuple[str, dict[str, str], str]:
    """A LACKING row as a REFUSED case: cache `s` of `engine` with `key` (block.field) set."""
    block, _, field = key.rpartition(".")
    cache = {"engine": engine, **({block: {field: value}} if block else {field: value})}
    valkey_instead = "" if engine == "valkey" else " or use engine 'valkey'"
    return (f"{engine}-{key}", gcp_config({"s": cache}),
            f"caches.s.{key}: {PRODUCT[engine]} has no {what}; remove the key{valkey_instead}.")


CASES = REFUSED + [lacking(*row) for row in LACKING]


@refusal_cases(CASES)
def test_refused_with_its_message_and_nothing_created(refused, config, expected):
    refused(config, expected)


def test_every_problem_is_reported_at_once(attempt):
    message, recorder = attempt(gcp_config({
        "a": {"engine": "redis", "memory_gb": 400},
        "b": {"engine": "memcached", "nodes": 30},
        "c": {"engine": "valkey", "replicas": 9},
    }))
    assert message.startswith("The config of stack 'test' has 3 problems; nothing was created:")
    assert "caches.a.memory_gb: 400.0" in message
    assert "caches.b.nodes: 30" in message
    assert "caches.c.replicas: 9" in message
    assert recorder.registrations == []


def test_a_wrong_region_is_reported_beside_an_invalid_network(attempt):
    message, recorder = attempt(gcp_config(network={"vpc_cidr": "8.8.0.0/16"},
                                           **{"gcp:region": "us-central"}))
    assert "has 2 problems" in message
    assert "gcp:region: 'us-central' is not a GCP region Memorystore is offered in." in message
    assert "network.vpc_cidr: '8.8.0.0/16' is not a private range" in message
    assert recorder.registrations == []


ACCOUNT = "app@acme-cache.iam.gserviceaccount.com"


@pytest.mark.parametrize(("caches", "expected"), [
    (valkey(shards=300, replicas=1, **{"global": {"secondary_region": "us-east4",
                                                   "secondary_replicas": 3}}),
     "caches.s.shards: 300 is not allowed; Memorystore for Valkey has 1 to 250 shards."),
    # The secondaries repeat the primary's shape: its usage units are counted once.
    (valkey(shards=126, replicas=1, **{"global": {"secondary_region": "us-east4"}}),
     "caches.s.shards: 126 shards of 2 nodes (1 primary, 1 replica) make 252 nodes; a "
     "Memorystore for Valkey instance holds at most 250 (usage units), e.g. 125 shards with 1 "
     "replica."),
    # IAM clients on a product without IAM: not also told to turn gcp.auth on.
    (memcached(gcp={"client_service_accounts": [ACCOUNT]}),
     "caches.s.gcp.client_service_accounts: Memorystore for Memcached has no authentication; "
     "remove the key or use engine 'valkey' (IAM authentication)."),
    (redis(gcp={"auth": False, "client_service_accounts": [ACCOUNT]}),
     "caches.s.gcp.client_service_accounts: Memorystore for Redis has no IAM authentication; "
     "clients send the instance's AUTH string (gcp.auth: true, in the secret output "
     "auth_tokens). Remove the key or use engine 'valkey'."),
], ids=["valkey-count-out-of-range", "secondary-units-like-the-primary",
        "memcached-service-accounts", "redis-service-accounts"])
def test_one_mistake_is_one_problem(attempt, caches, expected):
    message, _ = attempt(gcp_config(caches))
    assert message.splitlines()[1:] == [f"  - {expected}"]
