"""Rules for who may connect and where a cache comes from, on both clouds: ElastiCache RBAC
users and their access strings, GCP IAM clients, connection secrets, adoption (import) and
restoring from a snapshot or backup. Each rule appends a Problem; nothing raises.

Sources, next to each rule: the ElastiCache RBAC guide
(docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html), botocore's elasticache
service model (CreateUser, CreateReplicationGroup), the CloudFormation AWS::ElastiCache::
UserGroup reference, the Valkey ACL reference (valkey.io/topics/acl) and the Memorystore for
Valkey IAM authentication pages (cloud.google.com/memorystore/docs/valkey/about-iam-auth).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from components.naming import account_slug
from infra import naming
from infra.catalog.parameters import version_key
from infra.config.common import Problem, did_you_mean
from infra.config.schema import AwsUserConfig

# ---------------------------------------------------------------------------------------------
# ElastiCache RBAC
# ---------------------------------------------------------------------------------------------
# RBAC needs Valkey 7.2+ or Redis OSS 6.0+; IAM authentication Valkey or Redis OSS 7.0+
# (ElastiCache RBAC guide; "Migrating from AUTH to IAM authentication" prerequisites).
RBAC_MIN_VERSION = {"valkey": (7, 2), "redis": (6, 0)}
IAM_MIN_VERSION = {"valkey": (7, 2), "redis": (7, 0)}
# Every user group must contain a user named "default" (AWS::ElastiCache::UserGroup UserIds);
# the program adds its own, disabled, so the name is not free for config.
DEFAULT_USER = "default"
# The ACL categories of Valkey 7.2+ and Redis OSS 6+ (`ACL CAT`).
ACL_CATEGORIES = frozenset({
    "all", "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
    "connection", "transaction", "scripting",
})
_ACL_WORDS = frozenset({"allkeys", "allchannels", "allcommands", "nocommands", "resetkeys",
                        "resetchannels"})
# The engine's aliases, by what they stand for (Redis/Valkey ACL rules: "allkeys: Alias for ~*"
# ...). ElastiCache keeps a string in its own form and the provider compares that form with the
# one sent (terraform-provider-aws elasticache/user.go, no diff suppression), so an alias shows
# an update on every preview (terraform-provider-aws#20334, "on allkeys allcommands").
_ACL_ALIASES = {"allkeys": "~*", "allchannels": "&*", "allcommands": "+@all",
                "nocommands": "-@all"}
_COMMAND = re.compile(r"^[a-z][a-z0-9_-]*(?:\|[a-z0-9_-]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class UserSpec:
    """One ElastiCache user of a cache. IAM users are named by their id (AWS requires it)."""

    name: str            # the key under aws.users
    user_id: str         # <cache id>-<name>: user ids are unique per account and region
    user_name: str       # what the client sends with AUTH
    access: str          # the access string, in ElastiCache's form (canonical_access_string)
    iam: bool


def check_access_string(access: str, path: str, problems: list[Problem]) -> None:
    """Refuse access strings ElastiCache or the engine would reject, or that grant nothing.

    ElastiCache's limits (RBAC guide): `on`/`off` are part of the string (neither means `off`),
    passwords are set through the API and never in the string, and `reset` is not allowed.
    """
    tokens = access.split()
    if not tokens:
        problems.append(Problem(path, "is empty; write e.g. 'on ~app:* +@all -@dangerous'."))
        return
    if tokens[0] not in ("on", "off"):
        problems.append(Problem(path, f"{access!r} must start with 'on' (the user may log in) "
                                      "or 'off'; e.g. 'on ~app:* +@read'."))
        return
    grants_commands = False
    for token in tokens[1:]:
        lowered = token.lower()
        if lowered in ("on", "off"):
            problems.append(Problem(path, f"{access!r} says 'on' or 'off' twice; keep the "
                                          "first."))
        elif lowered in ("nopass", "resetpass") or token[:1] in (">", "<", "#", "!"):
            problems.append(Problem(path, f"{token!r} sets a password inside the access string; "
                                          "ElastiCache takes passwords only through its API, "
                                          "and the program generates them. Remove it."))
        elif lowered == "reset":
            problems.append(Problem(path, "'reset' is not allowed in an ElastiCache access "
                                          "string (it would remove the user's passwords)."))
        elif token.startswith("("):
            problems.append(Problem(path, f"{token!r}: selectors are not supported here; write "
                                          "one flat access string."))
        elif token[:1] in ("+", "-") and token[1:2] == "@":
            category = token[2:].lower()
            if category not in ACL_CATEGORIES:
                problems.append(Problem(path, f"{token!r} names no ACL category."
                                        + did_you_mean(category, ACL_CATEGORIES)
                                        + " Categories: "
                                        + ", ".join(sorted(ACL_CATEGORIES)) + "."))
            grants_commands |= token[0] == "+"
        elif token[:1] in ("+", "-"):
            if not _COMMAND.match(token[1:]):
                problems.append(Problem(path, f"{token!r} is not a command rule; use +command, "
                                              "-command, +command|subcommand or +@category."))
            grants_commands |= token[0] == "+"
        elif token[:1] in ("~", "&") or re.match(r"^%(R|W|RW)~", token):
            if token.lstrip("%RW")[1:] == "":
                problems.append(Problem(path, f"{token!r} has no pattern; e.g. '~app:*'."))
        elif lowered in _ACL_WORDS:
            grants_commands |= lowered == "allcommands"
        else:
            problems.append(Problem(path, f"{token!r} is not an ACL rule; use on/off, ~keys, "
                                          "&channels, allkeys, allchannels, +@category, "
                                          "-@category, +command or -command."))
    if tokens[0] == "on" and not grants_commands:
        problems.append(Problem(path, f"{access!r} grants no commands; add e.g. '+@read' or "
                                      "'+@all -@dangerous'."))


def canonical_access_string(access: str) -> str:
    """A checked access string in the form ElastiCache stores and reads back (docs/cloud-rules.md):
    on/off, then key patterns, then channel patterns, each as written, then the command rules,
    led by `-@all` unless they start with `+@all` or `-@all` (AWS's own example stores "off +get
    ~keys*" as "off ~keys* -@all +get"). Aliases are spelt out; on/off, words, categories and
    commands are in lower case (the engine matches them case-insensitively); patterns keep their
    case. The order changes nothing: patterns and command rules are independent, and a new or
    modified user starts from no commands."""
    def canonical(token: str) -> str:
        lowered = token.lower()
        if lowered in _ACL_ALIASES:
            return _ACL_ALIASES[lowered]
        if lowered in ("on", "off") or lowered in _ACL_WORDS or token[:1] in ("+", "-"):
            return lowered
        return token
    tokens = [canonical(token) for token in access.split()]
    if not tokens:
        return ""                                   # refused by check_access_string
    state, *rules = tokens
    keys = [r for r in rules if r[:1] in ("~", "%") or r == "resetkeys"]
    channels = [r for r in rules if r[:1] == "&" or r == "resetchannels"]
    commands = [r for r in rules if r[:1] in ("+", "-")]
    if commands[:1] not in (["+@all"], ["-@all"]):
        commands.insert(0, "-@all")
    return " ".join([state, *keys, *channels, *commands])


def resolve_users(users: Mapping[str, AwsUserConfig] | None, cache_id: str, engine: str,
                  version: str, global_: bool, path: str, problems: list[Problem],
                  without: str = "an AUTH token") -> tuple[UserSpec, ...]:
    """`aws.users` of a Valkey/Redis cache (Memcached and GCP are refused by the callers);
    `without` says what the cache authenticates with when the key is removed."""
    if users is None:
        return ()
    if not users:
        problems.append(Problem(path, "is empty; name at least one user or remove the key "
                                      f"(the cache then uses {without})."))
        return ()
    if global_:
        problems.append(Problem(path, "RBAC users are not supported on a Global Datastore "
                                      "cache here (each region would need its own users and "
                                      "user group); remove the key or the global block."))
        return ()
    minimum = RBAC_MIN_VERSION[engine]
    if version_key(version) < minimum:
        problems.append(Problem(path, f"{engine} {version} has no RBAC; it needs {engine} "
                                      f"{'.'.join(map(str, minimum))} or later."))
    out = []
    for name, user in users.items():
        key = f"{path}.{name}"
        if name == DEFAULT_USER:
            problems.append(Problem(key, "'default' is reserved: the program adds a disabled "
                                         "'default' user to every user group (AWS requires "
                                         "one). Choose another name."))
            continue
        if not naming.is_valid_name_part(name):
            problems.append(Problem(key, f"the user name {name!r} is not allowed; use lowercase "
                                         "letters, digits and single hyphens, starting with a "
                                         "letter (ElastiCache user ids: [a-z][a-z0-9-]*)."))
            continue
        iam = user.iam
        check_access_string(user.access, f"{key}.access", problems)
        # Sent only when the check passed: a refused string creates nothing.
        access = canonical_access_string(user.access)
        iam_minimum = IAM_MIN_VERSION[engine]
        if iam and version_key(version) < iam_minimum:
            problems.append(Problem(f"{key}.iam", f"{engine} {version} has no IAM "
                                    f"authentication; it needs {engine} "
                                    f"{'.'.join(map(str, iam_minimum))} or later."))
        user_id = naming.cache_user_id(cache_id, name)
        check_user_id(user_id, key, "Shorten the user name or the cache name, or set "
                                    "name_prefix.", problems)
        # IAM users must have user name == user id (CreateUser; pulumi-aws User.user_name).
        out.append(UserSpec(name=name, user_id=user_id, user_name=user_id if iam else name,
                            access=access, iam=iam))
    return tuple(out)


def check_user_id(user_id: str, path: str, shorten: str, problems: list[Problem]) -> None:
    """User ids start with the cache id (`<cache id>-<user>`) and are held to its 40
    characters, the limit this program applies to ElastiCache ids."""
    if len(user_id) > naming.REPLICATION_GROUP_ID_MAX:
        problems.append(Problem(path, f"the user id {user_id!r} is {len(user_id)} characters; "
                                      f"ElastiCache allows {naming.REPLICATION_GROUP_ID_MAX}. "
                                      f"{shorten}"))


def check_default_user_id(cache_id: str, path: str, problems: list[Problem]) -> None:
    """The disabled `default` user every user group gets (components/aws/users.py)."""
    check_user_id(naming.cache_user_id(cache_id, DEFAULT_USER), path,
                  "Shorten the cache name or set name_prefix.", problems)


# ---------------------------------------------------------------------------------------------
# Restoring from a snapshot / backup
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreSpec:
    """Where a new cache's data comes from. Used only when the cache is created."""

    source: str                          # as written
    snapshot_name: str | None = None     # AWS: an ElastiCache snapshot in the region
    snapshot_arns: tuple[str, ...] = ()  # AWS: RDB files in S3; serverless: its snapshots
    gcs_uris: tuple[str, ...] = ()       # GCP Valkey: RDB files in Cloud Storage
    backup: str | None = None            # GCP Valkey: a managed backup


# CreateReplicationGroup SnapshotArns: "arn:aws:s3:::my_bucket/snapshot1.rdb"; the object name
# may not contain commas (botocore elasticache service model).
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^,\s]+$")
# Snapshot names: manual ones like the program's "<id>-final", automatic ones like
# "automatic.<id>-2026-01-01-03-00".
_SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_GCS_URI = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]/\S+$")
_GCP_BACKUP = re.compile(r"^projects/[^/\s]+/locations/[a-z0-9-]+/backupCollections/[^/\s]+/"
                         r"backups/[^/\s]+$")


