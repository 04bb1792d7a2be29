"""Customer-managed encryption keys for Memorystore: the product's service agent may use each key.

Memorystore encrypts an instance with a Cloud KMS key through its service agent,
service-<project number>@gcp-sa-memorystore.iam.gserviceaccount.com (Valkey) or
service-<project number>@cloud-redis.iam.gserviceaccount.com (Redis). Without
roles/cloudkms.cryptoKeyEncrypterDecrypter on the key the instance creation fails. The agent
is created on demand (`gcp.projects.ServiceIdentity`, which also yields its e-mail without
looking up the project number), then granted the role on the key
(`gcp.kms.CryptoKeyIAMMember`); instances depend on `grants[(service, key)]`. Sources: the
Memorystore "Use customer-managed encryption keys" pages and
terraform-google-modules/terraform-google-memorystore examples/valkey/kms.tf and
examples/redis-cluster/kms.tf.

A new agent is not at once known to IAM: a grant right after generateServiceIdentity can fail
with "Service account ... does not exist" (hashicorp/terraform-provider-google#7611), and the
provider retries that error only when the key's policy changed meanwhile (magic-modules
tpgiamresource/iam.go.tmpl, IamServiceAccountNotFound with the etag check). So each grant waits
AGENT_PROPAGATION after its agent (a pulumiverse-time Sleep, Terraform's time_sleep), as the
terraform-google-memorystore example does (examples/redis-cluster/kms.tf,
time_sleep.wait_for_redis_sa_ready_state, 30s). The Sleep waits when it is created: once per
agent, and again only if the agent's member changes (its `triggers` replace it).

One grant per (agent, key): two resources for the same member and role on one key are the same
IAM binding, and deleting either would take the key away from the other's instances. The same
holds across stacks: the agent is per project, so another stack of the project on the same key,
or a key owner who granted the agent already, holds the very member this grant adds, and the
provider's delete removes the member whoever added it (tpgiamresource/resource_iam_member.go,
resourceIamMemberDelete: subtractFromBindings). So a grant is left in place when it leaves the
stack (`retain_on_delete`), as the project's APIs are (components/gcp/apis.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components import naming
from components.component import Component, Outputs
from components.gcp.apis import CLOUD_KMS, needs

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
AGENT_PROPAGATION = "30s"


@dataclass(frozen=True)
class CustomerKeyGrantsArgs:
    project: str
    keys: Mapping[str, Sequence[str]]   # API (memorystore / redis) -> keys its instances use
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)


class CustomerKeyGrants(Component[CustomerKeyGrantsArgs],
                        type_token="managed-cache:gcp:CustomerKeyGrants"):
    grants: dict[tuple[str, str], pulumi.Resource]   # (API, key) -> the agent's grant

    def build(self, name: str, args: CustomerKeyGrantsArgs) -> Outputs:
        # Here, not at the top: a stack without keys does not pay its import (parver, 10 ms).
        import pulumiverse_time as time

        self.grants = {}
        for service, keys in args.keys.items():
            product = service.split(".", 1)[0]
            agent = gcp.projects.ServiceIdentity(
                f"{name}-{product}-agent",
                project=args.project,
                service=service,
                # The agent can only be generated once the product's API is on.
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, service)),
            )
            known_to_iam = time.Sleep(
                f"{name}-{product}-agent-propagation",
                create_duration=AGENT_PROPAGATION,
                triggers={"member": agent.member},
                opts=pulumi.ResourceOptions(parent=self),
            )
            for key in dict.fromkeys(keys):
                self.grants[(service, key)] = gcp.kms.CryptoKeyIAMMember(
                    f"{name}-{product}-{naming.gcp_key_grant_label(key)}",
                    crypto_key_id=key,
                    role=ENCRYPTER_DECRYPTER,
                    member=agent.member,
                    opts=pulumi.ResourceOptions(
                        parent=self, retain_on_delete=True,
                        depends_on=[known_to_iam, *needs(args.apis, CLOUD_KMS)]),
                )
        return {"keys": {s: list(k) for s, k in args.keys.items()}}
