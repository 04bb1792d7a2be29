"""Access and adoption components: RBAC users and their group, connection secrets, adopting a
live cache (import) and creating one from a snapshot, on both clouds. Each test asserts the
arguments sent to the cloud."""

from __future__ import annotations

import json
from dataclasses import replace

import pulumi

from components.aws.connection_secret import ConnectionSecret, ConnectionSecretArgs
from components.aws.memcached import ElastiCacheMemcachedCluster, MemcachedClusterArgs
from components.aws.replication_group import ElastiCacheReplicationGroup
from components.aws.users import DISABLED_ACCESS, PASSWORD_SPECIALS, CacheUserArgs
from components.gcp.connection_secret import SecretManagerSecret, SecretManagerSecretArgs
from components.gcp.iam_clients import ValkeyIamClients, ValkeyIamClientsArgs
from components.gcp.valkey_instance import MemorystoreValkeyInstance, ValkeyInstanceArgs
from infra import providers
from infra.plan.mocks import MOCK_TOKEN
from infra.plan.secrets import is_secret
from tests.builders import ARGS

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
USER = "aws:elasticache/user:User"
USER_GROUP = "aws:elasticache/userGroup:UserGroup"
PASSWORD = "random:index/randomPassword:RandomPassword"
USERS = [CacheUserArgs(name="app", user_id="test-sessions-app", user_name="app",
                       access="on ~app:* +@all -@dangerous"),
         CacheUserArgs(name="reporting", user_id="test-sessions-reporting",
                       user_name="test-sessions-reporting", access="on ~* +@read", iam=True)]


def in_aws(build):
    def program():
        aws = providers.aws_provider("us-east-1", {"Stack": "test"})
        build(pulumi.ResourceOptions(providers=[aws, providers.random_provider()]))
    return program


def in_gcp(build):
    def program():
        build(pulumi.ResourceOptions(providers=[providers.gcp_provider(
            "acme-cache", "us-central1", {"Stack": "test"})]))
    return program


def group_of(recorder):
    [group] = recorder.of_type(RG)
    return group


def revealed(value):
    return value["value"] if is_secret(value) else value


# ---------------------------------------------------------------------------------------------
# RBAC users
# ---------------------------------------------------------------------------------------------
def test_users_replace_the_auth_token_with_a_user_group(run):
    recorder = run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, users=USERS, tags={"Cache": "sessions"}), opts=opts)))
    inputs = group_of(recorder).inputs
    assert inputs["userGroupIds"] == ["test-sessions-users"]
    assert "authToken" not in inputs
    # DELETE: the strategy AWS takes when a group with a token moves to RBAC.
    assert inputs["authTokenUpdateStrategy"] == "DELETE"
    [group] = recorder.of_type(USER_GROUP)
    assert group.inputs["userGroupId"] == "test-sessions-users"
    assert group.inputs["engine"] == "valkey"
    assert group.inputs["userIds"] == ["test-sessions-default", "test-sessions-app",
                                       "test-sessions-reporting"]
    # The cache's tags reach its users and their group, as they reach the cache.
    assert [r.inputs["tags"] for r in (group, *recorder.of_type(USER))] == \
        [{"Cache": "sessions"}] * 4


def test_the_group_holds_a_disabled_default_user_with_an_unshared_password(run):
    recorder = run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, users=USERS), opts=opts)))
    default = recorder.named("sessions-users-default").inputs
    assert (default["userName"], default["userId"]) == ("default", "test-sessions-default")
    assert default["accessString"] == DISABLED_ACCESS == "off -@all"
    # The whole block travels as a secret: it holds the password.
    assert is_secret(default["authenticationMode"])
    mode = revealed(default["authenticationMode"])
    assert mode["type"] == "password" and len(mode["passwords"]) == 1


def test_password_and_iam_users(run):
    recorder = run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, users=USERS), opts=opts)))
    app = recorder.named("sessions-users-app")
    assert (app.inputs["userId"], app.inputs["userName"]) == ("test-sessions-app", "app")
    assert app.inputs["accessString"] == "on ~app:* +@all -@dangerous"
    assert app.inputs["engine"] == "valkey"
    assert is_secret(app.inputs["authenticationMode"])
    mode = revealed(app.inputs["authenticationMode"])
    assert mode["type"] == "password" and mode["passwords"][0].startswith(MOCK_TOKEN)
    assert "authenticationMode" in app.additional_secret_outputs
    reporting = recorder.named("sessions-users-reporting").inputs
    # IAM users: user name == user id, no password at all.
    assert reporting["userName"] == reporting["userId"] == "test-sessions-reporting"
    assert reporting["authenticationMode"] == {"type": "iam"}
    passwords = {r.name: r.inputs for r in recorder.of_type(PASSWORD)}
    assert set(passwords) == {"sessions-users-default-password", "sessions-users-app-password"}
    for generated in passwords.values():
        assert generated["length"] == 64
        assert generated["overrideSpecial"] == PASSWORD_SPECIALS == "!&#$^<>-"


