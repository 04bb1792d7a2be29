"""IAM clients of Memorystore for Valkey: `roles/memorystore.dbConnectionUser` for each
service account, the permission (`memorystore.instances.connect`) IAM authentication checks.

Memorystore grants it per project: granted to a principal, the role gives access to every
instance in the project (cloud.google.com/memorystore/docs/valkey/manage-iam-auth, "Grant
permissions for IAM authentication"). The about page says bindings "can be restricted to a
particular instance", but the instructions it points to only grant the role on the project and
describe a restricted IAM admin; no IAM Conditions attribute for Memorystore instances is
documented, and a condition on an attribute a service does not supply never matches, which
would lock the clients out. So the binding is the plain project-level one, made once per
service account for the whole stack (`IAMMember` is additive: two identical members would
remove each other's grant when one of them is deleted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.component import Component, Outputs
from components.gcp.apis import CLOUD_RESOURCE_MANAGER, needs
from components.naming import account_slug

CONNECTION_ROLE = "roles/memorystore.dbConnectionUser"


@dataclass(frozen=True)
class ValkeyIamClientsArgs:
    project: str
    service_accounts: Sequence[str]          # e-mails, each once
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)


class ValkeyIamClients(Component[ValkeyIamClientsArgs],
                       type_token="managed-cache:gcp:ValkeyIamClients"):
    members: list[str]                       # serviceAccount:<e-mail>, in order

    def build(self, name: str, args: ValkeyIamClientsArgs) -> Outputs:
        self.members = []
        for email in args.service_accounts:
            member = f"serviceAccount:{email}"
            gcp.projects.IAMMember(
                f"{name}-{account_slug(email)}",
                project=args.project,
                role=CONNECTION_ROLE,
                member=member,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=needs(args.apis, CLOUD_RESOURCE_MANAGER)),
            )
            self.members.append(member)
        return {"members": self.members}
