"""Customer-managed keys (issue 11, defect 8): Memorystore encrypts with a Cloud KMS key only if
its service agent may use the key. The stack creates the agent (`gcp.projects.ServiceIdentity`),
grants it roles/cloudkms.cryptoKeyEncrypterDecrypter on the key, and the instance waits for the
grant. Agents: service-<number>@gcp-sa-memorystore.iam.gserviceaccount.com (Valkey) and
service-<number>@cloud-redis.iam.gserviceaccount.com (Redis)."""

from __future__ import annotations

from components.gcp.cmek import AGENT_PROPAGATION
from components.resource_types import TIME_SLEEP
from tests.builders import KMS, gcp_config, redis, valkey

IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
VALKEY = "gcp:memorystore/instance:Instance"
REDIS = "gcp:redis/instance:Instance"
SERVICE = "gcp:projects/service:Service"
ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
KEY = KMS.format("us-central1")


def test_valkey_key_is_granted_to_the_memorystore_agent_before_the_instance(run_stack):
    rec = run_stack(gcp_config(valkey(gcp={"kms_key": KEY})))
    (identity,) = rec.of_type(IDENTITY)
    assert (identity.inputs["service"], identity.inputs["project"]) == (
        "memorystore.googleapis.com", "acme-cache")
    (grant,) = rec.of_type(GRANT)
    assert (grant.inputs["cryptoKeyId"], grant.inputs["role"]) == (KEY, ROLE)
    assert grant.inputs["member"] == \
        "serviceAccount:service-123456789012@gcp-sa-memorystore.iam.gserviceaccount.com"
    (instance,) = rec.of_type(VALKEY)
    assert instance.inputs["kmsKey"] == KEY
    # Nothing in the instance's inputs refers to the grant: only an explicit depends_on does.
    assert grant.urn in instance.dependencies
    # Another stack's instances (or the key owner's grant) may hold the same member: deleting it
    # would take the key from them (resource_iam_member.go resourceIamMemberDelete).
    assert grant.retain_on_delete is True


def test_redis_key_is_granted_to_the_cloud_redis_agent(run_stack):
    rec = run_stack(gcp_config(redis(gcp={"kms_key": KEY})))
    (identity,) = rec.of_type(IDENTITY)
    assert identity.inputs["service"] == "redis.googleapis.com"
    (grant,) = rec.of_type(GRANT)
    assert grant.inputs["member"] == \
        "serviceAccount:service-123456789012@cloud-redis.iam.gserviceaccount.com"
    assert grant.urn in rec.of_type(REDIS)[0].dependencies


def test_the_agent_exists_once_the_api_is_on_and_the_grant_needs_cloud_kms(run_stack):
    rec = run_stack(gcp_config(valkey(gcp={"kms_key": KEY})))
    apis = {s.inputs["service"]: s.urn for s in rec.of_type(SERVICE)}
    assert apis["memorystore.googleapis.com"] in rec.of_type(IDENTITY)[0].dependencies
    assert apis["cloudkms.googleapis.com"] in rec.of_type(GRANT)[0].dependencies


def test_one_grant_per_key_and_agent_however_many_caches_share_them(run_stack):
    # Two grants of the same member and role on one key are one IAM binding: deleting either
    # resource would remove the other cache's access.
    rec = run_stack(gcp_config({
        "a": {"engine": "valkey", "gcp": {"kms_key": KEY}},
        "b": {"engine": "valkey", "gcp": {"kms_key": KEY}},
        "c": {"engine": "redis", "gcp": {"kms_key": KEY}},
    }))
    assert sorted(i.inputs["service"] for i in rec.of_type(IDENTITY)) == [
        "memorystore.googleapis.com", "redis.googleapis.com"]
    grants = rec.of_type(GRANT)
    assert len(grants) == 2
    by_member = {g.inputs["member"].split("@")[1]: g.urn for g in grants}
    for instance in rec.of_type(VALKEY):
        assert by_member["gcp-sa-memorystore.iam.gserviceaccount.com"] in instance.dependencies
    assert by_member["cloud-redis.iam.gserviceaccount.com"] in rec.of_type(REDIS)[0].dependencies


