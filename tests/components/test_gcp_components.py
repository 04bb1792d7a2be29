"""Argument-level checks of the GCP components, through the real program under recording mocks:
resource types, inputs, explicit dependencies, parents, providers and secrets."""

from __future__ import annotations

import json

import pytest

from components import resource_types as types
from infra.plan.mocks import MOCK_AUTH
from infra.plan.secrets import SECRET_SIG, SIG_KEY
from tests.builders import (
    GCP_PROD,
    SUBNET,
    gcp_config,
    memcached,
    redis,
    valkey,
)

VALKEY, REDIS, MEMCACHED = types.GCP_VALKEY, types.GCP_REDIS, types.GCP_MEMCACHED
NETWORK, SUBNETWORK, FIREWALL = types.GCP_NETWORK, types.GCP_SUBNETWORK, types.GCP_FIREWALL
PSA_RANGE, PSA = types.GCP_GLOBAL_ADDRESS, types.GCP_PSA_CONNECTION
POLICY = types.GCP_CONNECTION_POLICY
ALERT, CHANNEL = types.GCP_ALERT_POLICY, types.GCP_NOTIFICATION_CHANNEL
PROD = GCP_PROD


# ---------------------------------------------------------------------------------------------
# Memorystore for Valkey
# ---------------------------------------------------------------------------------------------
def test_valkey_instance_arguments_in_development(run_stack):
    rec = run_stack(gcp_config(valkey(parameters={"maxmemory-policy": "allkeys-lru"})))
    instance = rec.one(VALKEY)
    component = rec.named("s")
    assert component.type == "managed-cache:gcp:MemorystoreValkeyInstance"
    assert instance.name == "s-instance" and instance.parent == component.urn
    inputs = instance.inputs
    assert inputs["instanceId"] == "test-s"
    assert inputs["location"] == "us-central1"
    assert (inputs["shardCount"], inputs["replicaCount"], inputs["mode"]) == \
        (1, 0, "CLUSTER_DISABLED")
    assert (inputs["nodeType"], inputs["engineVersion"]) == ("SHARED_CORE_NANO", "VALKEY_8_0")
    assert inputs["engineConfigs"] == {"maxmemory-policy": "allkeys-lru"}
    assert inputs["desiredAutoCreatedEndpoints"] == [{
        "network": "projects/acme-cache/global/networks/test-cache", "projectId": "acme-cache"}]
    assert "desiredPscAutoConnections" not in inputs          # the deprecated field
    # TLS and IAM authorization in development too (both immutable: off, they could only be
    # turned on by a new instance).
    assert inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert inputs["authorizationMode"] == "IAM_AUTH"
    assert inputs["persistenceConfig"] == {"mode": "DISABLED"}
    assert "automatedBackupConfig" not in inputs
    assert inputs["zoneDistributionConfig"] == {"mode": "MULTI_ZONE"}
    assert inputs["maintenancePolicy"]["weeklyMaintenanceWindows"] == [
        {"day": "SUNDAY", "startTime": {"hours": 5, "minutes": 0, "seconds": 0, "nanos": 0}}]
    # Deletion allowed in development, and said explicitly.
    assert inputs["deletionProtectionEnabled"] is False and instance.protect is False


def test_valkey_depends_on_the_connection_policy_of_its_region(run_stack):
    rec = run_stack(gcp_config(valkey()))
    policy = rec.one(POLICY)
    assert policy.inputs["serviceClass"] == "gcp-memorystore"
    assert policy.inputs["location"] == "us-central1"
    # Nothing in the instance's inputs refers to the policy: only an explicit depends_on does.
    assert policy.urn in rec.one(VALKEY).dependencies


