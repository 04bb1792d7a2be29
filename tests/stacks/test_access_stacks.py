"""Access and adoption through the whole program, as `pulumi up` and as `pulumi preview`:
RBAC users and their outputs, connection secrets per region, IAM clients, imports and restores,
and secrets that stay secret."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from infra.plan.mocks import MOCK_AUTH, MOCK_TOKEN
from infra.plan.secrets import is_secret
from tests.builders import aws_config, gcp_config

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
AWS_SECRET = "aws:secretsmanager/secret:Secret"
AWS_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
GCP_SECRET = "gcp:secretmanager/secret:Secret"
GCP_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
USERS = {"app": {"access": "on ~app:* +@all -@dangerous"},
         "reporting": {"access": "on ~* +@read", "iam": True}}
RBAC = aws_config({"s": {"secret": True, "aws": {"users": USERS}}})
SA = ["app@acme-cache.iam.gserviceaccount.com", "jobs@acme-cache.iam.gserviceaccount.com"]
EXISTING_VPC = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
                "allowed_cidrs": ["10.0.0.0/16"]}


def secret_json(registration, key="secretString"):
    value = registration.inputs[key]
    assert is_secret(value), registration.name
    return json.loads(value["value"])


def plain_outputs(recorder) -> str:
    return json.dumps({k: v for k, v in recorder.stack_outputs.items() if not is_secret(v)},
                      default=str)


def inventory(recorder):
    return sorted((r.type, r.name, r.parent) for r in recorder.registrations)


CONFIGS = {
    "rbac": RBAC,
    "secrets-prod": aws_config({"s": {"node_type": "cache.r7g.large",
                                      "global": {"secondary_region": "eu-west-1"}},
                                "m": {"engine": "memcached"}}, profile="production"),
    "import": aws_config({"s": {"aws": {"import_id": "test-s", "subnet_group_name": "legacy"}},
                          "m": {"engine": "memcached",
                                "aws": {"import_id": "test-m", "subnet_group_name": "legacy"}}},
                         network=EXISTING_VPC),
    "restore": aws_config({"s": {"restore_from": "arn:aws:s3:::dumps/s.rdb"}}),
    "gcp": gcp_config({"v": {"gcp": {"auth": True, "client_service_accounts": SA}},
                       "w": {"gcp": {"auth": True, "client_service_accounts": SA[:1]}},
                       "r": {"engine": "redis", "gcp": {"auth": True, "tls": True}}},
                      profile="production"),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_preview_registers_what_an_update_does(run_stack, name):
    update = run_stack(CONFIGS[name])
    preview = run_stack(CONFIGS[name], preview=True)
    assert inventory(update) == inventory(preview)
    # Import ids and restores come from config: known in a preview too.
    assert sorted((r.name, r.import_id) for r in update.registrations if r.import_id) == \
        sorted((r.name, r.import_id) for r in preview.registrations if r.import_id)


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("preview", [False, True])
def test_no_credential_reaches_a_plain_output(run_stack, name, preview):
    recorder = run_stack(CONFIGS[name], preview=preview)
    plain = plain_outputs(recorder)
    assert MOCK_TOKEN not in plain and MOCK_AUTH not in plain
    assert is_secret(recorder.stack_outputs["auth_tokens"])


# ---------------------------------------------------------------------------------------------
# AWS RBAC
# ---------------------------------------------------------------------------------------------
def test_rbac_cache_exports_users_and_the_iam_permissions_a_client_role_needs(run_stack):
    recorder = run_stack(RBAC)
    cache = recorder.stack_outputs["caches"]["s"]
    assert cache["auth"] == "rbac"
    app, reporting = cache["users"]["app"], cache["users"]["reporting"]
    assert (app["username"], app["auth"]) == ("app", "password")
    assert "iam" not in app
    assert (reporting["username"], reporting["auth"]) == ("test-s-reporting", "iam")
    assert reporting["iam"] == {
        "action": "elasticache:Connect",
        "resources": ["arn:aws:elasticache:us-east-1:123456789012:replicationgroup:test-s",
                      "arn:aws:elasticache:us-east-1:123456789012:user:test-s-reporting"]}
    # Passwords only in the secret output; no AUTH token for an RBAC cache.
    passwords = recorder.stack_outputs["user_passwords"]
    assert is_secret(passwords)
    assert set(passwords["value"]["s"]) == {"app"}
    assert passwords["value"]["s"]["app"].startswith(MOCK_TOKEN)
    assert "s" not in recorder.stack_outputs["auth_tokens"]["value"]
    [group] = recorder.of_type(RG)
    assert group.inputs["userGroupIds"] == ["test-s-users"] and "authToken" not in group.inputs


def test_rbac_cache_has_one_connection_secret_per_user(run_stack):
    recorder = run_stack(RBAC)
    secrets = {r.inputs["name"]: r for r in recorder.of_type(AWS_SECRET)}
    assert set(secrets) == {"managed-cache/test/s/app", "managed-cache/test/s/reporting"}
    versions = {r.parent: secret_json(r) for r in recorder.of_type(AWS_VERSION)}
    by_user = {payload["username"]: payload for payload in versions.values()}
    app = by_user["app"]
    assert app["password"].startswith(MOCK_TOKEN) and app["auth"] == "rbac"
    assert {k: app[k] for k in ("engine", "host", "port", "reader_host", "tls", "cache_id",
                                "region")} == {
        "engine": "valkey", "host": "master.test-s.abc123.us-east-1.cache.amazonaws.com",
        "port": 6379, "reader_host": "replica.test-s.abc123.us-east-1.cache.amazonaws.com",
        "tls": True, "cache_id": "test-s", "region": "us-east-1"}
    iam = by_user["test-s-reporting"]
    assert iam["auth"] == "iam" and "password" not in iam
    assert iam["iam"]["action"] == "elasticache:Connect"
    exported = recorder.stack_outputs["caches"]["s"]["users"]
    assert exported["app"]["secret"]["name"] == "managed-cache/test/s/app"
    assert exported["app"]["secret"]["arn"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:managed-cache/test/s/app-")


# ---------------------------------------------------------------------------------------------
# AWS connection secrets
# ---------------------------------------------------------------------------------------------
def test_global_datastore_has_a_secret_per_region_with_local_and_writer_endpoints(run_stack):
    recorder = run_stack(CONFIGS["secrets-prod"])
    secrets = recorder.of_type(AWS_SECRET)
    regions = {r.provider.rsplit("::", 2)[-2]: r for r in secrets
               if r.inputs["name"] == "managed-cache/test/s"}
    assert set(regions) == {"aws-us-east-1", "aws-eu-west-1"}
    payloads = {r.name: secret_json(r) for r in recorder.of_type(AWS_VERSION)}
    primary = payloads["s-connection-version"]
    secondary = payloads["s-eu-west-1-connection-version"]
    writer = "master.test-s.abc123.us-east-1.cache.amazonaws.com"
    assert primary["host"] == primary["writer_host"] == writer
    assert secondary["host"] == "master.test-s-euw1.abc123.eu-west-1.cache.amazonaws.com"
    assert secondary["reader_host"] == "replica.test-s-euw1.abc123.eu-west-1.cache.amazonaws.com"
    assert secondary["writer_host"] == writer and secondary["region"] == "eu-west-1"
    # Secondaries inherit the primary's AUTH token.
    assert primary["auth_token"] == secondary["auth_token"]
    assert primary["auth_token"].startswith(MOCK_TOKEN)
    # Each region's copy is encrypted with the cache's own key in that region.
    groups = {r.inputs["replicationGroupId"]: r.inputs for r in recorder.of_type(RG)}
    assert regions["aws-us-east-1"].inputs["kmsKeyId"] == groups["test-s"]["kmsKeyId"]
    assert regions["aws-eu-west-1"].inputs["kmsKeyId"] == groups["test-s-euw1"]["kmsKeyId"]
    assert groups["test-s-euw1"]["kmsKeyId"].startswith("arn:aws:mock:eu-west-1:")
    assert all(r.inputs["recoveryWindowInDays"] == 30 for r in secrets)
    cache = recorder.stack_outputs["caches"]["s"]
    assert cache["secret"]["name"] == "managed-cache/test/s"
    assert cache["secondaries"]["eu-west-1"]["secret"]["arn"].startswith(
        "arn:aws:secretsmanager:eu-west-1:")


def test_memcached_secret_has_no_credential_and_the_aws_managed_key(run_stack):
    recorder = run_stack(CONFIGS["secrets-prod"])
    [secret] = [r for r in recorder.of_type(AWS_SECRET) if r.inputs["name"] ==
                "managed-cache/test/m"]
    assert "kmsKeyId" not in secret.inputs      # Memcached caches have no customer key
    payload = secret_json(recorder.named("m-connection-version"))
    assert payload["auth"] == "none" and "auth_token" not in payload
    assert payload["host"] == "test-m.abc123.cfg.us-east-1.cache.amazonaws.com"


def test_development_has_no_secret_unless_asked(run_stack):
    assert run_stack(aws_config()).of_type(AWS_SECRET) == []
    recorder = run_stack(aws_config({"s": {"secret": True}}))
    [secret] = recorder.of_type(AWS_SECRET)
    assert secret.inputs["recoveryWindowInDays"] == 0 and "kmsKeyId" not in secret.inputs
    assert secret_json(recorder.named("s-connection-version"))["auth"] == "token"


# ---------------------------------------------------------------------------------------------
# Import and restore (AWS)
# ---------------------------------------------------------------------------------------------
def test_imported_caches_are_adopted_in_their_subnet_group_and_protected(run_stack):
    recorder = run_stack(CONFIGS["import"])
    [group] = recorder.of_type(RG)
    assert group.import_id == "test-s" and group.protect
    assert group.inputs["subnetGroupName"] == "legacy"
    [cluster] = recorder.of_type("aws:elasticache/cluster:Cluster")
    assert cluster.import_id == "test-m" and cluster.protect
    assert cluster.inputs["subnetGroupName"] == "legacy"
    # Nothing else is imported: parameter groups, logs and alarms are new.
    assert {r.name for r in recorder.registrations if r.import_id} == {"s-group",
                                                                        "m-cluster"}


def test_restore_sets_the_source_once(run_stack):
    [group] = run_stack(CONFIGS["restore"]).of_type(RG)
    assert group.inputs["snapshotArns"] == ["arn:aws:s3:::dumps/s.rdb"]
    assert "snapshotArns" in group.ignore_changes


# ---------------------------------------------------------------------------------------------
# GCP
# ---------------------------------------------------------------------------------------------
def test_gcp_iam_clients_are_bound_once_per_service_account(run_stack):
    recorder = run_stack(CONFIGS["gcp"])
    members = sorted(r.inputs["member"] for r in recorder.of_type(IAM_MEMBER))
    assert members == [f"serviceAccount:{a}" for a in SA]
    assert {r.inputs["role"] for r in recorder.of_type(IAM_MEMBER)} == {
        "roles/memorystore.dbConnectionUser"}
    exported = recorder.stack_outputs["caches"]["w"]["iam_clients"]
    assert exported == {"role": "roles/memorystore.dbConnectionUser",
                        "members": [f"serviceAccount:{SA[0]}"]}


def test_gcp_connection_secrets_hold_the_auth_string_or_the_iam_note(run_stack):
    recorder = run_stack(CONFIGS["gcp"])
    secrets = {r.inputs["secretId"]: r for r in recorder.of_type(GCP_SECRET)}
    assert set(secrets) == {"test-v-connection", "test-w-connection", "test-r-connection"}
    redis = secret_json(recorder.named("r-connection-version"), "secretData")
    assert redis["auth"] == "token" and redis["auth_token"].startswith(MOCK_AUTH)
    assert redis["port"] == 6378 and redis["ca_certs"][0].startswith("-----BEGIN CERTIFICATE")
    valkey = secret_json(recorder.named("v-connection-version"), "secretData")
    assert valkey["auth"] == "iam" and "roles/memorystore.dbConnectionUser" in valkey["iam_note"]
    assert "auth_token" not in valkey
    assert recorder.stack_outputs["caches"]["v"]["secret"]["secret_id"] == "test-v-connection"


def test_gcp_import_and_restore(run_stack):
    recorder = run_stack(gcp_config({"s": {"gcp": {"import_id": "test-s"}},
                                     "n": {"restore_from": "gs://dumps/n.rdb"}}))
    instances = {r.inputs["instanceId"]: r
                 for r in recorder.of_type("gcp:memorystore/instance:Instance")}
    assert instances["test-s"].import_id == \
        "projects/acme-cache/locations/us-central1/instances/test-s"
    assert instances["test-s"].protect
    assert instances["test-n"].inputs["gcsSource"] == {"uris": ["gs://dumps/n.rdb"]}


# ---------------------------------------------------------------------------------------------
# The secrets as applications read them (examples/connect.py, the connection contract)
# ---------------------------------------------------------------------------------------------
def test_applications_connect_with_the_aws_secrets_as_written(run_stack):
    from examples import connect

    recorder = run_stack(CONFIGS["secrets-prod"])
    primary = secret_json(recorder.named("s-connection-version"))
    kwargs = connect.from_secret(primary).redis_kwargs()
    assert (kwargs["host"], kwargs["port"], kwargs["ssl"]) == (primary["host"], 6379, True)
    assert kwargs["password"] == primary["auth_token"] and "username" not in kwargs
    secondary = connect.from_secret(secret_json(recorder.named("s-eu-west-1-connection-version")))
    # In the secondary region: writes to the primary, reads from the local reader.
    assert secondary.redis_kwargs()["host"] == primary["host"]
    assert secondary.redis_kwargs(read_only=True)["host"] == \
        "replica.test-s-euw1.abc123.eu-west-1.cache.amazonaws.com"

    rbac = run_stack(RBAC)
    app = [secret_json(r) for r in rbac.of_type(AWS_VERSION)
           if secret_json(r)["username"] == "app"][0]
    settings = connect.from_secret(app)
    assert settings.auth == "rbac"
    assert (settings.redis_kwargs()["username"], settings.redis_kwargs()["password"]) == \
        ("app", app["password"])
    iam = [secret_json(r) for r in rbac.of_type(AWS_VERSION)
           if secret_json(r)["auth"] == "iam"][0]
    settings = connect.from_secret(iam, password_provider=lambda: "iam-token")
    assert settings.auth == "iam" and settings.username == "test-s-reporting"


@pytest.mark.parametrize("serverless", [False, True], ids=["replication-group", "serverless"])
def test_an_iam_users_secret_carries_what_its_token_is_signed_for(run_stack, monkeypatch,
                                                                  serverless):
    # An ElastiCache IAM token signs the cache's id (replication group id or serverless cache
    # name), its region, the user id and, for serverless, ResourceType=ServerlessCache: the
    # secret alone must be enough for from_env() to build it.
    import botocore.session
    from botocore.credentials import Credentials

    from examples import connect

    keys = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setattr(botocore.session, "get_session",
                        lambda: SimpleNamespace(get_credentials=lambda: keys))
    serverless_limits = {"max_data_gb": 10, "max_ecpu_per_second": 5000}
    config = aws_config({"s": {"secret": True, "aws": {"users": USERS},
                               **({"serverless": serverless_limits} if serverless else {})}})
    recorder = run_stack(config)
    [iam] = [payload for payload in map(secret_json, recorder.of_type(AWS_VERSION))
             if payload["auth"] == "iam"]
    assert (iam["cache_id"], iam["region"], iam["username"]) == \
        ("test-s", "us-east-1", "test-s-reporting")
    settings = connect.from_secret(iam, default_credentials=True)
    user, token = settings.redis_kwargs()["credential_provider"].get_credentials()
    assert user == "test-s-reporting"
    assert token.startswith("test-s/?Action=connect&User=test-s-reporting&")
    assert ("&ResourceType=ServerlessCache&" in token) is serverless
    assert "%2Fus-east-1%2Felasticache%2Faws4_request&" in token


def test_applications_connect_with_the_gcp_secrets_as_written(run_stack):
    from examples import connect

    recorder = run_stack(CONFIGS["gcp"])
    redis_secret = secret_json(recorder.named("r-connection-version"), "secretData")
    kwargs = connect.from_secret(redis_secret).redis_kwargs()
    assert kwargs["password"] == redis_secret["auth_token"] and kwargs["port"] == 6378
    assert kwargs["ssl_ca_data"].split() == "\n".join(redis_secret["ca_certs"]).split()
    valkey = connect.from_secret(secret_json(recorder.named("v-connection-version"),
                                             "secretData"),
                                 password_provider=lambda: "access-token")
    assert valkey.auth == "iam"
    assert valkey.redis_kwargs()["credential_provider"].get_credentials() == ("access-token",)
