"""Shared VPC and existing private services access (issue 11, defect 9).

- A network in another project (a Shared VPC host) keeps its private services range, its
  servicenetworking connection and its service connection policies in that host project; the
  instances stay in the stack's project.
- On an existing network that already has private services access, creating a connection fails
  ("Cannot modify allocated ranges in CreateConnection"): the stack adds its range to the
  connection (`update_on_creation_fail`) while keeping the ranges already there, which the config
  must name, and never tears that connection down."""

from __future__ import annotations

from tests.builders import gcp_config, redis, valkey

PSA_RANGE = "gcp:compute/globalAddress:GlobalAddress"
PSA = "gcp:servicenetworking/connection:Connection"
POLICY = "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy"
SERVICE = "gcp:projects/service:Service"
HOST_NETWORK = "projects/net-host/global/networks/shared"
HOST_SUBNET = "projects/net-host/regions/us-central1/subnetworks/clients"
BOTH = {"v": {"engine": "valkey"}, "r": {"engine": "redis"}}


def shared_vpc(**gcp_options) -> dict:
    return {"vpc_id": HOST_NETWORK, "subnet_ids": [HOST_SUBNET],
            "gcp": {"psa_existing_ranges": [], **gcp_options}}


def test_a_host_network_gets_its_range_connection_and_policy_in_the_host_project(run_stack):
    rec = run_stack(gcp_config(BOTH, network=shared_vpc()))
    psa_range = rec.one(PSA_RANGE)
    assert (psa_range.inputs["project"], psa_range.inputs["network"]) == ("net-host", HOST_NETWORK)
    # The connection takes its project from the network path (the provider parses it).
    assert rec.one(PSA).inputs["network"] == HOST_NETWORK
    policy = rec.one(POLICY)
    assert (policy.inputs["project"], policy.inputs["network"]) == ("net-host", HOST_NETWORK)
    assert policy.inputs["pscConfig"]["subnetworks"] == [HOST_SUBNET]
    # The instances stay in the stack's project, attached to the host network.
    redis_instance = rec.one("gcp:redis/instance:Instance")
    assert redis_instance.inputs["authorizedNetwork"] == HOST_NETWORK
    assert "project" not in redis_instance.inputs          # the provider's: acme-cache
    valkey_instance = rec.one("gcp:memorystore/instance:Instance")
    assert valkey_instance.inputs["desiredAutoCreatedEndpoints"] == [
        {"network": HOST_NETWORK, "projectId": "acme-cache"}]


def test_the_host_project_apis_the_host_resources_call_are_enabled_there(run_stack):
    rec = run_stack(gcp_config(BOTH, network=shared_vpc()))
    host = {s.inputs["service"]: s for s in rec.of_type(SERVICE)
            if s.inputs["project"] == "net-host"}
    assert set(host) == {"compute.googleapis.com", "servicenetworking.googleapis.com",
                         "networkconnectivity.googleapis.com"}
    assert all(s.inputs["disableOnDestroy"] is False for s in host.values())
    assert host["servicenetworking.googleapis.com"].urn in rec.one(PSA).dependencies
    assert host["networkconnectivity.googleapis.com"].urn in rec.one(POLICY).dependencies
    assert host["compute.googleapis.com"].urn in rec.one(PSA_RANGE).dependencies


def test_a_network_named_without_a_project_is_in_the_stack_project(run_stack):
    rec = run_stack(gcp_config(redis(), network={"vpc_id": "shared",
                                                 "gcp": {"psa_existing_ranges": []}}))
    assert rec.one(PSA_RANGE).inputs.get("project") in (None, "acme-cache")
    assert {s.inputs["project"] for s in rec.of_type(SERVICE)} == {"acme-cache"}


def test_existing_private_services_access_is_extended_not_replaced(run_stack):
    rec = run_stack(gcp_config(redis(), network=shared_vpc(
        psa_existing_ranges=["google-managed-services-shared", "sql-range"])))
    psa_range = rec.one(PSA_RANGE)
    connection = rec.one(PSA)
    # The connection keeps every range it had and adds ours; if it exists already, the create
    # falls back to updating it (update_on_creation_fail) instead of failing.
    assert connection.inputs["reservedPeeringRanges"] == [
        "google-managed-services-shared", "sql-range", psa_range.inputs["name"]]
    assert connection.inputs["updateOnCreationFail"] is True
    # A connection on a network the stack does not own may serve other producers: a destroy
    # leaves it, and the range the stack added, in place.
    assert connection.inputs["deletionPolicy"] == "ABANDON"
    assert psa_range.retain_on_delete is True
    # Ranges other producers add later stay: the provider would send our list with force.
    assert connection.ignore_changes == ["reservedPeeringRanges"]


def test_a_new_network_still_owns_and_removes_its_connection(run_stack):
    rec = run_stack(gcp_config(redis()))
    connection = rec.one(PSA)
    assert connection.inputs["deletionPolicy"] == "REMOVE_PEERING"
    assert "updateOnCreationFail" not in connection.inputs
    assert connection.ignore_changes == []     # its own network: the stack owns the list
    assert rec.one(PSA_RANGE).retain_on_delete is False


def test_an_existing_network_must_say_what_private_services_access_it_has(attempt):
    message, recorder = attempt(gcp_config(redis(), network={"vpc_id": HOST_NETWORK}))
    assert ("  - network.gcp.psa_existing_ranges: is required with an existing network (vpc_id) "
            "when the stack adds a private services range for Redis or Memcached: list the "
            "allocated ranges the network's servicenetworking connection already has ([] if it "
            "has none), so they are kept; or set network.gcp.create_psa_connection: false to "
            "use its private services access as it is.") in message.splitlines()
    assert recorder.registrations == []


def test_valkey_only_on_an_existing_network_needs_no_private_services_access(run_stack):
    rec = run_stack(gcp_config(valkey(), network={"vpc_id": HOST_NETWORK,
                                                  "subnet_ids": [HOST_SUBNET]}))
    assert rec.of_type(PSA) == [] and rec.of_type(PSA_RANGE) == []


def test_existing_ranges_are_refused_where_they_cannot_apply(attempt):
    message, _ = attempt(gcp_config(redis(), network={"gcp": {"psa_existing_ranges": ["a"]}}))
    assert ("  - network.gcp.psa_existing_ranges: a new VPC network has no private services "
            "access yet; remove the key.") in message.splitlines()
    message, _ = attempt(gcp_config(redis(), network={"vpc_id": "shared", "gcp": {
        "create_psa_connection": False, "psa_existing_ranges": ["a"]}}))
    assert ("  - network.gcp: psa_range, psa_prefix_length and psa_existing_ranges only apply "
            "when create_psa_connection is true.") in message.splitlines()
    message, _ = attempt(gcp_config(redis(), network={"vpc_id": "shared", "gcp": {
        "psa_existing_ranges": ["Bad_Range"]}}))
    assert ("  - network.gcp.psa_existing_ranges.0: 'Bad_Range' is not an allocated range name; "
            "use the name of the compute global address (1 to 63 lowercase letters, digits and "
            "hyphens, starting with a letter).") in message.splitlines()


def test_subnets_belong_to_the_network_project(attempt):
    message, recorder = attempt(gcp_config(valkey(), network={
        "vpc_id": HOST_NETWORK,
        "subnet_ids": ["projects/acme-cache/regions/us-central1/subnetworks/clients"]}))
    assert ("  - network.subnet_ids.0: is in project 'acme-cache' but the network is in "
            "'net-host'; a subnet belongs to its network's project (the Shared VPC host).") \
        in message.splitlines()
    assert recorder.registrations == []
