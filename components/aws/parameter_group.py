"""An ElastiCache parameter group whose name follows its family, so a family change (an engine
major upgrade) creates the new group before the old one is deleted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.component import Component, Outputs


@dataclass(frozen=True)
class CacheParameterGroupArgs:
    group_name: str                 # physical name, derived from the family (infra.naming)
    family: str                     # valkey8, redis7, memcached1.6 ...
    description: str
    parameters: Mapping[str, str] = field(default_factory=dict)


class CacheParameterGroup(Component[CacheParameterGroupArgs],
                          type_token="managed-cache:aws:CacheParameterGroup"):
    name: pulumi.Output[str]

    def build(self, name: str, args: CacheParameterGroupArgs) -> Outputs:
        group = aws.elasticache.ParameterGroup(
            f"{name}-params",
            name=args.group_name,
            family=args.family,
            description=args.description,
            parameters=[aws.elasticache.ParameterGroupParameterArgs(name=k, value=v)
                        for k, v in sorted(args.parameters.items())],
            # Create the new group before deleting the old one, which the cache still uses
            # until it moves ("You cannot delete a cache parameter group if it is associated
            # with any cache clusters"). Explicit, because the bridge deletes first whenever a
            # program names a resource itself (pulumi-terraform-bridge
            # nameRequiresDeleteBeforeReplace); every replacement here comes with a new name.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=False),
        )
        self.name = group.name
        return {"name": self.name}