def test_users_expose_arns_and_secret_passwords_only(run):
    seen = {}

    def build(opts):
        group = ElastiCacheReplicationGroup("sessions", replace(ARGS, users=USERS), opts=opts)
        seen["group"] = group

    run(in_aws(build))
    group = seen["group"]
    assert group.auth_token is None and group.users is not None
    assert set(group.users.passwords) == {"app"}
    assert set(group.users.user_arns) == {"app", "reporting"}


def test_a_group_without_users_keeps_its_token(run):
    recorder = run(in_aws(lambda opts: ElastiCacheReplicationGroup("sessions", ARGS,
                                                                   opts=opts)))
    inputs = group_of(recorder).inputs
    assert is_secret(inputs["authToken"]) and inputs["authTokenUpdateStrategy"] == "ROTATE"
    assert "userGroupIds" not in inputs and recorder.of_type(USER) == []


# ---------------------------------------------------------------------------------------------
# Restore and import (AWS)
# ---------------------------------------------------------------------------------------------
def test_restore_from_a_snapshot_is_set_once_and_then_ignored(run):
    group = group_of(run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, snapshot_name="prod-sessions-final"), opts=opts))))
    assert group.inputs["snapshotName"] == "prod-sessions-final"
    assert "snapshotArns" not in group.inputs
    # ForceNew arguments: a later edit would replace the cache, so they are ignored after
    # creation.
    assert {"snapshotName", "snapshotArns"} <= set(group.ignore_changes)
    group = group_of(run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, snapshot_arns=["arn:aws:s3:::bucket/dump.rdb"]),
        opts=opts))))
    assert group.inputs["snapshotArns"] == ["arn:aws:s3:::bucket/dump.rdb"]
    assert "snapshotName" not in group.inputs


def test_an_imported_group_is_adopted_protected_with_its_credentials_kept(run):
    group = group_of(run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, import_id="test-sessions"), opts=opts))))
    assert group.import_id == "test-sessions"
    assert group.protect                           # development profile, still protected
    assert {"authToken", "authTokenUpdateStrategy", "userGroupIds"} <= set(group.ignore_changes)
    plain = group_of(run(in_aws(lambda opts: ElastiCacheReplicationGroup("sessions", ARGS,
                                                                         opts=opts))))
    assert plain.import_id == "" and not plain.protect
    assert "authToken" not in plain.ignore_changes


def test_an_imported_memcached_cluster_is_adopted_and_protected(run):
    args = MemcachedClusterArgs(
        cluster_id="test-frag", engine_version="1.6.22", node_type="cache.m7g.large", nodes=2,
        port=11211, parameter_group_name="test-frag-memcached1-6",
        parameter_group_family="memcached1.6", subnet_group_name="legacy",
        security_group_ids=["sg-0123456789abcdef0"], availability_zones=None,
        import_id="test-frag")
    recorder = run(in_aws(lambda opts: ElastiCacheMemcachedCluster("frag", args, opts=opts)))
    [cluster] = recorder.of_type("aws:elasticache/cluster:Cluster")
    assert cluster.import_id == "test-frag" and cluster.protect
    assert cluster.inputs["subnetGroupName"] == "legacy"