def test_each_grant_waits_until_iam_knows_the_new_agent(run_stack):
    # A grant sent right after generateServiceIdentity can fail with "Service account ... does
    # not exist" (terraform-provider-google#7611); terraform-google-memorystore waits 30 s.
    rec = run_stack(gcp_config({
        "a": {"engine": "valkey", "gcp": {"kms_key": KEY}},
        "c": {"engine": "redis", "secret": True, "gcp": {"kms_key": KEY}},
    }))
    agents = {a.urn: a for a in rec.of_type(IDENTITY)}
    sleeps = rec.of_type(TIME_SLEEP)
    assert AGENT_PROPAGATION == "30s"
    assert len(sleeps) == len(agents) == 3    # Memorystore, Redis and Secret Manager agents
    (time_provider,) = rec.of_type("pulumi:providers:time")
    waits_for = {}
    for sleep in sleeps:
        (agent_urn,) = [d for d in sleep.dependencies if d in agents]
        assert sleep.inputs["createDuration"] == AGENT_PROPAGATION
        # A new member (another project) replaces the Sleep, which waits again.
        assert sleep.inputs["triggers"] == {"member": agents[agent_urn].outputs["member"]}
        assert sleep.provider.startswith(time_provider.urn + "::")  # explicit, not a default
        waits_for[agents[agent_urn].outputs["member"]] = sleep.urn
    for grant in rec.of_type(GRANT):
        assert waits_for[grant.inputs["member"]] in grant.dependencies


def test_the_waits_preview_before_the_agents_are_known(run_stack):
    config = gcp_config(valkey(gcp={"kms_key": KEY}))
    (sleep,) = run_stack(config, preview=True).of_type(TIME_SLEEP)
    assert sleep.inputs["createDuration"] == AGENT_PROPAGATION
    assert [r.name for r in run_stack(config).of_type(TIME_SLEEP)] == [sleep.name]


def test_no_key_no_agent_and_no_grant(run_stack):
    rec = run_stack(gcp_config({"a": {"engine": "valkey"}, "b": {"engine": "redis"}}))
    assert rec.of_type(IDENTITY) == [] and rec.of_type(GRANT) == []
    # No wait, and no time provider for the CLI to install.
    assert rec.of_type(TIME_SLEEP) == [] and rec.of_type("pulumi:providers:time") == []


def test_grant_kms_access_false_leaves_the_grant_to_the_key_owner(run_stack):
    rec = run_stack(gcp_config(valkey(gcp={"kms_key": KEY}), gcp={"grant_kms_access": False}))
    assert rec.of_type(GRANT) == [] and rec.of_type(IDENTITY) == []
    assert rec.of_type(VALKEY)[0].inputs["kmsKey"] == KEY


def test_the_grant_and_the_agent_preview_with_unknown_emails(run_stack):
    update = run_stack(gcp_config(valkey(gcp={"kms_key": KEY})))
    preview = run_stack(gcp_config(valkey(gcp={"kms_key": KEY})), preview=True)
    assert [r.name for r in update.of_type(GRANT)] == [r.name for r in preview.of_type(GRANT)]


SECRET = "gcp:secretmanager/secret:Secret"


def test_a_connection_secret_is_encrypted_with_its_cache_key(run_stack):
    # As on AWS: the AUTH string the key protects inside Memorystore is not left under Google's
    # own encryption in Secret Manager. Secret Manager's agent gets the key before the secret.
    rec = run_stack(gcp_config(redis(secret=True, gcp={"kms_key": KEY})))
    (secret,) = rec.of_type(SECRET)
    (replica,) = secret.inputs["replication"]["userManaged"]["replicas"]
    assert replica == {"location": "us-central1",
                       "customerManagedEncryption": {"kmsKeyName": KEY}}
    grants = {g.inputs["member"].split("@")[1]: g for g in rec.of_type(GRANT)}
    assert set(grants) == {"cloud-redis.iam.gserviceaccount.com",
                           "gcp-sa-secretmanager.iam.gserviceaccount.com"}
    to_secret_manager = grants["gcp-sa-secretmanager.iam.gserviceaccount.com"]
    assert (to_secret_manager.inputs["cryptoKeyId"], to_secret_manager.inputs["role"]) == \
        (KEY, ROLE)
    assert to_secret_manager.urn in secret.dependencies


def test_a_secret_without_a_cache_key_keeps_googles_encryption(run_stack):
    rec = run_stack(gcp_config(valkey(secret=True)))
    (replica,) = rec.of_type(SECRET)[0].inputs["replication"]["userManaged"]["replicas"]
    assert replica == {"location": "us-central1"}
    assert rec.of_type(GRANT) == []
