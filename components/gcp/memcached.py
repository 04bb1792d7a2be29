"""A Memorystore for Memcached instance (`gcp.memcache.Instance`) on private services access.

Nodes with vCPUs and memory per node, the Memcached version, parameters and a weekly
maintenance window (3 to 8 hours). Memorystore for Memcached has no replication, snapshots,
AUTH or TLS. Google stops new Memcached instances in new projects after 2027-02-01: the config
warns and suggests Valkey.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.component import Component, Outputs
from components.gcp.apis import MEMCACHE, needs
from components.gcp.maintenance import weekly_maintenance_policy
from components.gcp.network import ServiceAccessArgs

MEMCACHED_PORT = 11211


@dataclass(frozen=True)
class MemcachedInstanceArgs(ServiceAccessArgs):
    memcache_version: str                    # MEMCACHE_1_6_15 ...
    nodes: int
    vcpus: int                               # per node
    memory_mb: int                           # per node
    parameters: Mapping[str, str] = field(default_factory=dict)
    maintenance_day: str = "SUNDAY"
    maintenance_hour: int = 5
    maintenance_minute: int = 0
    maintenance_minutes: int = 180           # 3 to 8 hours
    deletion_protection: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    import_id: str | None = None             # projects/<p>/locations/<r>/instances/<name>


class MemorystoreMemcachedInstance(Component[MemcachedInstanceArgs],
                                   type_token="managed-cache:gcp:MemorystoreMemcachedInstance"):
    instance_name: pulumi.Output[str]
    discovery_endpoint: pulumi.Output[str]   # "<host>:<port>" for auto-discovery clients
    host: pulumi.Output[str | None]          # None when the discovery endpoint is empty
    port: pulumi.Output[int]

    def build(self, name: str, args: MemcachedInstanceArgs) -> Outputs:
        instance = gcp.memcache.Instance(
            f"{name}-instance",
            name=args.name,
            display_name=args.display_name,
            region=args.region,
            node_count=args.nodes,
            node_config=gcp.memcache.InstanceNodeConfigArgs(
                cpu_count=args.vcpus, memory_size_mb=args.memory_mb),
            memcache_version=args.memcache_version,
            memcache_parameters=gcp.memcache.InstanceMemcacheParametersArgs(
                params=dict(args.parameters)) if args.parameters else None,
            authorized_network=args.authorized_network,
            reserved_ip_range_ids=[args.reserved_ip_range]
            if args.reserved_ip_range is not None else None,
            maintenance_policy=weekly_maintenance_policy(
                gcp.memcache.InstanceMaintenancePolicyArgs,
                gcp.memcache.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs,
                gcp.memcache.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs,
                args,
                duration=f"{args.maintenance_minutes * 60}s"),
            labels=dict(args.labels),
            # In pulumi-gcp an unset deletion_protection means protected: always set it.
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.deletion_protection or args.import_id is not None,
                depends_on=[*needs(args.apis, MEMCACHE),
                            *([args.psa_connection] if args.psa_connection is not None else [])],
                import_=args.import_id, ignore_changes=["reserved_ip_range_ids"]),
        )
        self.instance_name = instance.id
        self.discovery_endpoint = instance.discovery_endpoint
        self.host = instance.discovery_endpoint.apply(
            lambda e: e.rsplit(":", 1)[0] or None if e else None)
        self.port = pulumi.Output.from_input(MEMCACHED_PORT)
        return {
            "instance_name": self.instance_name,
            "discovery_endpoint": self.discovery_endpoint,
            "host": self.host,
            "port": self.port,
        }