# ---------------------------------------------------------------------------------------------
# Connection secrets
# ---------------------------------------------------------------------------------------------
def test_aws_connection_secret_holds_the_json_as_a_secret(run):
    token = pulumi.Output.secret("MockToken-abc")
    recorder = run(in_aws(lambda opts: ConnectionSecret("sessions-connection", ConnectionSecretArgs(
        secret_name="managed-cache/test/sessions", description="sessions",
        payload={"engine": "valkey", "host": "master.x", "port": 6379, "tls": True,
                 "auth_token": token},
        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/k", recovery_window_days=0,
        tags={"Cache": "sessions"}), opts=opts)))
    [secret] = recorder.of_type("aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == "managed-cache/test/sessions"
    assert (secret.inputs["description"], secret.inputs["tags"]) == (
        "sessions", {"Cache": "sessions"})
    assert secret.inputs["kmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/k"
    assert secret.inputs["recoveryWindowInDays"] == 0
    [version] = recorder.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert is_secret(version.inputs["secretString"])
    assert json.loads(version.inputs["secretString"]["value"]) == {
        "auth_token": "MockToken-abc", "engine": "valkey", "host": "master.x", "port": 6379,
        "tls": True}


def test_gcp_connection_secret_is_replicated_only_to_the_cache_regions(run):
    recorder = run(in_gcp(lambda opts: SecretManagerSecret("s-connection", SecretManagerSecretArgs(
        secret_id="test-s-connection", locations=["us-central1", "us-east4"],
        payload={"engine": "redis", "auth_token": pulumi.Output.secret("MockAuth-1")},
        labels={"cache": "s"}), opts=opts)))
    [secret] = recorder.of_type("gcp:secretmanager/secret:Secret")
    assert (secret.inputs["secretId"], secret.inputs["labels"]) == (
        "test-s-connection", {"cache": "s"})
    assert secret.inputs["replication"] == {"userManaged": {"replicas": [
        {"location": "us-central1"}, {"location": "us-east4"}]}}
    [version] = recorder.of_type("gcp:secretmanager/secretVersion:SecretVersion")
    assert is_secret(version.inputs["secretData"])
    assert json.loads(version.inputs["secretData"]["value"])["auth_token"] == "MockAuth-1"
    # replication is ForceNew and pulumi-gcp replaces the secret delete-first: the secret keeps
    # the replicas it was created with.
    assert secret.ignore_changes == ["replication"]


# ---------------------------------------------------------------------------------------------
# GCP: IAM clients, restore and import
# ---------------------------------------------------------------------------------------------
def test_valkey_iam_clients_get_the_connection_role_on_the_project(run):
    recorder = run(in_gcp(lambda opts: ValkeyIamClients("test-valkey-clients", ValkeyIamClientsArgs(
        project="acme-cache", service_accounts=["app@acme-cache.iam.gserviceaccount.com"]),
        opts=opts)))
    [member] = recorder.of_type("gcp:projects/iAMMember:IAMMember")
    assert member.inputs == {"project": "acme-cache", "role": "roles/memorystore.dbConnectionUser",
                             "member": "serviceAccount:app@acme-cache.iam.gserviceaccount.com"}
    assert member.name == "test-valkey-clients-app-acme-cache"


VALKEY_ARGS = ValkeyInstanceArgs(
    instance_id="test-s", project="acme-cache", region="us-central1",
    network="projects/acme-cache/global/networks/n", connection_policy=None,
    engine_version="VALKEY_8_0", node_type="HIGHMEM_MEDIUM", shards=1, replicas=1,
    cluster_mode=False)


def valkey_instance(run, args):
    recorder = run(in_gcp(lambda opts: MemorystoreValkeyInstance("s", args, opts=opts)))
    [instance] = recorder.of_type("gcp:memorystore/instance:Instance")
    return instance


def test_valkey_restores_from_cloud_storage_or_a_backup_only_at_creation(run):
    instance = valkey_instance(run, replace(VALKEY_ARGS,
                                            restore_gcs_uris=["gs://dumps/sessions.rdb"]))
    assert instance.inputs["gcsSource"] == {"uris": ["gs://dumps/sessions.rdb"]}
    assert {"gcsSource", "managedBackupSource"} <= set(instance.ignore_changes)
    backup = "projects/p/locations/us-central1/backupCollections/c/backups/b"
    instance = valkey_instance(run, replace(VALKEY_ARGS, restore_backup=backup))
    assert instance.inputs["managedBackupSource"] == {"backup": backup}
    assert "gcsSource" not in instance.inputs


def test_valkey_import_adopts_the_instance_and_protects_it(run):
    wanted = "projects/acme-cache/locations/us-central1/instances/test-s"
    instance = valkey_instance(run, replace(VALKEY_ARGS, import_id=wanted))
    assert instance.import_id == wanted and instance.protect
    assert not valkey_instance(run, VALKEY_ARGS).protect


def test_user_passwords_draw_from_every_character_class(run):
    """`override_special` only matters with `special`: without it the passwords have no special
    characters at all. Each class is guaranteed, as for the AUTH token."""
    recorder = run(in_aws(lambda opts: ElastiCacheReplicationGroup(
        "sessions", replace(ARGS, users=USERS), opts=opts)))
    generated = recorder.of_type(PASSWORD)
    assert len(generated) == 2
    for password in generated:
        inputs = password.inputs
        assert inputs["special"] is True
        assert all(inputs[f"min{kind}"] >= 1
                   for kind in ("Lower", "Upper", "Numeric", "Special"))
