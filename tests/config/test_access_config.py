"""Config rules for access and adoption: aws.users, gcp.client_service_accounts, secret,
aws/gcp.import_id, aws.subnet_group_name and restore_from. Every refused config has its exact
message and registers nothing; valid ones resolve to what the program builds from."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from infra.config.access import RestoreSpec, UserSpec
from tests.builders import aws_config, gcp_config

APP = {"access": "on ~app:* +@all -@dangerous"}
EXISTING_VPC = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
                "allowed_cidrs": ["10.0.0.0/16"]}
SA = "app@acme-cache.iam.gserviceaccount.com"


def users(**entries):
    return {"s": {"aws": {"users": entries}}}


REFUSED = [
    # --- aws.users: access strings ---------------------------------------------------------
    ("access-without-on-off", aws_config(users(app={"access": "~app:* +@all"})),
     "caches.s.aws.users.app.access: '~app:* +@all' must start with 'on' (the user may log in) "
     "or 'off'; e.g. 'on ~app:* +@read'."),
    ("access-empty", aws_config(users(app={"access": "  "})),
     "caches.s.aws.users.app.access: is empty; write e.g. 'on ~app:* +@all -@dangerous'."),
    ("access-password", aws_config(users(app={"access": "on >secret123 ~* +@all"})),
     "caches.s.aws.users.app.access: '>secret123' sets a password inside the access string; "
     "ElastiCache takes passwords only through its API, and the program generates them. "
     "Remove it."),
    ("access-nopass", aws_config(users(app={"access": "on nopass ~* +@all"})),
     "caches.s.aws.users.app.access: 'nopass' sets a password inside the access string; "
     "ElastiCache takes passwords only through its API, and the program generates them. "
     "Remove it."),
    ("access-reset", aws_config(users(app={"access": "on reset ~* +@all"})),
     "caches.s.aws.users.app.access: 'reset' is not allowed in an ElastiCache access string "
     "(it would remove the user's passwords)."),
    ("access-unknown-category", aws_config(users(app={"access": "on ~* +@raed"})),
     "caches.s.aws.users.app.access: '+@raed' names no ACL category. Did you mean 'read'? "
     "Categories: admin, all, bitmap, blocking, connection, dangerous, fast, geo, hash, "
     "hyperloglog, keyspace, list, pubsub, read, scripting, set, slow, sortedset, stream, "
     "string, transaction, write."),
    ("access-no-commands", aws_config(users(app={"access": "on ~app:*"})),
     "caches.s.aws.users.app.access: 'on ~app:*' grants no commands; add e.g. '+@read' or "
     "'+@all -@dangerous'."),
    ("access-garbage", aws_config(users(app={"access": "on all-keys +@read"})),
     "caches.s.aws.users.app.access: 'all-keys' is not an ACL rule; use on/off, ~keys, "
     "&channels, allkeys, allchannels, +@category, -@category, +command or -command."),
    ("access-empty-pattern", aws_config(users(app={"access": "on ~ +@read"})),
     "caches.s.aws.users.app.access: '~' has no pattern; e.g. '~app:*'."),
    ("access-twice-on", aws_config(users(app={"access": "on ~* +@read off"})),
     "caches.s.aws.users.app.access: 'on ~* +@read off' says 'on' or 'off' twice; keep the "
     "first."),
    ("access-selector", aws_config(users(app={"access": "on ~* +@read (~x +get)"})),
     "caches.s.aws.users.app.access: '(~x': selectors are not supported here; write one flat "
     "access string."),
    # --- aws.users: names, engines, shapes -------------------------------------------------
    ("user-named-default", aws_config(users(default=APP)),
     "caches.s.aws.users.default: 'default' is reserved: the program adds a disabled 'default' "
     "user to every user group (AWS requires one). Choose another name."),
    ("bad-user-name", aws_config(users(App_1=APP)),
     "caches.s.aws.users.App_1: the user name 'App_1' is not allowed; use lowercase letters, "
     "digits and single hyphens, starting with a letter (ElastiCache user ids: "
     "[a-z][a-z0-9-]*)."),
    ("no-users", aws_config(users()),
     "caches.s.aws.users: is empty; name at least one user or remove the key (the cache then "
     "uses an AUTH token)."),
    ("user-id-too-long", aws_config(users(**{"nightly-reporting-batch-reader": APP}),
                                    name_prefix="analytics"),
     "caches.s.aws.users.nightly-reporting-batch-reader: the user id "
     "'analytics-s-nightly-reporting-batch-reader' is 42 characters; ElastiCache allows 40. "
     "Shorten the user name or the cache name, or set name_prefix."),
    # User ids are `<cache id>-<user>` and unique per account and region (CreateUser),
    # reported at the configured user.
    ("user-id-of-another-cache", aws_config({"a": {"aws": {"users": {"b-c": APP}}},
                                             "a-b": {"aws": {"users": {"c": APP}}}}),
     "caches.a-b.aws.users.c: the user id 'test-a-b-c' is also that of user 'b-c' of cache 'a'; "
     "ElastiCache user ids are unique in an account and region, so creating the second would "
     "fail. Rename the user."),
    ("default-user-id-of-another-cache", aws_config({"a": {"aws": {"users": {"b-default": APP}}},
                                                     "a-b": {"aws": {"users": {"c": APP}}}}),
     "caches.a.aws.users.b-default: the user id 'test-a-b-default' is also that of the default "
     "user of cache 'a-b'; ElastiCache user ids are unique in an account and region, so "
     "creating the second would fail. Rename the user."),
    ("serverless-app-user-id-of-another-cache",
     aws_config({"a": {"aws": {"users": {"b-app": APP}}},
                 "a-b": {"engine": "valkey", "serverless": {"max_data_gb": 10,
                                                             "max_ecpu_per_second": 5000}}}),
     "caches.a.aws.users.b-app: the user id 'test-a-b-app' is also that of the app user of "
     "cache 'a-b'; ElastiCache user ids are unique in an account and region, so creating the "
     "second would fail. Rename the user."),
    ("default-user-id-too-long", aws_config({"a-very-long-replication-group-name": {
        "aws": {"users": {"app": APP}}}}, name_prefix="prod"),
     "caches.a-very-long-replication-group-name: the user id "
     "'prod-a-very-long-replication-group-name-default' is 47 characters; ElastiCache allows "
     "40. Shorten the cache name or set name_prefix."),
    ("user-without-access", aws_config(users(app={"iam": True})),
     "caches.s.aws.users.app.access: is required."),
    ("iam-on-redis-6", aws_config({"s": {"engine": "redis", "engine_version": "6.2",
                                         "aws": {"users": {"r": {**APP, "iam": True}}}}}),
     "caches.s.aws.users.r.iam: redis 6.2 has no IAM authentication; it needs redis 7.0 or "
     "later."),
    ("users-on-memcached", aws_config({"s": {"engine": "memcached",
                                             "aws": {"users": {"app": APP}}}}),
     "caches.s.aws.users: Memcached has no RBAC users or AUTH (its security group is its only "
     "gate); remove the key or use engine 'valkey'."),
    ("users-with-global", aws_config({"s": {"node_type": "cache.r7g.large",
                                            "global": {"secondary_region": "eu-west-1"},
                                            "aws": {"users": {"app": APP}}}}),
     "caches.s.aws.users: RBAC users are not supported on a Global Datastore cache here (each "
     "region would need its own users and user group); remove the key or the global block."),
    ("users-on-gcp", gcp_config({"s": {"aws": {"users": {"app": APP}}}}),
     "caches.s.aws.users: ElastiCache RBAC users do not exist on Memorystore; use "
     "gcp.client_service_accounts (Memorystore for Valkey IAM authentication) or gcp.auth (the "
     "Memorystore for Redis AUTH string). Remove the key."),
    # --- GCP IAM clients --------------------------------------------------------------------
    ("clients-on-redis", gcp_config({"s": {"engine": "redis",
                                           "gcp": {"client_service_accounts": [SA]}}}),
     "caches.s.gcp.client_service_accounts: Memorystore for Redis has no IAM authentication; "
     "clients send the instance's AUTH string (gcp.auth: true, in the secret output "
     "auth_tokens). Remove the key or use engine 'valkey'."),
    ("clients-on-memcached", gcp_config({"s": {"engine": "memcached",
                                               "gcp": {"client_service_accounts": [SA]}}}),
     "caches.s.gcp.client_service_accounts: Memorystore for Memcached has no authentication; "
     "remove the key or use engine 'valkey' (IAM authentication)."),
    ("clients-without-iam", gcp_config({"s": {"gcp": {"auth": False,
                                                       "client_service_accounts": [SA]}}}),
     "caches.s.gcp.client_service_accounts: needs gcp.auth: true (IAM authorization); without "
     "it the instance admits every client in the network and the bindings would grant "
     "nothing."),
    ("clients-bad-email", gcp_config({"s": {"gcp": {
        "auth": True, "client_service_accounts": ["app@gmail.com"]}}}),
     "caches.s.gcp.client_service_accounts.0: 'app@gmail.com' is not a service account e-mail; "
     "use <name>@<project>.iam.gserviceaccount.com."),
    # Bindings are named `<id>-<project>`: these two would share one URN (Duplicate resource URN).
    ("clients-same-binding-name", gcp_config({
        "s": {"engine": "valkey", "gcp": {"auth": True, "client_service_accounts": [
            "ci-runner@prod.iam.gserviceaccount.com"]}},
        "t": {"engine": "valkey", "gcp": {"auth": True, "client_service_accounts": [
            "ci@runner-prod.iam.gserviceaccount.com"]}}}),
     "caches.t.gcp.client_service_accounts.0: 'ci@runner-prod.iam.gserviceaccount.com' and "
     "'ci-runner@prod.iam.gserviceaccount.com' give the stack's IAM binding the same name "
     "('ci-runner-prod'), so the preview would fail; grant one of them the role outside the "
     "stack."),
    ("clients-on-aws", aws_config({"s": {"gcp": {"client_service_accounts": [SA]}}}),
     "caches.s.gcp.client_service_accounts: Memorystore IAM bindings do not exist on "
     "ElastiCache; use aws.users with iam: true (IAM-authenticated RBAC users). Remove the "
     "key."),
    # --- import ------------------------------------------------------------------------------
    ("import-other-id", aws_config({"s": {"aws": {"import_id": "legacy-sessions"}}}),
     "caches.s.aws.import_id: 'legacy-sessions' is not the replication group id this config "
     "gives the cache ('test-s', from name_prefix and the cache name); set name_prefix and the "
     "cache name so that <name_prefix>-<cache> is 'legacy-sessions' (`python -m ops discover` "
     "prints a matching block)."),
    ("import-memcached-other-id", aws_config({"s": {"engine": "memcached",
                                                    "aws": {"import_id": "frag"}}}),
     "caches.s.aws.import_id: 'frag' is not the cluster id this config gives the cache "
     "('test-s', from name_prefix and the cache name); set name_prefix and the cache name so "
     "that <name_prefix>-<cache> is 'frag' (`python -m ops discover` prints a matching "
     "block)."),
    ("import-global", aws_config({"s": {"node_type": "cache.r7g.large",
                                        "global": {"secondary_region": "eu-west-1"},
                                        "aws": {"import_id": "test-s"}}}),
     "caches.s.aws.import_id: a Global Datastore cannot be adopted in one step; import the "
     "primary as a lone cache (without global:), then add global:, which keeps the group (see "
     "docs/adopting.md)."),
    ("import-and-restore", aws_config({"s": {"restore_from": "snap",
                                             "aws": {"import_id": "test-s"}}}),
     "caches.s.restore_from: an import adopts an existing cache and a restore creates a new "
     "one; set aws.import_id or restore_from, not both."),
    # The update after the import adds log delivery, which ElastiCache takes only at once.
    ("import-applied-later", aws_config({"s": {"aws": {"import_id": "test-s",
                                                       "apply_immediately": False}}}),
     "caches.s.aws.apply_immediately: false cannot adopt a group: the update after the import "
     "adds the stack's log delivery, which ElastiCache accepts only applied at once. Leave it "
     "out while aws.import_id is set (adoption applies at once), and set it after adoption."),
    ("gcp-import-other-id", gcp_config({"s": {"gcp": {"import_id": "old-s"}}}),
     "caches.s.gcp.import_id: 'old-s' is not the instance id this config gives the cache "
     "('test-s', from name_prefix and the cache name); set name_prefix and the cache name so "
     "that <name_prefix>-<cache> is 'old-s' (`python -m ops discover` prints a matching "
     "block)."),
    ("subnet-group-without-vpc", aws_config({"s": {"aws": {"subnet_group_name": "legacy"}}}),
     "caches.s.aws.subnet_group_name: an existing subnet group needs network.vpc_id (its VPC) "
     "with subnet_ids: the cache's security group is created there."),
    # CreateCacheSubnetGroup stores the name in lower case; the provider reads it back as stored.
    ("subnet-group-upper-case", aws_config({"s": {"aws": {"subnet_group_name": "Legacy-Subnets"}}},
                                           network=EXISTING_VPC),
     "caches.s.aws.subnet_group_name: 'Legacy-Subnets' is stored by ElastiCache in lower case, "
     "and the name as written would replace the cache on every update; write 'legacy-subnets'."),
    ("bad-subnet-group", aws_config({"s": {"aws": {"subnet_group_name": "legacy_subnets"}}},
                                    network=EXISTING_VPC),
     "caches.s.aws.subnet_group_name: 'legacy_subnets' is not a cache subnet group name; use "
     "up to 255 letters, digits and hyphens."),
    # --- restore_from --------------------------------------------------------------------------
    ("restore-other-arn", aws_config({"s": {"restore_from":
                                            "arn:aws:elasticache:us-east-1:1:snapshot:x"}}),
     "caches.s.restore_from: 'arn:aws:elasticache:us-east-1:1:snapshot:x' is not an S3 object "
     "ARN; use a snapshot's name (e.g. 'prod-sessions-final') or an RDB file in S3 "
     "(arn:aws:s3:::bucket/key.rdb, no commas)."),
    ("restore-own-final-snapshot", aws_config({"s": {"restore_from": "test-s-final"}},
                                              profile="production"),
     "caches.s.restore_from: 'test-s-final' is the name this cache's own final snapshot takes "
     "when it is deleted, so its deletion would fail; copy the snapshot to another name (`aws "
     "elasticache copy-snapshot --source-snapshot-name test-s-final --target-snapshot-name "
     "test-s-restore`), restore from the copy, and delete test-s-final (the copy keeps its "
     "data)."),
    ("restore-bad-name", aws_config({"s": {"restore_from": "my snapshot"}}),
     "caches.s.restore_from: 'my snapshot' is not a snapshot name; use the name of an "
     "ElastiCache snapshot in the cache's region or arn:aws:s3:::bucket/key.rdb."),
    ("restore-memcached", aws_config({"s": {"engine": "memcached", "restore_from": "snap"}}),
     "caches.s.restore_from: Memcached has no snapshots to restore from; remove the key or use "
     "engine 'valkey'."),
    ("restore-gcp-redis", gcp_config({"s": {"engine": "redis",
                                            "restore_from": "gs://b/dump.rdb"}}),
     "caches.s.restore_from: Memorystore for Redis cannot be created from an RDB file or "
     "backup; create the instance, then import the file with `gcloud redis instances import`, "
     "or use engine 'valkey'. Remove the key."),
    ("restore-gcp-memcached", gcp_config({"s": {"engine": "memcached",
                                                "restore_from": "gs://b/dump.rdb"}}),
     "caches.s.restore_from: Memorystore for Memcached has no snapshots to restore from; remove "
     "the key."),
    ("restore-gcp-s3", gcp_config({"s": {"restore_from": "arn:aws:s3:::b/dump.rdb"}}),
     "caches.s.restore_from: 'arn:aws:s3:::b/dump.rdb' is not a Memorystore for Valkey source; "
     "use an RDB file in Cloud Storage (gs://bucket/path.rdb) or a backup (projects/<p>/"
     "locations/<region>/backupCollections/<c>/backups/<b>)."),
    ("secret-not-bool", aws_config({"s": {"secret": "yes"}}),
     "caches.s.secret: 'yes' is not allowed: input should be a valid boolean."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_its_message_and_nothing_created(attempt, config, expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_a_wrong_import_id_does_not_hide_what_conflicts_with_any_import(attempt):
    message, _ = attempt(aws_config({"s": {"aws": {"import_id": "legacy-s"},
                                           "restore_from": "prod-sessions-final",
                                           "global": {"secondary_region": "eu-west-1"},
                                           "node_type": "cache.r7g.large"}}))
    assert "caches.s.aws.import_id: 'legacy-s' is not the replication group id" in message
    assert "caches.s.aws.import_id: a Global Datastore cannot be adopted in one step" in message
    assert "caches.s.restore_from: an import adopts an existing cache" in message
    message, _ = attempt(gcp_config({"s": {"gcp": {"import_id": "old-s"},
                                           "restore_from": "gs://bucket/backup.rdb"}}))
    assert "caches.s.gcp.import_id: 'old-s' is not the instance id" in message
    assert "caches.s.restore_from: an import adopts an existing instance" in message


def load(config):
    return load_stack_config(config, "test")


def test_users_resolve_to_user_ids_and_iam_names():
    [cache] = load(aws_config({"s": {"aws": {"users": {
        "app": APP, "reporting": {"access": "on ~* +@read", "iam": True}}}}})).caches
    assert cache.users == (
        UserSpec(name="app", user_id="test-s-app", user_name="app",
                 access="on ~app:* +@all -@dangerous", iam=False),
        UserSpec(name="reporting", user_id="test-s-reporting", user_name="test-s-reporting",
                 access="on ~* -@all +@read", iam=True))


@pytest.mark.parametrize(("written", "sent"), [
    ("on ~app:* +@all -@dangerous", "on ~app:* +@all -@dangerous"),
    ("on ~* +@read", "on ~* -@all +@read"),
    ("on %R~cache:* +get +mget", "on %R~cache:* -@all +get +mget"),
    ("on &events:* +@pubsub", "on &events:* -@all +@pubsub"),
    ("on ~* +client|setname +ping", "on ~* -@all +client|setname +ping"),
    ("off ~* +@read", "off ~* -@all +@read"),
    ("on resetkeys ~a:* +@hash -hdel", "on resetkeys ~a:* -@all +@hash -hdel"),
])
def test_access_strings_elasticache_accepts_pass(written, sent):
    [cache] = load(aws_config({"s": {"aws": {"users": {"app": {"access": written}}}}})).caches
    assert cache.users[0].access == sent


@pytest.mark.parametrize(("written", "sent"), [
    # ElastiCache stores its own form and the provider compares it with what is sent, with no
    # diff suppression: a string sent otherwise updates the user on every `pulumi up`.
    ("on allkeys allchannels allcommands", "on ~* &* +@all"),          # aws provider #20334
    ("on ~* nocommands +GET +Client|SetName", "on ~* -@all +get +client|setname"),
    ("on  ~App:*   +@READ -@Dangerous", "on ~App:* -@all +@read -@dangerous"),
    ("on ResetChannels &Events:* +@pubsub", "on resetchannels &Events:* -@all +@pubsub"),
    # AWS's CreateUser example (ElastiCache guide, rotating passwords with Secrets Manager):
    # patterns before the command rules, which -@all leads.
    ("off +get ~keys*", "off ~keys* -@all +get"),
    ("on ~app:* +@read", "on ~app:* -@all +@read"),                    # cdk-real-drift#488
    ("on +@read &ch:* ~a:* +@hash", "on ~a:* &ch:* -@all +@read +@hash"),
    # Stored as sent (the provider's acceptance tests expect no change after apply).
    ("on ~* +@all", "on ~* +@all"),
    ("on ~app::* -@all +@read -setbit", "on ~app::* -@all +@read -setbit"),
])
def test_access_strings_are_sent_in_elasticaches_form_patterns_as_written(written, sent):
    [cache] = load(aws_config({"s": {"aws": {"users": {"app": {"access": written}}}}})).caches
    assert cache.users[0].access == sent


def test_secret_defaults_follow_the_profile():
    [dev] = load(aws_config()).caches
    [prod] = load(aws_config(profile="production")).caches
    [off] = load(aws_config({"s": {"secret": False}}, profile="production")).caches
    assert (dev.secret, prod.secret, off.secret) == (False, True, False)
    [gcp_dev] = load(gcp_config()).caches
    [gcp_prod] = load(gcp_config(profile="production")).caches
    assert (gcp_dev.secret, gcp_prod.secret) == (False, True)


@pytest.mark.parametrize("source,restore", [
    ("prod-sessions-final", RestoreSpec(source="prod-sessions-final",
                                        snapshot_name="prod-sessions-final")),
    ("automatic.prod-sessions-2026-01-01-03-00",
     RestoreSpec(source="automatic.prod-sessions-2026-01-01-03-00",
                 snapshot_name="automatic.prod-sessions-2026-01-01-03-00")),
    ("arn:aws:s3:::my-dumps/sessions.rdb",
     RestoreSpec(source="arn:aws:s3:::my-dumps/sessions.rdb",
                 snapshot_arns=("arn:aws:s3:::my-dumps/sessions.rdb",))),
])
def test_aws_restore_source_is_a_snapshot_name_or_an_s3_rdb(source, restore):
    [cache] = load(aws_config({"s": {"restore_from": source}})).caches
    assert cache.restore == restore


def test_gcp_valkey_restores_from_cloud_storage_or_a_backup():
    [cache] = load(gcp_config({"s": {"restore_from": "gs://dumps/s.rdb"}})).caches
    assert cache.restore.gcs_uris == ("gs://dumps/s.rdb",) and cache.restore.backup is None
    backup = "projects/acme-cache/locations/us-central1/backupCollections/c/backups/b"
    [cache] = load(gcp_config({"s": {"restore_from": backup}})).caches
    assert cache.restore.backup == backup


def test_import_id_and_existing_subnet_group():
    [cache] = load(aws_config({"sessions": {"aws": {"import_id": "test-sessions",
                                                    "subnet_group_name": "legacy"}}},
                              network=EXISTING_VPC)).caches
    assert (cache.import_id, cache.subnet_group_name) == ("test-sessions", "legacy")


def test_an_adopted_group_applies_at_once_in_production_and_memcached_may_wait():
    """Log delivery, which the adoption update adds, is refused unless applied at once; a
    Memcached cluster has no log delivery and keeps the profile's choice."""
    adopting = {"sessions": {"aws": {"import_id": "test-sessions"}},
                "pages": {"engine": "memcached", "node_type": "cache.m7g.large",
                          "aws": {"import_id": "test-pages", "apply_immediately": False}}}
    sessions, pages = load(aws_config(adopting, profile="production")).caches
    assert (sessions.apply_immediately, pages.apply_immediately) == (True, False)
    [managed] = load(aws_config({"sessions": {}}, profile="production")).caches
    assert managed.apply_immediately is False


def test_gcp_clients_are_listed_once():
    [cache] = load(gcp_config({"s": {"gcp": {"auth": True,
                                             "client_service_accounts": [SA]}}})).caches
    assert cache.client_service_accounts == (SA,)
