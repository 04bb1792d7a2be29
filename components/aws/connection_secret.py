"""A Secrets Manager secret holding what an application needs to connect to a cache: engine,
endpoints, port, TLS and the credential (AUTH token or an RBAC user's password), as JSON.

The JSON is built from Outputs that include Pulumi secrets, so the version's `secret_string`
stays a secret end to end (pulumi-aws marks it secret too). A customer-managed KMS key
encrypts it when the cache has one in the secret's region; otherwise the account's
`aws/secretsmanager` key does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.component import Component, Outputs
from components.secret_payload import secret_json


@dataclass(frozen=True)
class ConnectionSecretArgs:
    secret_name: str                         # e.g. managed-cache/prod/sessions
    description: str
    payload: pulumi.Input[Mapping[str, Any]]  # JSON-able; may hold secret Outputs
    kms_key_id: pulumi.Input[str] | None = None
    # Days Secrets Manager keeps a deleted secret restorable (7-30); 0 deletes it at once so a
    # development stack can be destroyed and created again under the same name.
    recovery_window_days: int = 30
    tags: Mapping[str, str] = field(default_factory=dict)


class ConnectionSecret(Component[ConnectionSecretArgs],
                       type_token="managed-cache:aws:ConnectionSecret"):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def build(self, name: str, args: ConnectionSecretArgs) -> Outputs:
        secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            name=args.secret_name,
            description=args.description,
            kms_key_id=args.kms_key_id,
            recovery_window_in_days=args.recovery_window_days,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-version",
            secret_id=secret.id,
            secret_string=secret_json(args.payload),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = secret.arn
        self.name = secret.name
        return {"arn": self.arn, "name": self.name}

