"""ElastiCache RBAC: one user per client identity and the user group a replication group uses
instead of an AUTH token (a serverless cache, which has no AUTH token, builds its group with the
same `build_user_group`).

- A password user gets a 64-character password from pulumi-random, with only the special
  characters ElastiCache accepts in a password, kept a Pulumi secret.
- An IAM user authenticates with a short-lived IAM token; AWS requires its user name to be its
  user id (pulumi-aws `elasticache.User.user_name`).
- Every user group must contain a user named `default` (AWS::ElastiCache::UserGroup UserIds);
  ours is switched off (`off -@all`) and has a password nobody is given, so a client that sends
  only a password (`AUTH <password>`, which means user `default`) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.component import Component, Outputs

# Passwords follow the AUTH token rules: 16-128 printable characters without / " @ %
# (ModifyReplicationGroup AuthToken); generate with the specials the AUTH token uses.
PASSWORD_SPECIALS = "!&#$^<>-"
PASSWORD_LENGTH = 64
DISABLED_ACCESS = "off -@all"
DEFAULT_USER_NAME = "default"


@dataclass(frozen=True)
class CacheUserArgs:
    name: str            # the config key; part of logical names
    user_id: str         # unique per account and region
    user_name: str       # what clients send; equals user_id for IAM users
    access: str          # ElastiCache access string
    iam: bool = False


@dataclass(frozen=True)
class ElastiCacheUsersArgs:
    user_group_id: str
    engine: str          # valkey | redis (users and group take the cache's engine)
    default_user_id: str
    users: Sequence[CacheUserArgs]
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UserGroupParts:
    """What `build_user_group` registered, for the component that owns it."""

    user_group_id: pulumi.Output[str]
    user_arns: dict[str, pulumi.Output[str]]       # by config name
    passwords: dict[str, pulumi.Output[str]]       # password users only; Pulumi secrets


def build_user_group(name: str, args: ElastiCacheUsersArgs, parent: pulumi.Resource,
                     group_name: str) -> UserGroupParts:
    """The disabled `default` user, one user per `args.users` and the group holding them, as
    children of `parent`: a replication group's ElastiCacheUsers and a serverless cache both
    build their group here. Logical names: `<name>-default`, `<name>-<user>`, their
    `-password`s, and `group_name` for the group."""
    child = pulumi.ResourceOptions(parent=parent)
    default = CacheUserArgs(name=DEFAULT_USER_NAME, user_id=args.default_user_id,
                            user_name=DEFAULT_USER_NAME, access=DISABLED_ACCESS)
    user_arns: dict[str, pulumi.Output[str]] = {}
    passwords: dict[str, pulumi.Output[str]] = {}
    members: list[pulumi.Output[str]] = []
    for user in (default, *args.users):
        password = None
        if user.iam:
            mode = aws.elasticache.UserAuthenticationModeArgs(type="iam")
        else:
            password = _password(f"{name}-{user.name}-password", child)
            mode = aws.elasticache.UserAuthenticationModeArgs(type="password",
                                                              passwords=[password])
        created = aws.elasticache.User(
            f"{name}-{user.name}",
            user_id=user.user_id,
            user_name=user.user_name,
            engine=args.engine,
            access_string=user.access,
            authentication_mode=mode,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=parent,
                                        additional_secret_outputs=["authentication_mode"]),
        )
        members.append(created.user_id)
        if user is not default:     # the default user's password is given to nobody
            user_arns[user.name] = created.arn
            if password is not None:
                passwords[user.name] = password
    group = aws.elasticache.UserGroup(
        group_name,
        user_group_id=args.user_group_id,
        engine=args.engine,
        user_ids=members,
        tags=dict(args.tags),
        opts=child,
    )
    return UserGroupParts(user_group_id=group.user_group_id, user_arns=user_arns,
                          passwords=passwords)


def _password(name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    password = random.RandomPassword(
        name,
        length=PASSWORD_LENGTH,
        special=True,
        override_special=PASSWORD_SPECIALS,
        min_lower=4, min_upper=4, min_numeric=4, min_special=2,
        opts=opts,
    )
    return pulumi.Output.secret(password.result)


class ElastiCacheUsers(Component[ElastiCacheUsersArgs],
                       type_token="managed-cache:aws:ElastiCacheUsers"):
    """A replication group's users and user group (`<name>-group`)."""

    user_group_id: pulumi.Output[str]
    user_arns: dict[str, pulumi.Output[str]]       # by config name
    passwords: dict[str, pulumi.Output[str]]       # password users only; Pulumi secrets

    def build(self, name: str, args: ElastiCacheUsersArgs) -> Outputs:
        parts = build_user_group(name, args, parent=self, group_name=f"{name}-group")
        self.user_group_id = parts.user_group_id
        self.user_arns = parts.user_arns
        self.passwords = parts.passwords
        return {"user_group_id": self.user_group_id,
                "user_arns": self.user_arns}
