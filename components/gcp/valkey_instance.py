"""A Memorystore for Valkey instance (`gcp.memorystore.Instance`) with its cross-region
secondaries.

Endpoints are created through `desired_auto_created_endpoints` (the deprecated
`desired_psc_auto_connections` is never set), which needs the gcp-memorystore service connection
policy of the instance's network and region first: the instance depends on it explicitly.
In production: TLS (SERVER_AUTHENTICATION) and IAM authorization; persistence, automated
backups, a weekly maintenance window and deletion protection come from the validated config.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components import fact_conditions as when
from components import provider_facts as facts
from components.component import Component, Outputs
from components.gcp.apis import VALKEY_APIS, needs
from components.gcp.maintenance import weekly_maintenance_policy
from components.resource_types import (
    GCP_VALKEY,
)

# What a switchover or detach changes on a secondary, which `pulumi up` must not push back.
SECONDARY_OWNED = facts.ignored_arguments(GCP_VALKEY, when.CROSS_REGION_SECONDARY)

VALKEY_PORT = 6379
SECONDS_PER_DAY = 86400
# The import sources are ForceNew (google-beta resource_memorystore_instance.go) and matter
# only at creation: ignored afterwards, so editing restore_from never replaces the instance.
RESTORE_ARGS = ["gcs_source", "managed_backup_source"]


@dataclass(frozen=True)
class ValkeySecondaryArgs:
    region: str
    instance_id: str
    replicas: int                            # per shard
    provider: pulumi.ProviderResource | None  # that region's provider
    connection_policy: pulumi.Resource | None  # gcp-memorystore policy of that region


@dataclass(frozen=True)
class ValkeyInstanceArgs:
    instance_id: str
    project: str
    region: str
    network: pulumi.Input[str]               # projects/<p>/global/networks/<name>
    connection_policy: pulumi.Resource | None  # None: the network already has one
    engine_version: str                      # VALKEY_8_0 ...
    node_type: str                           # SHARED_CORE_NANO, HIGHMEM_MEDIUM ...
    shards: int
    replicas: int                            # per shard
    cluster_mode: bool
    engine_configs: Mapping[str, str] = field(default_factory=dict)
    persistence: str = "DISABLED"            # DISABLED | RDB | AOF
    rdb_snapshot_period: str = "TWENTY_FOUR_HOURS"
    backup_retention_days: int = 0           # 0: no automated backups
    backup_start_hour: int = 3
    maintenance_day: str = "SUNDAY"
    maintenance_hour: int = 5
    maintenance_minute: int = 0
    zone: str | None = None                  # None: nodes spread over zones
    tls: bool = True
    iam_auth: bool = True
    kms_key: str | None = None
    kms_grant: pulumi.Resource | None = None  # the service agent's access to kms_key
    deletion_protection: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    secondaries: Sequence[ValkeySecondaryArgs] = ()
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    # Created from RDB files in Cloud Storage or from a backup (only at creation).
    restore_gcs_uris: Sequence[str] = ()
    restore_backup: str | None = None
    import_id: str | None = None             # projects/<p>/locations/<r>/instances/<id>


class MemorystoreValkeyInstance(Component[ValkeyInstanceArgs],
                                type_token="managed-cache:gcp:MemorystoreValkeyInstance"):
    instance_name: pulumi.Output[str]        # projects/<p>/locations/<region>/instances/<id>
    # None when Memorystore reports no such endpoint (never exported: infra/stacks/gcp.py)
    endpoint: pulumi.Output[str | None]      # discovery (cluster) or primary endpoint address
    reader_endpoint: pulumi.Output[str | None]  # reader endpoint without cluster mode
    port: pulumi.Output[int]
    ca_certs: pulumi.Output[list[str]]       # PEM; what TLS clients trust
    secondary_endpoints: dict[str, pulumi.Output[str | None]]  # by region
    # By region: each secondary is an instance with its own server CA, which a client reading
    # there must trust (cloud.google.com/memorystore/docs/valkey/manage-in-transit-encryption).
    secondary_ca_certs: dict[str, pulumi.Output[list[str]]]

    def build(self, name: str, args: ValkeyInstanceArgs) -> Outputs:
        primary = gcp.memorystore.Instance(
            f"{name}-instance",
            location=args.region,
            opts=pulumi.ResourceOptions.merge(
                self._options(args, args.connection_policy),
                pulumi.ResourceOptions(
                    protect=args.deletion_protection or args.import_id is not None,
                    ignore_changes=RESTORE_ARGS, import_=args.import_id)),
            **self._settings(args, args.instance_id, args.replicas),
            **self._restore(args),
        )

        self.secondary_endpoints = {}
        self.secondary_ca_certs = {}
        for secondary in args.secondaries:
            replica = gcp.memorystore.Instance(
                f"{name}-secondary-{secondary.region}",
                location=secondary.region,
                cross_instance_replication_config=gcp.memorystore
                .InstanceCrossInstanceReplicationConfigArgs(
                    instance_role="SECONDARY",
                    primary_instance=gcp.memorystore
                    .InstanceCrossInstanceReplicationConfigPrimaryInstanceArgs(
                        instance=primary.id),
                ),
                opts=pulumi.ResourceOptions.merge(
                    self._options(args, secondary.connection_policy),
                    pulumi.ResourceOptions(provider=secondary.provider,
                                           ignore_changes=SECONDARY_OWNED)),
                # A secondary copies the primary's shape (node type, shards, version, TLS and
                # authorization); only its replica count may differ.
                **self._settings(args, secondary.instance_id, secondary.replicas,
                                 secondary=True),
            )
            self.secondary_endpoints[secondary.region] = _endpoint(
                replica.endpoints, _primary_type(args.cluster_mode))
            self.secondary_ca_certs[secondary.region] = replica.managed_server_cas.apply(
                _certificates)

        self.instance_name = primary.id
        self.endpoint = _endpoint(primary.endpoints, _primary_type(args.cluster_mode))
        self.reader_endpoint = self.endpoint if args.cluster_mode or args.replicas == 0 \
            else _endpoint(primary.endpoints, "CONNECTION_TYPE_READER")
        self.port = pulumi.Output.from_input(VALKEY_PORT)
        self.ca_certs = primary.managed_server_cas.apply(_certificates)
        return {
            "instance_name": self.instance_name,
            "endpoint": self.endpoint,
            "reader_endpoint": self.reader_endpoint,
            "port": self.port,
            "ca_certs": self.ca_certs,
            "secondary_endpoints": self.secondary_endpoints,
            "secondary_ca_certs": self.secondary_ca_certs,
        }

    def _options(self, args: ValkeyInstanceArgs,
                 policy: pulumi.Resource | None) -> pulumi.ResourceOptions:
        depends_on = needs(args.apis, *VALKEY_APIS)
        depends_on += [r for r in (policy, args.kms_grant) if r is not None]
        # instance_id is ours, not auto-named, so Pulumi would create the replacement first
        # and the API would refuse a second instance with the same id (ALREADY_EXISTS): a
        # change that replaces the instance must delete the old one first. Production stacks
        # keep `protect`, which stops any replacement before it starts.
        return pulumi.ResourceOptions(parent=self, protect=args.deletion_protection,
                                      depends_on=depends_on, delete_before_replace=True)

    @staticmethod
    def _restore(args: ValkeyInstanceArgs) -> dict[str, Any]:
        if args.restore_gcs_uris:
            return dict(gcs_source=gcp.memorystore.InstanceGcsSourceArgs(
                uris=list(args.restore_gcs_uris)))
        if args.restore_backup is not None:
            return dict(managed_backup_source=gcp.memorystore.InstanceManagedBackupSourceArgs(
                backup=args.restore_backup))
        return {}

    @staticmethod
    def _settings(args: ValkeyInstanceArgs, instance_id: str, replicas: int,
                  secondary: bool = False) -> dict[str, Any]:
        # A pinned zone belongs to the primary's region; secondaries spread over their zones.
        zone = None if secondary else args.zone
        persistence = gcp.memorystore.InstancePersistenceConfigArgs(mode=args.persistence)
        if args.persistence == "RDB":
            persistence = gcp.memorystore.InstancePersistenceConfigArgs(
                mode="RDB", rdb_config=gcp.memorystore.InstancePersistenceConfigRdbConfigArgs(
                    rdb_snapshot_period=args.rdb_snapshot_period))
        elif args.persistence == "AOF":
            persistence = gcp.memorystore.InstancePersistenceConfigArgs(
                mode="AOF", aof_config=gcp.memorystore.InstancePersistenceConfigAofConfigArgs(
                    append_fsync="EVERY_SEC"))
        backups = None  # automated backups are taken of the primary only
        if args.backup_retention_days > 0 and not secondary:
            backups = gcp.memorystore.InstanceAutomatedBackupConfigArgs(
                fixed_frequency_schedule=gcp.memorystore
                .InstanceAutomatedBackupConfigFixedFrequencyScheduleArgs(
                    start_time=gcp.memorystore
                    .InstanceAutomatedBackupConfigFixedFrequencyScheduleStartTimeArgs(
                        hours=args.backup_start_hour)),
                retention=f"{args.backup_retention_days * SECONDS_PER_DAY}s",
            )
        return dict(
            instance_id=instance_id,
            shard_count=args.shards,
            replica_count=replicas,
            mode="CLUSTER" if args.cluster_mode else "CLUSTER_DISABLED",
            node_type=args.node_type,
            engine_version=args.engine_version,
            engine_configs=dict(args.engine_configs),
            desired_auto_created_endpoints=[
                gcp.memorystore.InstanceDesiredAutoCreatedEndpointArgs(
                    network=args.network, project_id=args.project),
            ],
            transit_encryption_mode="SERVER_AUTHENTICATION" if args.tls
            else "TRANSIT_ENCRYPTION_DISABLED",
            authorization_mode="IAM_AUTH" if args.iam_auth else "AUTH_DISABLED",
            persistence_config=persistence,
            automated_backup_config=backups,
            maintenance_policy=weekly_maintenance_policy(
                gcp.memorystore.InstanceMaintenancePolicyArgs,
                gcp.memorystore.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs,
                gcp.memorystore.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs,
                args),
            zone_distribution_config=gcp.memorystore.InstanceZoneDistributionConfigArgs(
                mode="SINGLE_ZONE", zone=zone) if zone else
            gcp.memorystore.InstanceZoneDistributionConfigArgs(mode="MULTI_ZONE"),
            kms_key=args.kms_key,
            # The API-side flag, always sent: unset, the provider defaults it to true
            # (memorystore/Instance.yaml), and a development instance could not be deleted.
            deletion_protection_enabled=args.deletion_protection,
            labels=dict(args.labels),
        )


def _primary_type(cluster_mode: bool) -> str:
    # Cluster mode: clients discover shards from the discovery endpoint; without it they
    # write to the primary endpoint and read from the reader endpoint.
    return "CONNECTION_TYPE_DISCOVERY" if cluster_mode else "CONNECTION_TYPE_PRIMARY"


def _endpoint(endpoints: pulumi.Output[Any],
              connection_type: str) -> pulumi.Output[str | None]:
    """The address of the auto-created endpoint of `connection_type`; None when Memorystore
    reports none (the stack refuses to export that)."""
    def pick(values: Any) -> str | None:
        for endpoint in values or []:
            for connection in endpoint.connections or []:
                auto = connection.psc_auto_connection
                if auto is not None and auto.connection_type == connection_type:
                    return auto.ip_address or None
        return None

    return endpoints.apply(pick)


def _certificates(cas: Any) -> list[str]:
    return [cert for ca in cas or [] for chain in ca.ca_certs or []
            for cert in chain.certificates or []]
