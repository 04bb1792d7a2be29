"""Project APIs (issue 11, defect 7): on a fresh project the first `compute.Network` fails with
SERVICE_DISABLED unless the stack enables the APIs it uses. Each API is a
`gcp.projects.Service` that is left enabled on destroy, and every resource depends on the API
it calls; `managed-cache:gcp: {enable_apis: false}` leaves APIs to the organisation."""

from __future__ import annotations

import pytest

from tests.builders import KMS, SUBNET, aws_config, gcp_config, valkey

SERVICE = "gcp:projects/service:Service"
ALL_ENGINES = {"v": {"engine": "valkey"}, "r": {"engine": "redis"}, "m": {"engine": "memcached"}}
EVERYTHING = dict(profile="production", alerts={"emails": ["oncall@example.com"]},
                  network={"vpc_cidr": "10.40.0.0/16", "dns": {"zone": "cache.internal"}})


def services(rec) -> dict[str, object]:
    return {s.inputs["service"]: s for s in rec.of_type(SERVICE)}


def test_every_api_the_stack_uses_is_enabled_and_left_enabled_on_destroy(run_stack):
    rec = run_stack(gcp_config(ALL_ENGINES, **EVERYTHING))
    enabled = services(rec)
    assert set(enabled) == {
        "compute.googleapis.com", "servicenetworking.googleapis.com",
        "networkconnectivity.googleapis.com", "serviceconsumermanagement.googleapis.com",
        "memorystore.googleapis.com", "redis.googleapis.com", "memcache.googleapis.com",
        "dns.googleapis.com", "monitoring.googleapis.com",
        "secretmanager.googleapis.com"}   # production: a connection secret per cache
    for service in enabled.values():
        assert service.inputs["project"] == "acme-cache"
        # Disabling an API on destroy would break everything else in the project that uses it.
        assert service.inputs["disableOnDestroy"] is False
    assert rec.named("test-apis").type == "managed-cache:gcp:ProjectApis"


def test_only_the_apis_of_the_engines_in_use(run_stack):
    enabled = services(run_stack(gcp_config(valkey())))
    assert set(enabled) == {"compute.googleapis.com", "networkconnectivity.googleapis.com",
                            "serviceconsumermanagement.googleapis.com",
                            "memorystore.googleapis.com", "monitoring.googleapis.com"}


def test_a_customer_managed_key_enables_cloud_kms(run_stack):
    enabled = services(run_stack(gcp_config(valkey(gcp={"kms_key": KMS.format("us-central1")}))))
    assert "cloudkms.googleapis.com" in enabled


def test_client_iam_grants_enable_resource_manager_and_wait_for_it(run_stack):
    rec = run_stack(gcp_config(valkey(gcp={"auth": True, "client_service_accounts": [
        "app@acme-cache.iam.gserviceaccount.com"]})))
    enabled = services(rec)
    assert "cloudresourcemanager.googleapis.com" in enabled
    [grant] = rec.of_type("gcp:projects/iAMMember:IAMMember")
    assert enabled["cloudresourcemanager.googleapis.com"].urn in grant.dependencies
    # Without client service accounts the API is not enabled.
    assert "cloudresourcemanager.googleapis.com" not in services(run_stack(gcp_config(valkey())))


@pytest.mark.parametrize("resource_type, needs", [
    ("gcp:compute/network:Network", {"compute.googleapis.com"}),
    ("gcp:compute/subnetwork:Subnetwork", {"compute.googleapis.com"}),
    ("gcp:compute/globalAddress:GlobalAddress", {"compute.googleapis.com"}),
    ("gcp:compute/firewall:Firewall", {"compute.googleapis.com"}),
    ("gcp:servicenetworking/connection:Connection", {"servicenetworking.googleapis.com"}),
    ("gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy",
     {"networkconnectivity.googleapis.com"}),
    ("gcp:memorystore/instance:Instance", {"memorystore.googleapis.com",
                                           "networkconnectivity.googleapis.com",
                                           "serviceconsumermanagement.googleapis.com"}),
    ("gcp:redis/instance:Instance", {"redis.googleapis.com"}),
    ("gcp:memcache/instance:Instance", {"memcache.googleapis.com"}),
    ("gcp:dns/managedZone:ManagedZone", {"dns.googleapis.com"}),
    ("gcp:dns/recordSet:RecordSet", {"dns.googleapis.com"}),
    ("gcp:monitoring/alertPolicy:AlertPolicy", {"monitoring.googleapis.com"}),
    ("gcp:monitoring/notificationChannel:NotificationChannel", {"monitoring.googleapis.com"}),
])
def test_each_resource_waits_for_the_apis_it_calls(run_stack, resource_type, needs):
    rec = run_stack(gcp_config(ALL_ENGINES, **EVERYTHING))
    urns = {name: s.urn for name, s in services(rec).items()}
    registered = rec.of_type(resource_type)
    assert registered, resource_type
    for resource in registered:
        waits_for = {name for name, urn in urns.items() if urn in resource.dependencies}
        assert needs <= waits_for, (resource.name, waits_for)


def test_enable_apis_false_leaves_apis_to_the_organisation(run_stack):
    rec = run_stack(gcp_config(ALL_ENGINES, gcp={"enable_apis": False}, **EVERYTHING))
    assert rec.of_type(SERVICE) == []
    assert all(r.type != "managed-cache:gcp:ProjectApis" for r in rec.registrations)
    # Everything else is still built.
    assert rec.of_type("gcp:memorystore/instance:Instance")


def test_the_gcp_block_is_refused_on_an_aws_stack(attempt):
    message, recorder = attempt(aws_config(gcp={"enable_apis": False}))
    assert "gcp: options for gcp do not apply to a stack on aws; remove the block." in message
    assert recorder.registrations == []


def test_a_misspelled_gcp_option_is_refused(attempt):
    message, _ = attempt(gcp_config(gcp={"enable_api": False}))
    assert "gcp.enable_api" in message and "Did you mean 'enable_apis'" in message


def test_an_existing_network_in_this_project_still_gets_its_apis(run_stack):
    rec = run_stack(gcp_config(valkey(), network={"vpc_id": "shared",
                                                  "subnet_ids": [SUBNET.format("us-central1")]}))
    policy = rec.of_type("gcp:networkconnectivity/serviceConnectionPolicy:"
                         "ServiceConnectionPolicy")[0]
    assert services(rec)["networkconnectivity.googleapis.com"].urn in policy.dependencies


def test_connection_secrets_enable_secret_manager_and_wait_for_it(run_stack):
    rec = run_stack(gcp_config(valkey(secret=True)))
    service = services(rec)["secretmanager.googleapis.com"]
    [secret] = rec.of_type("gcp:secretmanager/secret:Secret")
    component = next(r for r in rec.registrations if r.urn == secret.parent)
    assert service.urn in secret.dependencies or service.urn in component.dependencies


def test_dashboards_wait_for_the_monitoring_api(run_stack):
    rec = run_stack(gcp_config(ALL_ENGINES, **EVERYTHING))
    monitoring = services(rec)["monitoring.googleapis.com"]
    dashboards = rec.of_type("gcp:monitoring/dashboard:Dashboard")
    assert dashboards
    for dashboard in dashboards:
        assert monitoring.urn in dashboard.dependencies, dashboard.name
