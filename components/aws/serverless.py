"""An ElastiCache Serverless cache with the safe defaults built in.

ElastiCache Serverless always encrypts in transit and at rest (with the AWS-owned key unless a
customer-managed one is given) and scales itself within the usage limits set here. It has no
AUTH token: Valkey and Redis OSS serverless caches authenticate users of a user group (RBAC).
Without one, anyone who reaches the endpoint may connect, so a Valkey/Redis cache gets a user
group of its own (`components/aws/users.py`): a disabled `default` user and either the users
the config names or one application user with a random password that exists only as a Pulumi
secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import naming
from components.aws import kms
from components.aws.users import (
    CacheUserArgs,
    ElastiCacheUsersArgs,
    UserGroupParts,
    build_user_group,
)
from components.component import Component, Outputs

# Without configured users the group holds one application user (naming.APP_USER_NAME) with
# every permission.
APP_ACCESS = "on ~* +@all"
# Create-only: the cache is seeded from these snapshots when it is created, and a later edit
# would replace it (RequiresReplace), so changes are ignored after creation.
RESTORE_ARGS = ["snapshot_arns_to_restores"]


@dataclass(frozen=True)
class ServerlessCacheArgs:
    name: str                                 # the serverless cache's name (1-40 characters)
    description: str
    engine: str                               # valkey | redis | memcached
    major_engine_version: str                 # "8", "7", "1.6"
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    security_group_ids: Sequence[pulumi.Input[str]]
    max_data_gb: int
    max_ecpu_per_second: int
    snapshot_retention_days: int = 0          # Valkey/Redis only
    daily_snapshot_time: str | None = None    # "HH:MM" UTC, Valkey/Redis only
    create_kms_key: bool = False
    kms_key_arn: str | None = None
    deletion_protection: bool = False
    # Valkey/Redis: a user group (`<name>-users`) with a disabled `<name>-default` user and
    # `users`, or without them one application user `<name>-app`.
    user_group: bool = True
    users: Sequence[CacheUserArgs] = ()
    snapshot_arns: Sequence[str] = ()         # serverless snapshots the new cache starts from
    tags: Mapping[str, str] = field(default_factory=dict)


class ElastiCacheServerlessCache(Component[ServerlessCacheArgs],
                                 type_token="managed-cache:aws:ElastiCacheServerlessCache"):
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    reader_endpoint: pulumi.Output[str] | None
    reader_port: pulumi.Output[int] | None
    arn: pulumi.Output[str]
    user_name: str | None                     # the application user: AUTH <user> <password>
    password: pulumi.Output[str] | None       # its password, a Pulumi secret
    users: UserGroupParts | None              # the group, with the configured users' ARNs
    kms_key_arn: pulumi.Output[str] | None

    def build(self, name: str, args: ServerlessCacheArgs) -> Outputs:
        data = pulumi.ResourceOptions(parent=self, protect=args.deletion_protection)
        self.kms_key_arn = kms.cache_data_key(
            self, name, cache_id=args.name, what="serverless cache ", kms_key_arn=args.kms_key_arn,
            create=args.create_kms_key, tags=dict(args.tags), opts=data)
        valkey_like = args.engine != "memcached"

        self.user_name = None
        self.password = None
        self.users = None
        if valkey_like and args.user_group:
            self.users = build_user_group(name, ElastiCacheUsersArgs(
                user_group_id=naming.user_group_id(args.name),
                engine=args.engine,
                default_user_id=naming.default_user_id(args.name),
                users=args.users or [CacheUserArgs(
                    name=naming.APP_USER_NAME, user_id=naming.app_user_id(args.name),
                    user_name=naming.APP_USER_NAME, access=APP_ACCESS)],
                tags=dict(args.tags),
            ), parent=self, group_name=f"{name}-users")
            if not args.users:
                self.user_name = naming.APP_USER_NAME
                self.password = self.users.passwords[naming.APP_USER_NAME]

        cache = aws.elasticache.ServerlessCache(
            f"{name}-cache",
            name=args.name,
            description=args.description,
            engine=args.engine,
            major_engine_version=args.major_engine_version,
            subnet_ids=args.subnet_ids,
            security_group_ids=list(args.security_group_ids),
            kms_key_id=self.kms_key_arn,
            cache_usage_limits=aws.elasticache.ServerlessCacheCacheUsageLimitsArgs(
                data_storage=aws.elasticache.ServerlessCacheCacheUsageLimitsDataStorageArgs(
                    maximum=args.max_data_gb, unit="GB"),
                ecpu_per_seconds=[
                    aws.elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArgs(
                        maximum=args.max_ecpu_per_second)],
            ),
            snapshot_retention_limit=args.snapshot_retention_days,
            daily_snapshot_time=args.daily_snapshot_time,
            user_group_id=self.users.user_group_id if self.users else None,
            snapshot_arns_to_restores=list(args.snapshot_arns) or None,
            tags=dict(args.tags),
            # The name is fixed, so a replacement (new subnets or key, another engine) can only
            # delete the old cache first; created first, the new one would be refused with
            # ServerlessCacheAlreadyExistsFault. The bridge does not ask for this itself for
            # this resource (a Plugin Framework one: pulumi-terraform-bridge pf provider_diff).
            opts=pulumi.ResourceOptions.merge(data, pulumi.ResourceOptions(
                ignore_changes=RESTORE_ARGS, delete_before_replace=True)),
        )
        self.arn = cache.arn
        self.endpoint = cache.endpoints.apply(lambda e: e[0].address if e else "")
        self.port = cache.endpoints.apply(lambda e: e[0].port if e else 0)
        if valkey_like:
            self.reader_endpoint = cache.reader_endpoints.apply(
                lambda e: e[0].address if e else "")
            self.reader_port = cache.reader_endpoints.apply(lambda e: e[0].port if e else 0)
        else:
            self.reader_endpoint = self.reader_port = None
        return {"endpoint": self.endpoint, "port": self.port,
                "reader_endpoint": self.reader_endpoint, "arn": self.arn,
                "password": self.password}
