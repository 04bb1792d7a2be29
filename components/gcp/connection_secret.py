"""A Secret Manager secret holding what an application needs to connect to a Memorystore
instance: engine, endpoints, port, TLS with the CA certificates, and the credential (the Redis
AUTH string; Valkey with IAM authentication has none: the client sends an access token).

Replicated only to the cache's own regions (user-managed replication), so connection details
stay where the data is. The version's `secret_data` is a Pulumi secret (pulumi-gcp marks it
too).

The replication policy is fixed when the secret is created: `replication` and every field under
it are ForceNew (terraform-provider-google-beta secretmanager/resource_secret_manager_secret.go),
and pulumi-gcp replaces this resource delete-first (provider/secret_manager.go,
`DeleteBeforeReplace: true`). A region added to or removed from the cache later would delete the
secret - its versions and every IAM grant readers were given on it - and create it again. So the
secret keeps the replicas it was created with (`SECRET_REPLICATION`); it is read through the
global Secret Manager endpoint from any region. For the same reason a cache's key, given to a
secret created without one, does not reach it: only a new secret is encrypted with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.component import Component, Outputs
from components.secret_payload import secret_json

SECRET_REPLICATION = "replication"


@dataclass(frozen=True)
class SecretManagerSecretArgs:
    secret_id: str                           # 1-255 letters, digits, '-' and '_'
    locations: Sequence[str]                 # the regions holding a replica
    payload: pulumi.Input[Mapping[str, Any]]  # JSON-able; may hold secret Outputs
    labels: Mapping[str, str] = field(default_factory=dict)
    # The cache's Cloud KMS key (in its one region): each replica is encrypted with it, as the
    # cache is; Secret Manager's service agent must be granted it first (`key_grant`).
    kms_key: str | None = None
    key_grant: pulumi.Resource | None = None


class SecretManagerSecret(Component[SecretManagerSecretArgs],
                          type_token="managed-cache:gcp:SecretManagerSecret"):
    secret_id: pulumi.Output[str]
    name: pulumi.Output[str]                 # projects/<number>/secrets/<id>

    def build(self, name: str, args: SecretManagerSecretArgs) -> Outputs:
        secret = gcp.secretmanager.Secret(
            f"{name}-secret",
            secret_id=args.secret_id,
            replication=gcp.secretmanager.SecretReplicationArgs(
                user_managed=gcp.secretmanager.SecretReplicationUserManagedArgs(
                    replicas=[gcp.secretmanager.SecretReplicationUserManagedReplicaArgs(
                        location=location, customer_managed_encryption=None if not args.kms_key
                        else gcp.secretmanager
                        .SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs(
                            kms_key_name=args.kms_key))
                        for location in args.locations])),
            labels=dict(args.labels),
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=[SECRET_REPLICATION],
                depends_on=[args.key_grant] if args.key_grant is not None else None),
        )
        gcp.secretmanager.SecretVersion(
            f"{name}-version",
            secret=secret.id,
            secret_data=secret_json(args.payload),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.secret_id = secret.secret_id
        self.name = secret.name
        return {"secret_id": self.secret_id, "name": self.name}