def test_valkey_in_production_has_tls_iam_persistence_backups_and_protection(run_stack):
    rec = run_stack(gcp_config(valkey(snapshot_retention_days=14, snapshot_window="02:00-03:00",
                                      gcp={"persistence": "aof"}), **PROD))
    instance = rec.one(VALKEY)
    inputs = instance.inputs
    assert (inputs["nodeType"], inputs["replicaCount"]) == ("HIGHMEM_MEDIUM", 2)
    assert inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert inputs["authorizationMode"] == "IAM_AUTH"
    assert inputs["persistenceConfig"] == {"mode": "AOF", "aofConfig": {"appendFsync": "EVERY_SEC"}}
    assert inputs["automatedBackupConfig"] == {
        "fixedFrequencySchedule": {"startTime": {"hours": 2}}, "retention": f"{14 * 86400}s"}
    assert inputs["deletionProtectionEnabled"] is True and instance.protect is True


def test_valkey_rdb_persistence_and_single_zone(run_stack):
    rec = run_stack(gcp_config(valkey(gcp={"persistence": "rdb", "rdb_snapshot_hours": 6,
                                           "zone": "us-central1-b"})))
    inputs = rec.one(VALKEY).inputs
    assert inputs["persistenceConfig"] == {"mode": "RDB",
                                           "rdbConfig": {"rdbSnapshotPeriod": "SIX_HOURS"}}
    assert inputs["zoneDistributionConfig"] == {"mode": "SINGLE_ZONE", "zone": "us-central1-b"}


def test_valkey_shards_mean_cluster_mode_and_a_discovery_endpoint(run_stack):
    rec = run_stack(gcp_config(valkey(shards=3, replicas=1)))
    inputs = rec.one(VALKEY).inputs
    assert (inputs["mode"], inputs["shardCount"], inputs["replicaCount"]) == ("CLUSTER", 3, 1)
    # The mock gives a cluster only a discovery endpoint: the export must be that address.
    endpoint = rec.stack_outputs["caches"]["s"]["endpoint"]
    assert endpoint.startswith("10.") and endpoint.endswith(".210")


def test_valkey_secondary_replicates_from_the_primary_in_its_own_region(run_stack):
    rec = run_stack(gcp_config(valkey(replicas=2, **{"global": {
        "secondary_region": "europe-west1", "secondary_replicas": 1}}), **PROD))
    primary = rec.named("s-instance")
    secondary = rec.named("s-secondary-europe-west1")
    assert secondary.type == VALKEY and secondary.parent == rec.named("s").urn
    assert secondary.inputs["location"] == "europe-west1"
    assert secondary.inputs["instanceId"] == "test-s-euw1"
    assert secondary.inputs["crossInstanceReplicationConfig"] == {
        "instanceRole": "SECONDARY",
        "primaryInstance": {"instance": "projects/acme-cache/locations/us-central1/instances/"
                                        "test-s"}}
    assert secondary.inputs["replicaCount"] == 1
    for same in ("nodeType", "engineVersion", "mode", "shardCount", "transitEncryptionMode",
                 "authorizationMode"):
        assert secondary.inputs[same] == primary.inputs[same], same
    assert "crossInstanceReplicationConfig" not in primary.inputs
    # Each region has its provider, subnet and connection policy; each instance waits for its own.
    assert primary.provider_name == "gcp-acme-cache-us-central1"
    assert secondary.provider_name == "gcp-acme-cache-europe-west1"
    policies = {p.inputs["location"]: p for p in rec.of_type(POLICY)}
    assert set(policies) == {"us-central1", "europe-west1"}
    assert policies["europe-west1"].provider_name == "gcp-acme-cache-europe-west1"
    assert policies["europe-west1"].urn in secondary.dependencies
    assert policies["us-central1"].urn in primary.dependencies
    assert policies["europe-west1"].urn not in primary.dependencies
    exported = rec.stack_outputs["caches"]["s"]["secondaries"]["europe-west1"]
    assert exported["instance_id"] == "test-s-euw1" and exported["endpoint"].startswith("10.")


def test_a_replaced_valkey_instance_is_deleted_before_its_successor_is_created(run_stack):
    # instance_id is fixed (not auto-named): created first, the successor would clash with the
    # old instance's id. Redis and Memcached `name`s are auto-named; the bridge handles them.
    rec = run_stack(gcp_config(valkey(replicas=1, **{"global": {
        "secondary_region": "europe-west1", "secondary_replicas": 1}}), **PROD))
    instances = rec.of_type(VALKEY)
    assert len(instances) == 2
    assert all(i.delete_before_replace for i in instances)


