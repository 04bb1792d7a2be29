"""Private DNS on GCP: the CloudDnsPrivateZone component's arguments, and the whole program with
`network.dns` as `pulumi up` and as `pulumi preview`. One private zone on the stack's VPC
network; A records at the Memorystore addresses, geolocation-routed where a Valkey cache has
cross-region secondaries; the writer record's value is left to the operator after creation."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.gcp.dns import AddressRecord, CloudDnsPrivateZone, CloudDnsZoneArgs
from infra import providers
from infra.stackfile import flat_stack_config
from tests.builders import SUBNET, gcp_config, memcached, redis, valkey

MANAGED_ZONE = "gcp:dns/managedZone:ManagedZone"
RECORD_SET = "gcp:dns/recordSet:RecordSet"
DNS = {"zone": "cache.internal"}
NETWORK = "projects/acme-cache/global/networks/test-cache"


def zone_program(args: CloudDnsZoneArgs):
    def program():
        CloudDnsPrivateZone("dns", args, opts=pulumi.ResourceOptions(
            providers=[providers.gcp_provider("acme-cache", "us-central1", {})]))
    return program


RECORDS = [
    AddressRecord("s.cache.internal", {"us-central1": "10.0.0.10", "us-east4": "10.1.0.10"}),
    AddressRecord("s-writer.cache.internal", {"us-central1": "10.0.0.10"},
                  follows_failover=True),
    AddressRecord("r.cache.internal", {"us-central1": "10.0.0.20"}),
]


# ---------------------------------------------------------------------------------------------
# The component
# ---------------------------------------------------------------------------------------------
def test_a_private_zone_on_the_network_with_a_records(run):
    rec = run(zone_program(CloudDnsZoneArgs(zone="cache.internal", zone_name="test-cache",
                                            network=NETWORK, ttl=30, records=RECORDS,
                                            description="names", labels={"team": "cache"})))
    component = rec.named("dns")
    assert component.type == "managed-cache:gcp:CloudDnsPrivateZone"
    [zone] = rec.of_type(MANAGED_ZONE)
    assert zone.name == "dns-zone" and zone.parent == component.urn
    assert zone.inputs["name"] == "test-cache"
    assert zone.inputs["dnsName"] == "cache.internal."            # Cloud DNS wants the dot
    assert zone.inputs["visibility"] == "private"
    assert (zone.inputs["description"], zone.inputs["labels"]) == ("names", {"team": "cache"})
    assert zone.inputs["privateVisibilityConfig"] == {"networks": [{"networkUrl": NETWORK}]}
    records = {r.name: r for r in rec.of_type(RECORD_SET)}
    assert set(records) == {"dns-s", "dns-s-writer", "dns-r"}
    for r in records.values():
        assert r.parent == component.urn
        assert (r.inputs["type"], r.inputs["ttl"], r.inputs["managedZone"]) == \
            ("A", 30, "test-cache")
    assert records["dns-r"].inputs["name"] == "r.cache.internal."
    assert records["dns-r"].inputs["rrdatas"] == ["10.0.0.20"]
    assert "routingPolicy" not in records["dns-r"].inputs


def test_a_name_with_addresses_in_several_regions_is_geolocation_routed(run):
    rec = run(zone_program(CloudDnsZoneArgs(zone="cache.internal", zone_name="test-cache",
                                            network=NETWORK, ttl=30, records=RECORDS)))
    routed = rec.named("dns-s").inputs
    assert "rrdatas" not in routed
    assert routed["routingPolicy"] == {"geos": [
        {"location": "us-central1", "rrdatas": ["10.0.0.10"]},
        {"location": "us-east4", "rrdatas": ["10.1.0.10"]}]}


def test_only_the_writer_record_leaves_its_addresses_to_the_operator(run):
    rec = run(zone_program(CloudDnsZoneArgs(zone="cache.internal", zone_name="test-cache",
                                            network=NETWORK, ttl=30, records=RECORDS)))
    assert rec.named("dns-s-writer").ignore_changes == ["rrdatas", "ttl"]
    assert rec.named("dns-s").ignore_changes == [] and rec.named("dns-r").ignore_changes == []


def test_an_existing_zone_is_written_into_not_created(run):
    rec = run(zone_program(CloudDnsZoneArgs(zone="cache.internal", zone_name="shared-zone",
                                            network=NETWORK, ttl=30, records=RECORDS,
                                            create_zone=False)))
    assert rec.of_type(MANAGED_ZONE) == []
    assert {r.inputs["managedZone"] for r in rec.of_type(RECORD_SET)} == {"shared-zone"}


# ---------------------------------------------------------------------------------------------
# The whole program
# ---------------------------------------------------------------------------------------------
def gcp_prod_with_dns(dns=DNS) -> dict[str, str]:
    config = flat_stack_config("gcp-prod")
    network = json.loads(config["managed-cache:network"])
    config["managed-cache:network"] = json.dumps({**network, "dns": dns})
    caches = json.loads(config["managed-cache:caches"])
    config["managed-cache:caches"] = json.dumps({**caches, "fragments": {"engine": "memcached"}})
    return config


def test_the_stack_names_every_memorystore_address(run_stack):
    rec = run_stack(gcp_prod_with_dns(), stack="gcp-prod")
    [zone] = rec.of_type(MANAGED_ZONE)
    assert zone.inputs["name"] == "gcp-prod-cache"
    assert zone.inputs["privateVisibilityConfig"] == {"networks": [
        {"networkUrl": "projects/managed-cache-prod/global/networks/gcp-prod-cache"}]}
    exports = rec.stack_outputs["caches"]
    records = {r.inputs["name"]: r.inputs for r in rec.of_type(RECORD_SET)}
    assert set(records) == {
        "sessions.cache.internal.", "sessions-reader.cache.internal.",
        "sessions-writer.cache.internal.", "ratelimits.cache.internal.",
        "ratelimits-reader.cache.internal.", "fragments.cache.internal."}
    east4 = exports["sessions"]["secondaries"]["us-east4"]["endpoint"]
    # Valkey with a us-east4 secondary: each region resolves its own instance.
    assert records["sessions.cache.internal."]["routingPolicy"] == {"geos": [
        {"location": "us-central1", "rrdatas": [exports["sessions"]["endpoint"]]},
        {"location": "us-east4", "rrdatas": [east4]}]}
    assert records["sessions-reader.cache.internal."]["routingPolicy"] == {"geos": [
        {"location": "us-central1", "rrdatas": [exports["sessions"]["reader_endpoint"]]},
        {"location": "us-east4", "rrdatas": [east4]}]}
    assert records["sessions-writer.cache.internal."]["rrdatas"] == \
        [exports["sessions"]["endpoint"]]
    # Redis: the host and the read endpoint (read replicas on).
    assert records["ratelimits.cache.internal."]["rrdatas"] == [exports["ratelimits"]["endpoint"]]
    assert records["ratelimits-reader.cache.internal."]["rrdatas"] == \
        [exports["ratelimits"]["reader_endpoint"]]
    assert exports["ratelimits"]["reader_endpoint"] != exports["ratelimits"]["endpoint"]
    # Memcached: the discovery endpoint's address, without ":11211".
    assert records["fragments.cache.internal."]["rrdatas"] == [
        exports["fragments"]["discovery_endpoint"].rsplit(":", 1)[0]]
    assert all(r["type"] == "A" and r["ttl"] == 30 for r in records.values())
    ignoring = [r.inputs["name"] for r in rec.of_type(RECORD_SET) if r.ignore_changes]
    assert ignoring == ["sessions-writer.cache.internal."]


def test_the_caches_export_names_each_cache(run_stack):
    rec = run_stack(gcp_prod_with_dns(), stack="gcp-prod")
    caches = rec.stack_outputs["caches"]
    assert caches["sessions"]["dns"] == {
        "endpoint": "sessions.cache.internal", "reader_endpoint": "sessions-reader.cache.internal",
        "writer_endpoint": "sessions-writer.cache.internal"}
    assert caches["ratelimits"]["dns"] == {
        "endpoint": "ratelimits.cache.internal",
        "reader_endpoint": "ratelimits-reader.cache.internal"}
    assert caches["fragments"]["dns"] == {"endpoint": "fragments.cache.internal"}


def test_preview_registers_the_same_zone_and_records_with_every_name_known(run_stack):
    update = run_stack(gcp_prod_with_dns(), stack="gcp-prod")
    preview = run_stack(gcp_prod_with_dns(), stack="gcp-prod", preview=True)

    def inventory(rec):
        return sorted((r.type, r.name, r.parent, r.inputs.get("name"), r.inputs.get("type"),
                       r.inputs.get("ttl"), r.inputs.get("dnsName"), tuple(r.ignore_changes))
                      for r in rec.registrations if r.type.startswith("gcp:dns/")
                      or r.type == "managed-cache:gcp:CloudDnsPrivateZone")

    assert inventory(update) == inventory(preview)
    assert len(preview.of_type(RECORD_SET)) == 6
    assert {k: v["dns"] for k, v in preview.stack_outputs["caches"].items()} == \
        {k: v["dns"] for k, v in update.stack_outputs["caches"].items()}


@pytest.mark.parametrize("caches", [valkey(), redis(), memcached()])
def test_without_network_dns_nothing_changes(run_stack, caches):
    rec = run_stack(gcp_config(caches))
    assert not [r for r in rec.registrations if "dns" in r.type.lower()]
    assert "dns" not in rec.stack_outputs["caches"]["s"]


def test_an_existing_zone_on_an_existing_network_gets_the_records(run_stack):
    network = {"vpc_id": "shared", "subnet_ids": [SUBNET.format("us-central1")],
               "dns": {**DNS, "zone_id": "shared-zone", "ttl": 10}}
    rec = run_stack(gcp_config(valkey(), network=network))
    assert rec.of_type(MANAGED_ZONE) == []
    records = rec.of_type(RECORD_SET)
    assert sorted(r.inputs["name"] for r in records) == ["s-reader.cache.internal.",
                                                         "s.cache.internal."]
    assert {(r.inputs["managedZone"], r.inputs["ttl"]) for r in records} == {("shared-zone", 10)}
