"""The Google APIs a stack calls, enabled in its project (`gcp.projects.Service`).

On a fresh project every API but a few defaults is off, and the first call to it fails with
SERVICE_DISABLED. Each service here is left enabled when the stack is destroyed
(`disable_on_destroy=False`): other workloads in the project may use it. Resources wait for
the APIs they call through `needs(apis, ...)`, which the other GCP components use.

Which API serves which resource: the resource's REST endpoint in the provider source
(hashicorp/terraform-provider-google-beta google-beta/services/<product>/); Memorystore for
Valkey also needs Network Connectivity (its Private Service Connect endpoints come from a
service connection policy) and Service Consumer Management, as the Valkey module of
terraform-google-modules/terraform-google-memorystore (modules/valkey/main.tf) enables them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.component import Component, Outputs

COMPUTE = "compute.googleapis.com"                    # networks, subnets, address ranges
SERVICE_NETWORKING = "servicenetworking.googleapis.com"  # private services access
NETWORK_CONNECTIVITY = "networkconnectivity.googleapis.com"  # service connection policies
SERVICE_CONSUMER_MANAGEMENT = "serviceconsumermanagement.googleapis.com"
MEMORYSTORE = "memorystore.googleapis.com"            # Memorystore for Valkey
REDIS = "redis.googleapis.com"                        # Memorystore for Redis
MEMCACHE = "memcache.googleapis.com"                  # Memorystore for Memcached
DNS = "dns.googleapis.com"
MONITORING = "monitoring.googleapis.com"
SECRET_MANAGER = "secretmanager.googleapis.com"        # connection secrets (secret: true)
CLOUD_KMS = "cloudkms.googleapis.com"                 # customer-managed key grants
# Project IAM grants (gcp.projects.IAMMember) read and write the project's policy through
# Resource Manager (google_project_iam_member: cloudresourcemanager v1 getIamPolicy/
# setIamPolicy in the provider's resource_manager service).
CLOUD_RESOURCE_MANAGER = "cloudresourcemanager.googleapis.com"

# What each Memorystore product calls besides its own API.
VALKEY_APIS = (MEMORYSTORE, NETWORK_CONNECTIVITY, SERVICE_CONSUMER_MANAGEMENT, COMPUTE)


@dataclass(frozen=True)
class ProjectApisArgs:
    project: str
    services: Sequence[str]          # e.g. "compute.googleapis.com", in a stable order


class ProjectApis(Component[ProjectApisArgs],
                  type_token="managed-cache:gcp:ProjectApis"):
    services: dict[str, pulumi.Resource]   # by service name

    def build(self, name: str, args: ProjectApisArgs) -> Outputs:
        self.services = {
            service: gcp.projects.Service(
                f"{name}-{service.split('.', 1)[0]}",
                project=args.project,
                service=service,
                # Other workloads in the project may use the API: never turn it off.
                disable_on_destroy=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for service in args.services
        }
        return {"services": sorted(self.services)}


def needs(apis: Mapping[str, pulumi.Resource], *services: str) -> list[pulumi.Resource]:
    """The enabled-API resources a child must wait for; none when the stack enables no APIs."""
    return [apis[s] for s in services if s in apis]