# ---------------------------------------------------------------------------------------------
# Networking
# ---------------------------------------------------------------------------------------------
def test_new_network_gets_a_deny_all_ingress_rule_and_egress_to_the_cache_ports(run_stack):
    rec = run_stack(gcp_config({
        "a": {"engine": "valkey"}, "b": {"engine": "redis"},
    }, network={"vpc_cidr": "10.44.0.0/16", "gcp": {"psa_range": "10.60.0.0/20"}}))
    network = rec.one(NETWORK)
    rules = {r.inputs["name"]: r for r in rec.of_type(FIREWALL)}
    assert sorted(rules) == ["test-cache-allow-egress", "test-cache-deny-all-ingress"]
    deny = rules["test-cache-deny-all-ingress"]
    assert deny.inputs["network"] == network.id
    assert (deny.inputs["direction"], deny.inputs["priority"]) == ("INGRESS", 65534)
    assert deny.inputs["denies"] == [{"protocol": "all"}]
    assert deny.inputs["sourceRanges"] == ["0.0.0.0/0"]
    assert "allows" not in deny.inputs
    egress = rules["test-cache-allow-egress"]
    assert (egress.inputs["direction"], egress.inputs["priority"]) == ("EGRESS", 1000)
    # Valkey's port and cluster ports, Redis with TLS on 6378; nothing else.
    assert egress.inputs["allows"] == [{"protocol": "tcp", "ports": ["11000-13047", "6378",
                                                                     "6379"]}]
    # Valkey endpoints in the network's subnets, Redis in the private services access range.
    assert egress.inputs["destinationRanges"] == ["10.44.0.0/16", "10.60.0.0/20"]
    assert "denies" not in egress.inputs and "sourceRanges" not in egress.inputs
    for rule in rules.values():
        # What the console shows beside the rule: which stack made it.
        assert rule.inputs["description"].startswith("managed-cache test: ")
        assert rule.parent == rec.named("test-us-central1").urn
        assert rule.provider_name == "gcp-acme-cache-us-central1"


def test_egress_rule_reaches_the_range_google_allocates(run_stack):
    rec = run_stack(gcp_config(memcached(), network={"vpc_cidr": "10.44.0.0/16"}))
    egress = [r for r in rec.of_type(FIREWALL) if r.inputs["direction"] == "EGRESS"][0]
    assert egress.inputs["allows"] == [{"protocol": "tcp", "ports": ["11211"]}]
    allocated = rec.one(PSA_RANGE).outputs["address"]
    assert egress.inputs["destinationRanges"] == ["10.44.0.0/16", f"{allocated}/20"]


def test_redis_with_tls_is_reached_on_6378(run_stack):
    rec = run_stack(gcp_config(redis(), profile="production"))
    egress = [r for r in rec.of_type(FIREWALL) if r.inputs["direction"] == "EGRESS"][0]
    assert egress.inputs["allows"] == [{"protocol": "tcp", "ports": ["6378"]}]


def test_an_existing_network_gets_no_firewall_rules(run_stack):
    rec = run_stack(gcp_config(valkey(), network={"vpc_id": "shared",
                                                  "subnet_ids": [SUBNET.format("us-central1")]}))
    assert rec.of_type(FIREWALL) == []


def test_subnet_flow_logs_in_production_only(run_stack):
    prod = run_stack(gcp_config({"a": {"engine": "valkey",
                                       "global": {"secondary_region": "us-east4"}}},
                                profile="production"))
    subnets = prod.of_type(SUBNETWORK)
    assert len(subnets) == 2
    for subnet in subnets:
        assert subnet.inputs["logConfig"] == {"aggregationInterval": "INTERVAL_5_SEC",
                                              "flowSampling": 0.5,
                                              "metadata": "INCLUDE_ALL_METADATA"}
    dev = run_stack(gcp_config(valkey()))
    assert ["logConfig" in s.inputs for s in dev.of_type(SUBNETWORK)] == [False]


