"""Private DNS on AWS: the Route53PrivateZone component's arguments, and the whole program with
`network.dns` as `pulumi up` and as `pulumi preview` (the same zones and records, every name
known before anything exists). The writer record is the program's only until it exists:
`ignore_changes` leaves its value to `python -m ops failover` (tests/ops/test_ops_dns.py)."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.aws.dns import CnameRecord, PrivateZoneArgs, Route53PrivateZone
from infra import providers
from infra.stackfile import flat_stack_config
from tests.builders import aws_config

ZONE_TYPE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
ASSOCIATION = "aws:route53/zoneAssociation:ZoneAssociation"
ZONE_ID = "Z0123456789ABCDEFGHIJ"
DNS = {"zone": "cache.internal"}
GLOBAL_SESSIONS = {"node_type": "cache.r7g.large", "replicas": 1,
                   "global": {"secondary_region": "eu-west-1"}}
STACK = {"sessions": GLOBAL_SESSIONS, "fragments": {"engine": "memcached"},
         "ratelimits": {"engine": "redis", "shards": 2}}


def provider_region(registration) -> str:
    return registration.provider.rsplit("::", 2)[-2].removeprefix("aws-")


def records_by_region(recorder) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for r in recorder.of_type(RECORD):
        out.setdefault(provider_region(r), {})[r.inputs["name"]] = r.inputs["records"]
    return out


# ---------------------------------------------------------------------------------------------
# The component
# ---------------------------------------------------------------------------------------------
def zone_program(args: PrivateZoneArgs, region: str = "us-east-1"):
    def program():
        Route53PrivateZone("dns", args, opts=pulumi.ResourceOptions(
            providers=[providers.aws_provider(region, {})]))
    return program


RECORDS = [CnameRecord("s.cache.internal", "master.s.example.com"),
           CnameRecord("s-writer.cache.internal", "master.s.example.com", follows_failover=True)]


def test_a_new_private_zone_is_associated_with_the_region_vpc(run):
    rec = run(zone_program(PrivateZoneArgs(zone="cache.internal", region="eu-west-1",
                                           vpc_id="vpc-0123456789abcdef0", ttl=30,
                                           records=RECORDS, comment="names in eu-west-1"),
                           region="eu-west-1"))
    component = rec.named("dns")
    assert component.type == "managed-cache:aws:Route53PrivateZone"
    [zone] = rec.of_type(ZONE_TYPE)
    assert zone.name == "dns-zone" and zone.parent == component.urn
    assert zone.inputs["name"] == "cache.internal"
    assert zone.inputs["vpcs"] == [{"vpcId": "vpc-0123456789abcdef0", "vpcRegion": "eu-west-1"}]
    assert zone.inputs["comment"] == "names in eu-west-1"
    assert provider_region(zone) == "eu-west-1"
    assert rec.of_type(ASSOCIATION) == []
    records = {r.name: r for r in rec.of_type(RECORD)}
    assert set(records) == {"dns-s", "dns-s-writer"}
    for r in records.values():
        assert r.parent == component.urn and provider_region(r) == "eu-west-1"
        assert (r.inputs["type"], r.inputs["ttl"]) == ("CNAME", 30)
        assert r.inputs["records"] == ["master.s.example.com"]
    # The program writes the writer record once; its value then belongs to the failover runbook.
    assert records["dns-s-writer"].ignore_changes == ["records", "ttl"]
    assert records["dns-s"].ignore_changes == []


def test_records_go_into_the_zone_the_component_creates(run):
    rec = run(zone_program(PrivateZoneArgs(zone="cache.internal", region="us-east-1",
                                           vpc_id="vpc-0123456789abcdef0", ttl=30,
                                           records=RECORDS)))
    [zone] = rec.of_type(ZONE_TYPE)
    [zone_id] = {r.inputs["zoneId"] for r in rec.of_type(RECORD)}     # the zone's computed id
    assert zone_id.startswith("Z") and zone_id != ZONE_ID
    assert zone.inputs["comment"] == "Managed by Pulumi"       # the SDK's default


@pytest.mark.parametrize("associate", [True, False])
def test_an_existing_zone_is_used_and_associated_only_when_asked(run, associate):
    rec = run(zone_program(PrivateZoneArgs(zone="cache.internal", region="us-east-1",
                                           vpc_id="vpc-0123456789abcdef0", ttl=30,
                                           records=RECORDS, existing_zone_id=ZONE_ID,
                                           associate_vpc=associate)))
    assert rec.of_type(ZONE_TYPE) == []
    assert {r.inputs["zoneId"] for r in rec.of_type(RECORD)} == {ZONE_ID}
    associations = rec.of_type(ASSOCIATION)
    if associate:
        [association] = associations
        assert association.name == "dns-vpc"
        assert association.inputs == {"zoneId": ZONE_ID, "vpcId": "vpc-0123456789abcdef0",
                                      "vpcRegion": "us-east-1"}
    else:
        assert associations == []


# ---------------------------------------------------------------------------------------------
# The whole program
# ---------------------------------------------------------------------------------------------
def test_one_zone_of_the_same_name_per_region_each_on_its_own_vpc(run_stack):
    rec = run_stack(aws_config(STACK, network={"dns": DNS}))
    zones = {provider_region(z): z for z in rec.of_type(ZONE_TYPE)}
    assert set(zones) == {"us-east-1", "eu-west-1"}
    networks = rec.stack_outputs["networks"]
    assert networks["us-east-1"]["vpc_id"] != networks["eu-west-1"]["vpc_id"]
    for region, zone in zones.items():
        assert zone.inputs["name"] == "cache.internal"
        assert zone.inputs["vpcs"] == [{"vpcId": networks[region]["vpc_id"],
                                        "vpcRegion": region}]
        assert zone.name == f"test-{region}-dns-zone"
        # The console's Name column (ManagedBy and Stack come from the provider's default tags).
        assert zone.inputs["tags"] == {"Name": "cache.internal"}


def test_each_region_resolves_the_names_to_its_own_endpoints(run_stack):
    rec = run_stack(aws_config(STACK, network={"dns": DNS}))
    primary = "test-sessions.abc123.us-east-1.cache.amazonaws.com"
    secondary = "test-sessions-euw1.abc123.eu-west-1.cache.amazonaws.com"
    assert records_by_region(rec) == {
        "us-east-1": {
            "sessions.cache.internal": [f"master.{primary}"],
            "sessions-reader.cache.internal": [f"replica.{primary}"],
            "sessions-writer.cache.internal": [f"master.{primary}"],
            # Memcached: the configuration endpoint's host, without ":11211".
            "fragments.cache.internal": ["test-fragments.abc123.cfg.us-east-1.cache.amazonaws.com"],
            # Cluster mode: clients discover shards from the configuration endpoint.
            "ratelimits.cache.internal": [
                "clustercfg.test-ratelimits.abc123.us-east-1.cache.amazonaws.com"],
            "ratelimits-reader.cache.internal": [
                "clustercfg.test-ratelimits.abc123.us-east-1.cache.amazonaws.com"],
        },
        "eu-west-1": {
            "sessions.cache.internal": [f"master.{secondary}"],
            "sessions-reader.cache.internal": [f"replica.{secondary}"],
            # The writer name is in every region of the Global Datastore: the primary's endpoint.
            "sessions-writer.cache.internal": [f"master.{primary}"],
        },
    }
    for r in rec.of_type(RECORD):
        assert (r.inputs["type"], r.inputs["ttl"]) == ("CNAME", 30), r.name


def test_only_the_writer_records_ignore_changes_to_their_value(run_stack):
    rec = run_stack(aws_config(STACK, network={"dns": {**DNS, "ttl": 15}}))
    ignoring = sorted((provider_region(r), r.inputs["name"]) for r in rec.of_type(RECORD)
                      if r.ignore_changes)
    assert ignoring == [("eu-west-1", "sessions-writer.cache.internal"),
                        ("us-east-1", "sessions-writer.cache.internal")]
    assert all(r.ignore_changes == ["records", "ttl"] for r in rec.of_type(RECORD)
               if r.ignore_changes)
    assert {r.inputs["ttl"] for r in rec.of_type(RECORD)} == {15}


def test_the_caches_export_names_each_cache(run_stack):
    rec = run_stack(aws_config(STACK, network={"dns": DNS}))
    caches = rec.stack_outputs["caches"]
    assert caches["sessions"]["dns"] == {
        "endpoint": "sessions.cache.internal", "reader_endpoint": "sessions-reader.cache.internal",
        "writer_endpoint": "sessions-writer.cache.internal"}
    assert caches["fragments"]["dns"] == {"endpoint": "fragments.cache.internal"}
    assert caches["ratelimits"]["dns"] == {"endpoint": "ratelimits.cache.internal",
                                           "reader_endpoint": "ratelimits-reader.cache.internal"}
    zone_ids = {region: n["dns_zone_id"] for region, n in rec.stack_outputs["networks"].items()}
    assert set(zone_ids) == {"us-east-1", "eu-west-1"}
    assert all(z.startswith("Z") for z in zone_ids.values())


def test_preview_registers_the_same_zones_and_records_with_every_name_known(run_stack):
    config = aws_config(STACK, network={"dns": DNS})
    update = run_stack(config)
    preview = run_stack(config, preview=True)

    def inventory(rec):
        return sorted((r.type, r.name, r.parent, r.provider.rsplit("::", 1)[0],
                       r.inputs.get("name"), r.inputs.get("type"), r.inputs.get("ttl"),
                       tuple(r.ignore_changes))
                      for r in rec.registrations if "oute53" in r.type)

    assert inventory(update) == inventory(preview)
    assert len([r for r in preview.registrations if r.type == RECORD]) == 9
    assert preview.stack_outputs["caches"]["sessions"]["dns"] == \
        update.stack_outputs["caches"]["sessions"]["dns"]
    assert all(isinstance(r.inputs["name"], str) for r in preview.of_type(RECORD))


def test_without_network_dns_nothing_changes(run_stack):
    rec = run_stack(aws_config(STACK))
    assert not [r for r in rec.registrations if "oute53" in r.type]
    assert all("dns" not in c for c in rec.stack_outputs["caches"].values())
    assert all("dns_zone_id" not in n for n in rec.stack_outputs["networks"].values())


def test_existing_zone_is_associated_with_a_vpc_the_stack_creates(run_stack):
    rec = run_stack(aws_config(STACK, network={"dns": {**DNS, "zone_id": ZONE_ID}}))
    # us-east-1 writes into the existing zone and associates it with the new VPC; eu-west-1
    # names no zone of its own, so the stack creates one there.
    [association] = rec.of_type(ASSOCIATION)
    assert provider_region(association) == "us-east-1"
    assert association.inputs["zoneId"] == ZONE_ID
    assert [provider_region(z) for z in rec.of_type(ZONE_TYPE)] == ["eu-west-1"]
    east = [r for r in rec.of_type(RECORD) if provider_region(r) == "us-east-1"]
    assert east and {r.inputs["zoneId"] for r in east} == {ZONE_ID}


def test_existing_zone_with_an_existing_vpc_is_not_associated_again(run_stack):
    network = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
               "allowed_cidrs": ["10.0.0.0/8"], "dns": {**DNS, "zone_id": ZONE_ID}}
    rec = run_stack(aws_config({"sessions": {}}, network=network))
    assert rec.of_type(ASSOCIATION) == [] and rec.of_type(ZONE_TYPE) == []
    assert {r.inputs["zoneId"] for r in rec.of_type(RECORD)} == {ZONE_ID}


def test_the_prod_stack_file_with_dns_runs_in_both_modes(run_stack):
    config = flat_stack_config("prod")
    network = json.loads(config["managed-cache:network"])
    config["managed-cache:network"] = json.dumps({**network, "dns": DNS})
    update = run_stack(config, stack="prod")
    preview = run_stack(config, stack="prod", preview=True)
    key = sorted((r.type, r.name, r.parent) for r in update.registrations)
    assert key == sorted((r.type, r.name, r.parent) for r in preview.registrations)
    assert sorted(r.inputs["name"] for r in update.of_type(RECORD)) == [
        "fragments.cache.internal", "sessions-reader.cache.internal",
        "sessions-reader.cache.internal", "sessions-writer.cache.internal",
        "sessions-writer.cache.internal", "sessions.cache.internal", "sessions.cache.internal"]
    # Zones and records hold no data: nothing about them is protected.
    assert not any(r.protect for r in update.registrations if "oute53" in r.type)