def resolve_aws_restore(source: str | None, path: str,
                        problems: list[Problem]) -> RestoreSpec | None:
    if source is None:
        return None
    if source.startswith("arn:"):
        if _S3_ARN.match(source):
            return RestoreSpec(source=source, snapshot_arns=(source,))
        problems.append(Problem(path, f"{source!r} is not an S3 object ARN; use a snapshot's "
                                      "name (e.g. 'prod-sessions-final') or an RDB file in S3 "
                                      "(arn:aws:s3:::bucket/key.rdb, no commas)."))
        return None
    if not _SNAPSHOT_NAME.match(source):
        problems.append(Problem(path, f"{source!r} is not a snapshot name; use the name of an "
                                      "ElastiCache snapshot in the cache's region or "
                                      "arn:aws:s3:::bucket/key.rdb."))
        return None
    return RestoreSpec(source=source, snapshot_name=source)


# A serverless cache snapshot (CreateServerlessCacheSnapshot); CreateServerlessCache takes
# their ARNs in SnapshotArnsToRestore, for Valkey and Redis OSS (pulumi-aws
# elasticache.ServerlessCache.snapshot_arns_to_restores).
_SERVERLESS_SNAPSHOT_ARN = re.compile(r"^arn:aws[a-z-]*:elasticache:([a-z0-9-]+):\d{12}:"
                                      r"serverlesscachesnapshot:[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


def resolve_serverless_restore(source: str | None, region: str, path: str,
                               problems: list[Problem]) -> RestoreSpec | None:
    """`restore_from` of a serverless Valkey/Redis cache (Memcached is refused by the caller)."""
    if source is None:
        return None
    match = _SERVERLESS_SNAPSHOT_ARN.match(source)
    if match is None:
        problems.append(Problem(path, f"{source!r} is not a serverless snapshot ARN; a serverless "
                                      "cache is created from a snapshot of a serverless cache, "
                                      "named by its ARN: arn:aws:elasticache:<region>:<account>:"
                                      "serverlesscachesnapshot:<name>."))
        return None
    if region and match.group(1) != region:
        problems.append(Problem(path, f"the snapshot is in {match.group(1)}, not {region}; "
                                      "ElastiCache creates a cache only from a snapshot in the "
                                      "cache's own region."))
        return None
    return RestoreSpec(source=source, snapshot_arns=(source,))


def resolve_gcp_restore(source: str | None, engine: str, path: str,
                        problems: list[Problem]) -> RestoreSpec | None:
    if source is None:
        return None
    if engine == "redis":
        problems.append(Problem(path, "Memorystore for Redis cannot be created from an RDB file "
                                      "or backup; create the instance, then import the file "
                                      "with `gcloud redis instances import`, or use engine "
                                      "'valkey'. Remove the key."))
        return None
    if engine == "memcached":
        problems.append(Problem(path, "Memorystore for Memcached has no snapshots to restore "
                                      "from; remove the key."))
        return None
    if _GCS_URI.match(source):
        return RestoreSpec(source=source, gcs_uris=(source,))
    if _GCP_BACKUP.match(source):
        return RestoreSpec(source=source, backup=source)
    problems.append(Problem(path, f"{source!r} is not a Memorystore for Valkey source; use an "
                                  "RDB file in Cloud Storage (gs://bucket/path.rdb) or a backup "
                                  "(projects/<p>/locations/<region>/backupCollections/<c>/"
                                  "backups/<b>)."))
    return None


# ---------------------------------------------------------------------------------------------
# Adopting an existing cache
# ---------------------------------------------------------------------------------------------
def check_import_id(import_id: str | None, cache_id: str, kind: str, path: str,
                    problems: list[Problem]) -> str | None:
    """The live id must be the one the config gives the cache: the id is part of the cache's
    identity (replication_group_id, cluster_id and GCP instance ids replace the cache when they
    change), so a different id would not adopt the cache but replace it."""
    if import_id is None:
        return None
    if import_id != cache_id:
        problems.append(Problem(path, f"{import_id!r} is not the {kind} id this config gives "
                                      f"the cache ({cache_id!r}, from name_prefix and the cache "
                                      "name); set name_prefix and the cache name so that "
                                      f"<name_prefix>-<cache> is {import_id!r} (`python -m ops "
                                      "discover` prints a matching block)."))
        return None
    return import_id


# ---------------------------------------------------------------------------------------------
# GCP IAM clients
# ---------------------------------------------------------------------------------------------
# Service account e-mails: user-managed (<id>@<project>.iam.gserviceaccount.com), and the
# Compute Engine and App Engine default ones. Only the shape is checked: a user's own e-mail
# or a typo in the domain is the mistake to catch.
_SERVICE_ACCOUNT = re.compile(r"^(?:[a-z0-9][a-z0-9-]{0,29}@[a-z0-9][a-z0-9.:-]{0,62}"
                              r"\.iam\.gserviceaccount\.com"
                              r"|\d+-compute@developer\.gserviceaccount\.com"
                              r"|[a-z0-9][a-z0-9-]{0,29}@appspot\.gserviceaccount\.com)$")


def check_service_accounts(accounts: list[str], path: str,
                           problems: list[Problem]) -> tuple[str, ...]:
    for i, email in enumerate(accounts):
        if not _SERVICE_ACCOUNT.match(email):
            problems.append(Problem(f"{path}.{i}", f"{email!r} is not a service account e-mail; "
                                    "use <name>@<project>.iam.gserviceaccount.com."))
    if len(set(accounts)) != len(accounts):
        problems.append(Problem(path, "a service account is listed twice."))
    return tuple(dict.fromkeys(accounts))


def check_iam_client_names(accounts: Iterable[tuple[str, Sequence[str]]],
                           problems: list[Problem]) -> None:
    """`accounts`: (cache name, its client service accounts). Each account gets one project
    IAM binding named after `account_slug` (components/gcp/iam_clients.py), `<id>-<project>`,
    so `ci-runner@prod...` and `ci@runner-prod...` would register two bindings under one URN
    and the preview fails (Duplicate resource URN)."""
    seen: dict[str, str] = {}
    for cache, emails in accounts:
        for i, email in enumerate(emails):
            other = seen.setdefault(account_slug(email), email)
            if other != email:
                problems.append(Problem(f"caches.{cache}.gcp.client_service_accounts.{i}",
                                        f"{email!r} and {other!r} give the stack's IAM binding "
                                        f"the same name ({account_slug(email)!r}), so the "
                                        "preview would fail; grant one of them the role "
                                        "outside the stack."))