def test_new_network_with_a_subnet_per_region_and_psa_for_redis(run_stack):
    rec = run_stack(gcp_config({
        "a": {"engine": "valkey", "global": {"secondary_region": "us-east4"}},
        "b": {"engine": "redis"},
    }, network={"vpc_cidr": "10.44.0.0/16", "gcp": {"psa_range": "10.60.0.0/20"}}))
    network = rec.one(NETWORK)
    assert network.type == NETWORK and network.parent == rec.named("test-us-central1").urn
    assert network.inputs["autoCreateSubnetworks"] is False
    subnets = {s.inputs["region"]: s.inputs["ipCidrRange"] for s in rec.of_type(SUBNETWORK)}
    assert subnets == {"us-central1": "10.44.0.0/20", "us-east4": "10.44.16.0/20"}
    # Ranges follow the regions' order in config: a removed cache would move the next region's
    # range, which replaces its subnet (and fails). Each keeps the range it was created with.
    assert all(s.ignore_changes == ["ipCidrRange"] for s in rec.of_type(SUBNETWORK))
    psa_range = rec.one(PSA_RANGE)
    assert (psa_range.inputs["purpose"], psa_range.inputs["addressType"]) == \
        ("VPC_PEERING", "INTERNAL")
    # Fixed descriptions: the Compute API changes neither on a live network (networks.patch
    # modifies the routing mode only) nor on an address (globalAddresses: labels only), so a
    # new one replaces the VPC or the range.
    assert network.inputs["description"] == "managed-cache test: cache clients and endpoints"
    assert psa_range.inputs["description"] == (
        "managed-cache test: Memorystore for Redis/Memcached private services access")
    assert (psa_range.inputs["address"], psa_range.inputs["prefixLength"]) == ("10.60.0.0", 20)
    connection = rec.one(PSA)
    assert connection.inputs["service"] == "servicenetworking.googleapis.com"
    assert connection.inputs["reservedPeeringRanges"] == [psa_range.inputs["name"]]
    # Named as the config checks them against Google's 63 characters
    # (infra/config/gcp_network.py): one policy per region and service class.
    assert {p.inputs["location"]: p.inputs["name"] for p in rec.of_type(POLICY)} == {
        "us-central1": "test-memorystore-us-central1", "us-east4": "test-memorystore-us-east4"}
    assert all(p.inputs["description"].startswith("managed-cache test: ")
               for p in rec.of_type(POLICY))
    policy_subnets = {p.inputs["location"]: p.inputs["pscConfig"]["subnetworks"]
                      for p in rec.of_type(POLICY)}
    assert policy_subnets["us-east4"] == [
        "projects/acme-cache/regions/us-east4/subnetworks/test-cache-us-east4"]


def test_valkey_only_needs_no_private_services_access(run_stack):
    rec = run_stack(gcp_config(valkey()))
    assert rec.of_type(PSA_RANGE) == [] and rec.of_type(PSA) == []


def test_redis_only_needs_no_connection_policy(run_stack):
    rec = run_stack(gcp_config(redis()))
    assert rec.of_type(POLICY) == []
    assert rec.one(PSA_RANGE).inputs["prefixLength"] == 20     # Google picks a /20
    assert "address" not in rec.one(PSA_RANGE).inputs


def test_existing_network_is_used_as_is(run_stack):
    rec = run_stack(gcp_config({"a": {"engine": "valkey"}, "b": {"engine": "redis"}},
                               network={"vpc_id": "shared",
                                        "subnet_ids": [SUBNET.format("us-central1")],
                                        "gcp": {"create_psa_connection": False}}))
    assert rec.of_type(NETWORK) == [] and rec.of_type(SUBNETWORK) == []
    assert rec.of_type(PSA_RANGE) == [] and rec.of_type(PSA) == []
    assert rec.one(POLICY).inputs["pscConfig"]["subnetworks"] == [SUBNET.format("us-central1")]
    redis_instance = rec.one(REDIS)
    assert redis_instance.inputs["authorizedNetwork"] == \
        "projects/acme-cache/global/networks/shared"
    assert "reservedIpRange" not in redis_instance.inputs   # any range of the existing PSA


