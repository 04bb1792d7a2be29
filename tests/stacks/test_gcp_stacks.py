"""Both GCP stack files run through the real program, as `pulumi up` and as `pulumi preview`
(computed outputs unknown): the same resources appear in both, and secrets stay secret."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from infra.plan.mocks import MOCK_AUTH
from infra.plan.secrets import SECRET_SIG, SIG_KEY, is_secret
from infra.stackfile import flat_stack_config

GCP_STACKS = ["gcp-dev", "gcp-prod"]


def inventory(recorder) -> Counter:
    return Counter((r.type, r.name, r.parent, r.provider.rsplit("::", 1)[0]) for r in
                   recorder.registrations)


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_update_and_preview_register_the_same_resources(run_stack, stack):
    update = run_stack(stack)
    preview = run_stack(stack, preview=True)
    assert update.of_type("pulumi:providers:gcp"), "the stack must build GCP resources"
    assert inventory(update) == inventory(preview)
    # Inputs known from config are the same in both modes (e.g. instance settings).
    for kind in ("gcp:memorystore/instance:Instance", "gcp:redis/instance:Instance"):
        for r in update.of_type(kind):
            in_preview = preview.named(r.name).inputs
            for key in ("instanceId", "name", "nodeType", "replicaCount", "tier",
                        "transitEncryptionMode", "deletionProtectionEnabled",
                        "deletionProtection"):
                assert r.inputs.get(key) == in_preview.get(key), (r.name, key)


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_stack_file_disables_default_providers(stack):
    config = flat_stack_config(stack)
    assert json.loads(config["pulumi:disable-default-providers"]) == ["*"]
    assert config["managed-cache:cloud"] == "gcp"
    assert config["gcp:project"] and config["gcp:region"]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_cache_is_exported_with_what_a_client_needs(run_stack, stack):
    rec = run_stack(stack)
    caches = rec.stack_outputs["caches"]
    assert caches
    for name, cache in caches.items():
        assert {"engine", "region", "endpoint", "port", "tls", "auth"} <= set(cache), name
        assert cache["endpoint"].startswith("10."), name
        if cache["tls"]:
            assert cache["ca_certs"][0].startswith("-----BEGIN CERTIFICATE-----"), name
    assert rec.stack_outputs["auth_tokens"][SIG_KEY] == SECRET_SIG   # one secret output


def test_dev_is_small_cheap_and_deletable(run_stack):
    rec = run_stack("gcp-dev")
    (instance,) = rec.of_type("gcp:memorystore/instance:Instance")
    assert instance.inputs["nodeType"] == "SHARED_CORE_NANO"
    assert instance.inputs["replicaCount"] == 0
    assert instance.inputs["deletionProtectionEnabled"] is False
    assert not any(r.protect for r in rec.registrations)
    policies = rec.of_type("gcp:monitoring/alertPolicy:AlertPolicy")
    assert policies and all(not p.inputs.get("notificationChannels") for p in policies)


def test_prod_is_highly_available_protected_and_pages(run_stack):
    rec = run_stack("gcp-prod")
    data = [r for r in rec.registrations
            if r.type in ("gcp:memorystore/instance:Instance", "gcp:redis/instance:Instance")]
    assert data and all(r.protect for r in data)
    for r in data:
        assert r.inputs.get("replicaCount", 0) >= 1, r.name
        assert r.inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION", r.name
    policies = rec.of_type("gcp:monitoring/alertPolicy:AlertPolicy")
    assert policies and all(p.inputs["notificationChannels"] for p in policies)
    assert rec.stack_outputs["caches"]["sessions"]["secondaries"]
    # The Valkey secondary in us-east4 is watched like the primary, and the primary watches
    # the cross-region link to it.
    names = {p.inputs["displayName"] for p in policies}
    for key in ("memory-critical", "cpu", "evictions", "connected-clients"):
        assert {f"managed-cache/gcp-prod-sessions/{key}",
                f"managed-cache/gcp-prod-sessions-use4/{key}"} <= names, key
    assert "managed-cache/gcp-prod-sessions/cross-region-links" in names
    assert rec.stack_outputs["monitoring"]["dashboard_url"].startswith(
        "https://console.cloud.google.com/monitoring/dashboards/builder/")


def test_prod_auth_string_never_appears_in_plain_outputs(run_stack):
    rec = run_stack("gcp-prod")
    tokens = rec.stack_outputs["auth_tokens"]
    assert tokens[SIG_KEY] == SECRET_SIG
    secrets = list(tokens["value"].values())
    assert secrets and all(s.startswith(MOCK_AUTH) for s in secrets)
    plain = json.dumps({k: v for k, v in rec.stack_outputs.items() if k != "auth_tokens"})
    assert not any(s in plain for s in secrets)


def test_prod_preview_keeps_the_auth_tokens_secret(run_stack):
    rec = run_stack("gcp-prod", preview=True)
    assert rec.stack_outputs["auth_tokens"][SIG_KEY] == SECRET_SIG


def test_prod_secondary_exports_its_own_ca_and_the_secret_trusts_both(run_stack):
    # Each Memorystore instance has its own CA (cloud.google.com/memorystore/docs/valkey/
    # manage-in-transit-encryption): a client reading from the secondary must trust its CA.
    rec = run_stack("gcp-prod")
    sessions = rec.stack_outputs["caches"]["sessions"]
    secondary = sessions["secondaries"]["us-east4"]
    assert secondary["ca_certs"][0].startswith("-----BEGIN CERTIFICATE-----")
    assert set(secondary["ca_certs"]).isdisjoint(sessions["ca_certs"])
    assert not is_secret(secondary["ca_certs"])              # public, like the primary's
    # The one connection secret (replicated to both regions) names the secondary's host, so
    # it carries both instances' CAs.
    version = rec.named("sessions-connection-version").inputs["secretData"]
    payload = json.loads(version["value"])
    assert payload["secondary_hosts"] == {"us-east4": secondary["endpoint"]}
    assert payload["ca_certs"] == [*sessions["ca_certs"], *secondary["ca_certs"]]
