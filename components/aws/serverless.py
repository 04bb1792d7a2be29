"""An ElastiCache Serverless cache with the safe defaults built in.

ElastiCache Serverless always encrypts in transit and at rest (with the AWS-owned key unless a
customer-managed one is given) and scales itself within the usage limits set here. It has no
AUTH token: Valkey and Redis OSS serverless caches authenticate users of a user group (RBAC).
Without one, anyone who reaches the endpoint may connect, so a Valkey/Redis cache gets a user
group of its own: a disabled `default` user and one application user with a random password
that exists only as a Pulumi secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws import kms

# Every user group must contain a user named `default` (AWS::ElastiCache::UserGroup UserIds);
# it is switched off and given a password nobody is told.
DEFAULT_USER_NAME = "default"
DISABLED_ACCESS = "off -@all"
APP_USER_NAME = "app"
APP_ACCESS = "on ~* +@all"
# ElastiCache passwords: 16-128 printable characters; generate with the specials the AUTH token
# rules accept, as the replication group does.
PASSWORD_SPECIALS = "!&#$^<>-"
PASSWORD_LENGTH = 64


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
    # Valkey/Redis: a user group with an application user (ids `<name>-default`, `<name>-app`).
    user_group: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


class ElastiCacheServerlessCache(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    reader_endpoint: pulumi.Output[str] | None
    reader_port: pulumi.Output[int] | None
    arn: pulumi.Output[str]
    user_name: str | None                     # what clients send with AUTH <user> <password>
    password: pulumi.Output[str] | None       # a Pulumi secret
    kms_key_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: ServerlessCacheArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("managed-cache:aws:ElastiCacheServerlessCache", name, None, opts)
        data = pulumi.ResourceOptions(parent=self, protect=args.deletion_protection)
        self.kms_key_arn = kms.cache_data_key(
            self, name, cache_id=args.name, what="serverless cache ", kms_key_arn=args.kms_key_arn,
            create=args.create_kms_key, tags=dict(args.tags), opts=data)
        valkey_like = args.engine != "memcached"

        user_group_id: pulumi.Output[str] | None = None
        self.user_name = None
        self.password = None
        if valkey_like and args.user_group:
            user_group_id, self.password = self._user_group(name, args)
            self.user_name = APP_USER_NAME

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
            snapshot_retention_limit=args.snapshot_retention_days if valkey_like else None,
            daily_snapshot_time=args.daily_snapshot_time if valkey_like else None,
            user_group_id=user_group_id,
            tags=dict(args.tags),
            opts=data,
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
        self.register_outputs({"endpoint": self.endpoint, "port": self.port,
                               "reader_endpoint": self.reader_endpoint, "arn": self.arn,
                               "password": self.password})

    def _user_group(self, name: str,
                    args: ServerlessCacheArgs) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        members: list[pulumi.Output[str]] = []
        password: pulumi.Output[str] | None = None
        for user, user_name, access in (("default", DEFAULT_USER_NAME, DISABLED_ACCESS),
                                        (APP_USER_NAME, APP_USER_NAME, APP_ACCESS)):
            secret = random.RandomPassword(
                f"{name}-{user}-password",
                length=PASSWORD_LENGTH, special=True, override_special=PASSWORD_SPECIALS,
                min_lower=4, min_upper=4, min_numeric=4, min_special=2,
                opts=pulumi.ResourceOptions(parent=self),
            )
            created = aws.elasticache.User(
                f"{name}-{user}",
                user_id=f"{args.name}-{user}",
                user_name=user_name,
                engine=args.engine,
                access_string=access,
                authentication_mode=aws.elasticache.UserAuthenticationModeArgs(
                    type="password", passwords=[secret.result]),
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self,
                                            additional_secret_outputs=["authentication_mode"]),
            )
            members.append(created.user_id)
            if user == APP_USER_NAME:
                password = pulumi.Output.secret(secret.result)
        group = aws.elasticache.UserGroup(
            f"{name}-users",
            user_group_id=f"{args.name}-users",
            engine=args.engine,
            user_ids=members,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        assert password is not None
        return group.user_group_id, password