def test_existing_connection_policy_is_not_created_again(run_stack):
    rec = run_stack(gcp_config(valkey(), network={"vpc_id": "projects/acme-cache/global/"
                                                            "networks/shared",
                                                  "gcp": {"create_service_connection_policy":
                                                          False}}))
    assert rec.of_type(POLICY) == []
    instance = rec.one(VALKEY)
    assert instance.inputs["desiredAutoCreatedEndpoints"][0]["network"] == \
        "projects/acme-cache/global/networks/shared"


# ---------------------------------------------------------------------------------------------
# Memorystore for Redis
# ---------------------------------------------------------------------------------------------
def test_redis_in_production(run_stack):
    kms = "projects/acme-cache/locations/us-central1/keyRings/cache/cryptoKeys/redis"
    rec = run_stack(gcp_config(redis(memory_gb=8, replicas=2, maintenance_window=
                                     "tue:03:00-tue:04:00", parameters={"maxmemory-policy":
                                                                        "allkeys-lru"},
                                     gcp={"kms_key": kms, "labels": {"team": "payments"}}),
                               **PROD))
    instance = rec.one(REDIS)
    assert instance.parent == rec.named("s").urn
    assert rec.named("s").type == "managed-cache:gcp:MemorystoreRedisInstance"
    inputs = instance.inputs
    assert (inputs["name"], inputs["region"]) == ("test-s", "us-central1")
    assert (inputs["tier"], inputs["replicaCount"], inputs["readReplicasMode"]) == \
        ("STANDARD_HA", 2, "READ_REPLICAS_ENABLED")
    assert (inputs["memorySizeGb"], inputs["redisVersion"]) == (8, "REDIS_7_2")
    assert inputs["connectMode"] == "PRIVATE_SERVICE_ACCESS"
    assert inputs["reservedIpRange"] == rec.one(PSA_RANGE).inputs["name"]
    # Used at creation only and never read back: an adopted instance has none in its state.
    assert instance.ignore_changes == ["reservedIpRange"]
    assert inputs["authEnabled"] is True
    assert inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert inputs["persistenceConfig"] == {"persistenceMode": "RDB",
                                           "rdbSnapshotPeriod": "ONE_HOUR"}
    assert inputs["maintenancePolicy"]["weeklyMaintenanceWindows"][0] == {
        "day": "TUESDAY", "startTime": {"hours": 3, "minutes": 0, "seconds": 0, "nanos": 0}}
    assert inputs["customerManagedKey"] == kms
    assert inputs["redisConfigs"] == {"maxmemory-policy": "allkeys-lru"}
    assert inputs["labels"] == {"cache": "s", "team": "payments"}
    assert inputs["deletionProtection"] is True and instance.protect is True
    assert "authString" in instance.additional_secret_outputs
    # The PSA connection is not an input: only an explicit depends_on puts it here.
    assert rec.one(PSA).urn in instance.dependencies
    caches = rec.stack_outputs["caches"]["s"]
    assert (caches["port"], caches["tls"], caches["auth"]) == (6378, True, "auth-string")
    assert caches["ca_certs"][0].startswith("-----BEGIN CERTIFICATE-----")


def test_redis_ha_without_read_replicas_sends_no_replica_count(run_stack):
    """The API refuses a replica count without read replicas ("Setting replica count requires
    read-replicas-mode to be READ_REPLICAS_ENABLED", terraform-provider-google#14734);
    STANDARD_HA has its one replica by default."""
    rec = run_stack(gcp_config(redis(memory_gb=5, replicas=1), **PROD))
    inputs = rec.one(REDIS).inputs
    assert inputs["tier"] == "STANDARD_HA"
    assert "replicaCount" not in inputs and "readReplicasMode" not in inputs


