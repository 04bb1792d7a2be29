"""A Memorystore for Redis instance (`gcp.redis.Instance`) on private services access.

Tier from replicas (BASIC without, STANDARD_HA with), read replicas mode when asked for,
AUTH and TLS (SERVER_AUTHENTICATION, port 6378) when enabled, RDB persistence, a weekly
maintenance window, an optional customer-managed key and labels. `connect_mode` is
PRIVATE_SERVICE_ACCESS, so the instance depends on the network's servicenetworking connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.component import Component, Outputs
from components.gcp.apis import REDIS, needs
from components.gcp.maintenance import weekly_maintenance_policy
from components.gcp.network import ServiceAccessArgs

PLAIN_PORT, TLS_PORT = 6379, 6378


@dataclass(frozen=True)
class RedisInstanceArgs(ServiceAccessArgs):   # the instance id `name`: 2-40 characters
    redis_version: str                       # REDIS_7_2 ...
    memory_gb: int
    replicas: int
    read_replicas: bool = False
    tls: bool = True
    auth: bool = True
    persistence: str = "RDB"                 # RDB | DISABLED
    rdb_snapshot_period: str = "ONE_HOUR"
    maintenance_day: str = "SUNDAY"
    maintenance_hour: int = 5
    maintenance_minute: int = 0
    zone: str | None = None                  # primary zone; None: Google picks
    customer_managed_key: str | None = None
    key_grant: pulumi.Resource | None = None  # the service agent's access to the key
    deletion_protection: bool = False
    redis_configs: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    import_id: str | None = None             # projects/<p>/locations/<r>/instances/<name>

    @property
    def tier(self) -> str:
        return "STANDARD_HA" if self.replicas >= 1 else "BASIC"

    @property
    def port(self) -> int:
        return TLS_PORT if self.tls else PLAIN_PORT


class MemorystoreRedisInstance(Component[RedisInstanceArgs],
                               type_token="managed-cache:gcp:MemorystoreRedisInstance"):
    instance_name: pulumi.Output[str]        # projects/<p>/locations/<region>/instances/<name>
    host: pulumi.Output[str]
    read_endpoint: pulumi.Output[str]        # the host when read replicas are off
    port: pulumi.Output[int]
    read_port: pulumi.Output[int]            # the read endpoint's own port (else `port`)
    auth_string: pulumi.Output[str] | None   # always a Pulumi secret; None without AUTH
    ca_certs: pulumi.Output[list[str]]       # PEM; what TLS clients trust

    def build(self, name: str, args: RedisInstanceArgs) -> Outputs:
        instance = gcp.redis.Instance(
            f"{name}-instance",
            name=args.name,
            display_name=args.display_name,
            region=args.region,
            tier=args.tier,
            memory_size_gb=args.memory_gb,
            redis_version=args.redis_version,
            # Only with read replicas: the API refuses a replica count otherwise ("Setting
            # replica count requires read-replicas-mode to be READ_REPLICAS_ENABLED",
            # hashicorp/terraform-provider-google#14734), and STANDARD_HA has its one replica
            # by default (REST reference, Instance.replicaCount).
            replica_count=args.replicas if args.read_replicas else None,
            # Never READ_REPLICAS_DISABLED: Memorystore cannot turn read replicas off once they
            # are on, so unset keeps whatever the instance has (off at creation) and a later
            # "off" changes nothing (components/provider_facts.py, readReplicasMode).
            read_replicas_mode="READ_REPLICAS_ENABLED" if args.read_replicas else None,
            connect_mode="PRIVATE_SERVICE_ACCESS",
            authorized_network=args.authorized_network,
            reserved_ip_range=args.reserved_ip_range,
            location_id=args.zone,
            auth_enabled=args.auth,
            transit_encryption_mode="SERVER_AUTHENTICATION" if args.tls else "DISABLED",
            persistence_config=gcp.redis.InstancePersistenceConfigArgs(
                persistence_mode=args.persistence,
                rdb_snapshot_period=args.rdb_snapshot_period if args.persistence == "RDB"
                else None,
            ),
            maintenance_policy=weekly_maintenance_policy(
                gcp.redis.InstanceMaintenancePolicyArgs,
                gcp.redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs,
                gcp.redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs,
                args),
            customer_managed_key=args.customer_managed_key,
            redis_configs=dict(args.redis_configs),
            labels=dict(args.labels),
            # In pulumi-gcp an unset deletion_protection means protected: always set it.
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.deletion_protection or args.import_id is not None,
                depends_on=[*needs(args.apis, REDIS),
                            *[r for r in (args.psa_connection, args.key_grant) if r is not None]],
                additional_secret_outputs=["auth_string"], import_=args.import_id,
                ignore_changes=["reserved_ip_range"]),
        )
        self.instance_name = instance.id
        self.host = instance.host
        self.read_endpoint = instance.read_endpoint if args.read_replicas else instance.host
        self.port = pulumi.Output.from_input(args.port)  # from config: known at preview
        self.read_port = instance.read_endpoint_port if args.read_replicas else self.port
        self.auth_string = pulumi.Output.secret(instance.auth_string) if args.auth else None
        self.ca_certs = instance.server_ca_certs.apply(_certificates)
        return {
            "instance_name": self.instance_name,
            "host": self.host,
            "read_endpoint": self.read_endpoint,
            "port": self.port,
            "read_port": self.read_port,
            "auth_string": self.auth_string,
            "ca_certs": self.ca_certs,
        }


def _certificates(certs: Any) -> list[str]:
    return [c.cert for c in certs or [] if c.cert]