def test_redis_in_development_is_basic_and_deletable(run_stack):
    rec = run_stack(gcp_config(redis()))
    inputs = rec.one(REDIS).inputs
    assert (inputs["tier"], inputs["memorySizeGb"]) == ("BASIC", 1)
    assert "replicaCount" not in inputs                    # BASIC: none, by default
    # Never READ_REPLICAS_DISABLED: once on, read replicas cannot be turned off (defect 10).
    assert "readReplicasMode" not in inputs
    # AUTH and TLS in development too (TLS only at creation: off, it needs a new instance).
    assert inputs["authEnabled"] is True
    assert inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert inputs["persistenceConfig"] == {"persistenceMode": "DISABLED"}
    # Unset means protected in pulumi-gcp: development must say false explicitly.
    assert inputs["deletionProtection"] is False
    assert rec.stack_outputs["caches"]["s"]["port"] == 6378
    assert set(rec.stack_outputs["auth_tokens"]["value"]) == {"s"}


def test_redis_auth_string_is_exported_only_as_a_secret(run_stack):
    rec = run_stack(gcp_config(redis(), **PROD))
    tokens = rec.stack_outputs["auth_tokens"]
    assert tokens[SIG_KEY] == SECRET_SIG    # a secret wrapper
    auth_string = tokens["value"]["s"]
    assert auth_string.startswith(MOCK_AUTH)
    plain = {k: v for k, v in rec.stack_outputs.items() if k != "auth_tokens"}
    assert auth_string not in json.dumps(plain)


# ---------------------------------------------------------------------------------------------
# Memorystore for Memcached
# ---------------------------------------------------------------------------------------------
def test_memcached_instance_arguments(run_stack):
    rec = run_stack(gcp_config(memcached(nodes=3, memory_gb=4, engine_version="1.6.15",
                                         maintenance_window="sat:01:00-sat:05:00",
                                         parameters={"max-item-size": 8388608,
                                                     "disable-flush-all": True},
                                         gcp={"vcpus": 2})))
    instance = rec.one(MEMCACHED)
    assert rec.named("s").type == "managed-cache:gcp:MemorystoreMemcachedInstance"
    assert instance.parent == rec.named("s").urn
    inputs = instance.inputs
    assert inputs["nodeCount"] == 3
    assert inputs["nodeConfig"] == {"cpuCount": 2, "memorySizeMb": 4096}
    assert inputs["memcacheVersion"] == "MEMCACHE_1_6_15"
    assert inputs["memcacheParameters"] == {"params": {"disable-flush-all": "true",
                                                       "max-item-size": "8388608"}}
    assert inputs["maintenancePolicy"]["weeklyMaintenanceWindows"] == [{
        "day": "SATURDAY", "duration": "14400s",
        "startTime": {"hours": 1, "minutes": 0, "seconds": 0, "nanos": 0}}]
    assert inputs["reservedIpRangeIds"] == [rec.one(PSA_RANGE).inputs["name"]]
    assert instance.ignore_changes == ["reservedIpRangeIds"]
    assert inputs["deletionProtection"] is False
    assert rec.one(PSA).urn in instance.dependencies
    exported = rec.stack_outputs["caches"]["s"]
    assert (exported["port"], exported["tls"], exported["auth"]) == (11211, False, "none")
    assert exported["discovery_endpoint"] == f"{exported['endpoint']}:11211"


# ---------------------------------------------------------------------------------------------
# Providers and component conventions
# ---------------------------------------------------------------------------------------------
def test_every_gcp_resource_names_an_explicit_provider(run_stack):
    rec = run_stack(gcp_config({"a": {"engine": "valkey"}, "b": {"engine": "redis"},
                                "c": {"engine": "memcached"}}, **PROD))
    providers = rec.of_type("pulumi:providers:gcp")
    assert [(p.name, p.inputs["project"], p.inputs["region"]) for p in providers] == [
        ("gcp-acme-cache-us-central1", "acme-cache", "us-central1")]
    assert json.loads(providers[0].inputs["defaultLabels"]) == {
        "managed_by": "managed-cache", "project": "managed-cache", "stack": "test",
        "profile": "production"}
    for r in rec.registrations:
        if r.type.startswith("gcp:"):
            assert r.provider_name == "gcp-acme-cache-us-central1", r.name


def test_children_are_parented_and_named_after_their_component(run_stack):
    rec = run_stack(gcp_config({"a": {"engine": "valkey"}, "b": {"engine": "redis"},
                                "c": {"engine": "memcached"}}, **PROD))
    components = {r.urn: r for r in rec.registrations if r.type.startswith("managed-cache:gcp:")}
    assert {c.type.split(":")[-1] for c in components.values()} == {
        "MemorystoreNetwork", "AlertChannels", "MemorystoreValkeyInstance",
        "MemorystoreRedisInstance", "MemorystoreMemcachedInstance", "MemorystoreAlerts",
        "ProjectApis", "SecretManagerSecret",   # production: a connection secret per cache
        "MemorystoreDashboard"}
    for r in rec.registrations:
        if r.type.startswith("gcp:"):
            assert r.parent in components, r.name
            assert r.name.startswith(f"{components[r.parent].name}-"), r.name


def test_stack_tags_become_valid_gcp_labels():
    from infra.providers import gcp_labels

    assert gcp_labels({"ManagedBy": "managed-cache", "Stack": "Prod.EU", "Profile": "production"}
                      ) == {"managed_by": "managed-cache", "stack": "prod_eu",
                            "profile": "production"}


def test_memcached_in_production_is_protected_in_pulumi_and_in_gcp(run_stack):
    """As for Redis and Valkey: `pulumi destroy` (or a replacement) refuses too, not only
    the API."""
    instance = run_stack(gcp_config(memcached(), **PROD)).one(MEMCACHED)
    assert instance.inputs["deletionProtection"] is True
    assert instance.protect is True


def test_a_new_network_routes_globally_and_reaches_google_apis_privately(run_stack):
    """Clients in the private subnets fetch IAM tokens (Valkey IAM auth) and secrets from
    Google APIs without external addresses; routes learned in one region serve every region."""
    rec = run_stack(gcp_config({"a": {"engine": "valkey",
                                      "global": {"secondary_region": "us-east4"}}},
                               network={"vpc_cidr": "10.44.0.0/16"}))
    assert rec.one(NETWORK).inputs["routingMode"] == "GLOBAL"
    subnets = rec.of_type(SUBNETWORK)
    assert len(subnets) == 2
    assert all(s.inputs["privateIpGoogleAccess"] is True for s in subnets)


@pytest.mark.parametrize(("cache", "kind"), [(memcached, MEMCACHED), (redis, REDIS)],
                         ids=["memcached", "redis"])
def test_the_alerts_watch_the_instance_the_stack_names(run_stack, cache, kind):
    """The alert filters name the instance id from config (known at preview): an instance left
    to Pulumi's auto-naming would get a random suffix, and every policy would watch nothing."""
    rec = run_stack(gcp_config(cache()))
    instance = rec.one(kind)
    assert instance.inputs["name"] == "test-s"
    named = f'/instances/)?{instance.inputs["name"]}")'
    conditions = [c for p in rec.of_type(ALERT) for c in p.inputs["conditions"]]
    assert conditions and all(named in c["conditionThreshold"]["filter"] for c in conditions)
    # The console lists instances by display name and label: the stack and the cache.
    assert instance.inputs["displayName"].startswith("managed-cache test/s (")
    assert instance.inputs["labels"] == {"cache": "s"}


def test_memcached_attaches_to_the_stack_network(run_stack):
    """Without `authorized_network` Memorystore puts the instance on the project's `default`
    network, where the stack's firewall rules and clients are not."""
    rec = run_stack(gcp_config(memcached()))
    network = rec.one(PSA).inputs["network"]
    assert network.startswith("projects/acme-cache/global/networks/")
    assert rec.one(MEMCACHED).inputs["authorizedNetwork"] == network


def test_redis_and_memcached_imports_adopt_the_live_instance_and_protect_it(run_stack):
    """Without `import_` the next `pulumi up` would try to create a second instance of the same
    name beside the live one instead of adopting it."""
    wanted = "projects/acme-cache/locations/us-central1/instances/test-s"
    for cache, type_ in ((redis(gcp={"import_id": "test-s"}), REDIS),
                         (memcached(gcp={"import_id": "test-s"}), MEMCACHED)):
        instance = run_stack(gcp_config(cache)).one(type_)
        assert instance.import_id == wanted, type_
        assert instance.protect is True, type_          # development profile, still protected
